"""Bad welfare-check input on the real server: a 4xx naming the field in the reader's
language, nothing written; a viewer may not record; a plain form from the phone works."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.live.conftest import Live

GOOD = {"conscious": "yes", "drinking": "no", "condition": "weak", "distress": "calm"}


async def hunger_strike(live: Live) -> tuple[httpx.AsyncClient, str]:
    """A disruption whose medical standby is ticked (its hunger-strike check runs)."""
    duty = await live.client("duty1")
    body = {"type": "disruption", "location": "信访大厅", "headcount": 1, "summary": "绝食"}
    opened = await duty.post("/incidents", json=body, headers={"Idempotency-Key": key()})
    incident = str(opened.json()["incident_id"])
    tick = await duty.post(
        f"/incidents/{incident}/items/medical_standby/tick", json={}, headers=keyed()
    )
    assert tick.status_code == 201, tick.text
    return duty, incident


def key() -> str:
    return uuid.uuid4().hex


def keyed() -> dict[str, str]:
    return {"Idempotency-Key": key()}


async def events(client: httpx.AsyncClient, incident: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await client.get(f"/api/incidents/{incident}/events")).json()
    return found


BAD = [
    ({"answers": GOOD | {"drinking": "也许"}}, 422, "welfare.answer_invalid", "「饮水」的回答无效"),
    ({"answers": {"conscious": "yes"}}, 422, "welfare.answer_missing", "请回答「饮水」"),
    ({"answers": ["yes"]}, 422, "input.text", "「观察结果」"),
    ({"answers": GOOD, "remark": "坏\u202e字"}, 422, "text.bidi_control", "备注"),
    ({"answers": GOOD, "remark": "字" * 1001}, 422, "input.too_long", "「备注」"),
]


@pytest.mark.parametrize(("body", "status", "reason", "says"), BAD, ids=[b[2] for b in BAD])
async def test_a_bad_record_is_refused_by_field_and_writes_nothing(
    live: Live, body: dict[str, Any], status: int, reason: str, says: str
) -> None:
    duty, incident = await hunger_strike(live)
    before = len(await events(duty, incident))
    reply = await duty.post(
        f"/incidents/{incident}/checks/hunger_watch/record", json=body, headers=keyed()
    )
    assert reply.status_code == status, reply.text
    assert reply.json()["reason"] == reason
    assert says in reply.json()["text"], reply.json()
    assert len(await events(duty, incident)) == before


async def test_unknown_checks_and_viewers_are_refused(live: Live) -> None:
    """No such check: 404; a viewer recording: 403; both in Chinese, nothing written."""
    duty, incident = await hunger_strike(live)
    before = len(await events(duty, incident))
    unknown = await duty.post(
        f"/incidents/{incident}/checks/pulse/record", json={"answers": GOOD}, headers=keyed()
    )
    assert unknown.status_code == 404 and "预案中没有这项观察" in unknown.json()["text"]
    viewer = await live.client("viewer1")
    looked = await viewer.post(
        f"/incidents/{incident}/checks/hunger_watch/record", json={"answers": GOOD}, headers=keyed()
    )
    assert looked.status_code == 403, looked.text
    assert len(await events(duty, incident)) == before


async def test_a_form_from_the_phone_records_and_a_retry_is_not_doubled(live: Live) -> None:
    """answer_<observation> fields and a remark, as the phone's form sends them, once."""
    duty, incident = await hunger_strike(live)
    staff = await live.client("staff1")
    form = {f"answer_{k}": v for k, v in GOOD.items()} | {"remark": "睡着了😴 ok"}
    headers = keyed() | {"HX-Request": "1"}
    for _ in range(2):
        reply = await staff.post(
            f"/incidents/{incident}/checks/hunger_watch/record", data=form, headers=headers
        )
        assert reply.status_code == 204, reply.text
    recorded = [e for e in await events(duty, incident) if e["kind"] == "welfare_check_recorded"]
    assert [e["payload"]["remark"] for e in recorded] == ["睡着了😴 ok"]
    assert recorded[0]["payload"]["answers"] == GOOD
