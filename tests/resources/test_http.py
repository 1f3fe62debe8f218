"""Resources, reports and recusal over HTTP against the live app and real PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.live.conftest import Live


async def command(
    client: httpx.AsyncClient, incident: str, name: str, **body: Any
) -> httpx.Response:
    return await client.post(
        f"/incidents/{incident}/{name}", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}
    )


async def opened(client: httpx.AsyncClient) -> str:
    body = {"type": "medical", "location": "一楼大厅", "headcount": 1, "summary": "来访人晕倒"}
    reply = await client.post(
        "/incidents", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}
    )
    assert reply.status_code == 201, reply.text
    return str(reply.json()["incident_id"])


async def test_board_and_resource_page_show_the_ambulance_en_route(live: Live) -> None:
    """The commander sends an ambulance; the board row and /resources show it en route, ETA."""
    lead = await live.client("commander1")
    incident = await opened(lead)
    assert (await command(lead, incident, "resources", resource="ambulance")).status_code == 201
    moved = await command(
        lead, incident, "resource-move", dispatch="ambulance-1", to="en_route", eta_minutes=12
    )
    assert moved.status_code == 201, moved.text
    board = (await lead.get("/")).text
    assert "救护车 · 途中" in board and "预计" in board
    page = (await lead.get("/resources")).text
    assert "救护车" in page and "一楼大厅" in page and "卫生健康部门" in page
    wrong = await command(lead, incident, "resource-move", dispatch="ambulance-1", to="requested")
    assert wrong.status_code == 409


async def test_a_recused_duty_officer_is_refused_with_the_reason(live: Live) -> None:
    """Duty1 declares an interest; their next note is refused (403) and the reason is shown."""
    duty = await live.client("duty1")
    incident = await opened(duty)
    assert (await command(duty, incident, "conflict", reason="来访人系本人亲属")).status_code == 201
    refused = await command(duty, incident, "notes", text="记录")
    assert refused.status_code == 403
    assert refused.json()["error"] == "recused" and "来访人系本人亲属" in refused.json()["text"]


async def test_the_report_form_is_prefilled_and_closing_waits_for_the_final(live: Live) -> None:
    """The incident page offers the first report filled in; close is refused until the final."""
    lead = await live.client("commander1")
    incident = await opened(lead)
    page = (await lead.get(f"/incidents/{incident}")).text
    assert 'id="report-form"' in page and "一楼大厅" in page and "petition_bureau" in page
    fields = {"time": "09:00", "place": "一楼大厅", "scale": "1 人", "cause": "晕倒"}
    await command(lead, incident, "status", to="contained")
    assert (await command(lead, incident, "close")).status_code == 409
    filed = await command(lead, incident, "reports", kind="first", to=["petition_bureau"], **fields)
    assert filed.status_code == 201, filed.text
    assert (await command(lead, incident, "reports", kind="final", **fields)).status_code == 201
    assert (await command(lead, incident, "close")).status_code == 201
