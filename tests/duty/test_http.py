"""The roster page, the zero-report form and the board's duty panel, against the live app."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx

from tests.live.conftest import Live


async def add_shift(client: httpx.AsyncClient, user: str, role: str) -> httpx.Response:
    now = datetime.now(UTC)
    body = {
        "user_id": user,
        "role": role,
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(hours=8)).isoformat(),
    }
    return await client.post("/roster", json=body)


async def test_the_board_names_who_is_on_duty_and_a_new_incident_gets_the_leader(
    live: Live,
) -> None:
    """Commander1 puts himself and duty1 on duty; the board names both; duty1's incident is his."""
    lead, duty = await live.client("commander1"), await live.client("duty1")
    assert (await add_shift(lead, "commander1", "leader")).status_code == 201
    assert (await add_shift(lead, "duty1", "officer")).status_code == 201
    board = (await duty.get("/")).text
    assert 'id="duty-panel"' in board and "现场指挥 王" in board and "值班员 张" in board
    body = {"type": "medical", "location": "一楼大厅", "headcount": 1, "summary": "来访人晕倒"}
    opened = await duty.post("/incidents", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert opened.status_code == 201, opened.text
    state = (await duty.get(f"/api/incidents/{opened.json()['incident_id']}")).json()
    assert state["commander"] == "commander1"
    page = (await duty.get(f"/incidents/{opened.json()['incident_id']}")).text
    assert "（带班领导）" in page
    roster = (await duty.get("/roster")).text
    assert "正在值班" in roster and "新增排班" not in roster  # duty officers only read it


async def test_only_commanders_and_admins_manage_the_roster(live: Live) -> None:
    """Duty1 may not add a shift (403); an admin may, and may end it."""
    duty, admin = await live.client("duty1"), await live.client("admin1")
    assert (await add_shift(duty, "duty1", "officer")).status_code == 403
    added = await add_shift(admin, "commander1", "leader")
    assert added.status_code == 201
    ended = await admin.post(f"/roster/{added.json()['id']}/end", json={})
    assert ended.status_code == 201
    assert "现场指挥 王" not in (await admin.get("/duty/panel")).text


async def test_a_zero_report_taken_by_phone_shows_on_the_board(live: Live) -> None:
    """Duty1 records housing's situation; the panel shows it; an unknown unit is refused."""
    duty = await live.client("duty1")
    filed = await duty.post(
        "/zero-report",
        json={"unit": "housing_bureau", "status": "situation", "text": "业主约 20 人明日来访"},
    )
    assert filed.status_code == 201, filed.text
    panel = (await duty.get("/duty/panel")).text
    assert "住房和城乡建设局" in panel and "业主约 20 人明日来访" in panel and "有情况" in panel
    wrong = await duty.post("/zero-report", json={"unit": "police", "status": "all_clear"})
    assert wrong.status_code == 422 and wrong.json()["field"] == "unit"
    viewer = await live.client("viewer1")
    refused = await viewer.post(
        "/zero-report", json={"unit": "housing_bureau", "status": "all_clear"}
    )
    assert refused.status_code == 403
    assert "零报告" in (await viewer.get("/zero-report")).text
