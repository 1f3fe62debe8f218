"""Acknowledging by link on a real server: the phone page, the timeline, every board."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from server.notify.tokens import AckClaim, issue
from tests.live.conftest import Live, next_message, serve_live

SECRET = "ack-test-secret-0123456789abcdef"


@pytest.fixture
async def live(database_url: str, free_port: int, tmp_path: Path) -> AsyncIterator[Live]:
    """The real app with a known signing key; its workers off, so only we write events."""
    async with serve_live(
        database_url, free_port, tmp_path, WATCHFLOOR_SECRET_KEY=SECRET
    ) as server:
        yield server


async def open_self_harm(live: Live) -> tuple[httpx.AsyncClient, str]:
    duty = await live.client("duty1")
    reply = await duty.post(
        "/incidents",
        json={"type": "self_harm", "location": "二楼走廊", "headcount": 1, "summary": "来访人自伤"},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert reply.status_code == 201, reply.text
    return duty, str(reply.json()["incident_id"])


async def token_for(live: Live, incident: str, notification: str, hours: float = 1) -> str:
    delivery = await live.pool.fetchval(
        "SELECT id FROM notification_outbox WHERE incident_id = $1 AND notification = $2",
        uuid.UUID(incident),
        notification,
    )
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=hours)
    return issue(SECRET.encode(), AckClaim(uuid.UUID(incident), notification, delivery, expires))


async def test_an_ack_link_turns_the_unit_green_on_every_board(live: Live) -> None:
    """The police click the link, give an ETA: the timeline says so, and boards update live."""
    duty, incident = await open_self_harm(live)
    commander = await live.client("commander1")
    board = await live.socket(duty, "board")
    page = await live.socket(commander, f"incident:{incident}")
    assert 'data-status="planned"' in await next_message(page)
    await next_message(board)
    token = await token_for(live, incident, "tell_police")

    phone = httpx.AsyncClient(base_url=live.url, headers={"Origin": live.url})
    live.opened.append(phone)
    form = await phone.get(f"/ack/{token}")
    assert form.status_code == 200 and "确认收到" in form.text and "二楼走廊" in form.text
    assert "来访人自伤" not in form.text  # the page shows no visitor's words
    done = await phone.post(f"/ack/{token}", data={"eta_minutes": "8", "note": "民警在途"})
    assert done.status_code == 200 and "已回执" in done.text

    pushed = await next_message(page)
    row = re.search(r'<li id="notification-tell_police"[^>]*>', pushed)
    assert row and 'data-status="acknowledged"' in row[0]
    assert "预计 8 分钟到达" in pushed and "tl-notification_acknowledged" in pushed
    board_update = await next_message(board)
    assert f"incident-{incident}" in board_update
    events = (await duty.get(f"/api/incidents/{incident}/events")).json()
    ack = [e for e in events if e["kind"] == "notification_acknowledged"]
    assert len(ack) == 1 and ack[0]["payload"]["via"] == "link"
    assert ack[0]["payload"]["eta_minutes"] == 8 and ack[0]["recorded_by"] == "unit:police"

    again = await phone.post(f"/ack/{token}", data={})
    assert again.status_code == 409 and "已回执" in again.text  # a token is good once
    api = await phone.post("/api/ack", json={"token": token})
    assert api.status_code == 409 and api.json()["error"] == "already_acknowledged"


async def test_expired_and_forged_links_are_refused_with_a_clear_page(live: Live) -> None:
    """An old link says it expired; a tampered one says it is not valid; nothing is recorded."""
    duty, incident = await open_self_harm(live)
    phone = httpx.AsyncClient(base_url=live.url)
    live.opened.append(phone)
    expired = await token_for(live, incident, "tell_health", hours=-1)
    reply = await phone.get(f"/ack/{expired}")
    assert reply.status_code == 410 and "过期" in reply.text
    genuine = await token_for(live, incident, "tell_health")
    forged = genuine[:-4] + ("AAAA" if not genuine.endswith("AAAA") else "BBBB")
    assert (await phone.post(f"/ack/{forged}", data={})).status_code == 403
    assert (await phone.post("/api/ack", json={"token": expired})).status_code == 410
    events = (await duty.get(f"/api/incidents/{incident}/events")).json()
    assert not [e for e in events if e["kind"] == "notification_acknowledged"]


async def test_systems_acknowledge_through_the_api(live: Live) -> None:
    """A unit's system posts the token as JSON and gets 201; the board counts one fewer."""
    duty, incident = await open_self_harm(live)
    before = (await duty.get(f"/api/incidents/{incident}")).json()["notifications"]
    token = await token_for(live, incident, "tell_petition_bureau")
    api = httpx.AsyncClient(base_url=live.url)
    live.opened.append(api)
    reply = await api.post("/api/ack", json={"token": token, "by": "信访局系统", "eta_minutes": 0})
    assert reply.status_code == 201, reply.text
    after = (await duty.get(f"/api/incidents/{incident}")).json()["notifications"]
    status = {n["id"]: n["status"] for n in after}
    assert status["tell_petition_bureau"] == "acknowledged"
    assert sum(n["status"] != "acknowledged" for n in before) - 1 == sum(
        s != "acknowledged" for s in status.values()
    )


async def test_the_duty_officer_records_a_phone_ack_and_can_resend(live: Live) -> None:
    """ "Acknowledged by phone" names who answered and who recorded it; re-send makes new rows."""
    duty, incident = await open_self_harm(live)
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    base = f"/incidents/{incident}/notifications"
    resent = await duty.post(f"{base}/tell_health/resend", json={}, headers=headers)
    assert resent.status_code == 201, resent.text
    rows = await live.pool.fetchval(
        "SELECT count(*) FROM notification_outbox WHERE incident_id = $1 AND round = 1",
        uuid.UUID(incident),
    )
    assert rows >= 1
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    ack = await duty.post(
        f"{base}/tell_health/acknowledge", json={"by": "120 调度"}, headers=headers
    )
    assert ack.status_code == 201, ack.text
    events = (await duty.get(f"/api/incidents/{incident}/events")).json()
    phone_ack = next(e for e in events if e["kind"] == "notification_acknowledged")
    assert phone_ack["recorded_by"] == "duty1" and phone_ack["payload"]["by"] == "120 调度"
    assert phone_ack["payload"]["via"] == "phone"
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    refused = await duty.post(f"{base}/tell_health/resend", json={}, headers=headers)
    assert refused.status_code == 409


async def test_an_ack_links_token_never_reaches_the_log(
    live: Live, capfd: pytest.CaptureFixture[str]
) -> None:
    """The token is the key to the link: the request lines say /ack/… and no more."""
    _, incident = await open_self_harm(live)
    token = await token_for(live, incident, "tell_health")
    phone = httpx.AsyncClient(base_url=live.url)
    live.opened.append(phone)
    assert (await phone.get(f"/ack/{token}")).status_code == 200
    assert (await phone.post(f"/ack/{token}", data={"eta": "5分钟", "note": ""})).status_code < 500
    printed = capfd.readouterr()
    logged = printed.out + printed.err
    assert "/ack/…" in logged
    assert token not in logged and token[:20] not in logged
