"""The live console over HTTP and WebSockets, against a real server and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import structlog
import structlog.testing
import websockets

from server.live.close_codes import Close
from tests.live.conftest import CONSOLE_PATHS, Live, next_message, post, seq_of

pytestmark = pytest.mark.parametrize("live", CONSOLE_PATHS, indirect=True)


def key() -> str:
    return uuid.uuid4().hex


async def open_incident(live: Live, kind: str = "medical") -> str:
    client = await live.client("duty1")
    reply = await client.post(
        "/incidents",
        json={"type": kind, "location": "一楼大厅", "headcount": 1, "summary": "来访人晕倒"},
        headers={"Idempotency-Key": key()},
    )
    assert reply.status_code == 201, reply.text
    return str(reply.json()["incident_id"])


async def test_board_page_lists_incident_in_chinese(live: Live) -> None:
    """A duty officer signs in and sees the board in Chinese, with the open incident."""
    await open_incident(live)
    client = await live.client("duty1")
    page = (await client.get("/", headers={"Accept": "text/html"})).text
    assert "进行中的事件" in page
    assert "突发疾病" in page and "一楼大厅" in page
    english = await live.client("officer_en")
    assert "Open incidents" in (await english.get("/")).text


async def test_two_consoles_get_the_same_fragment_with_its_seq(live: Live) -> None:
    """One tick on the phone: both watching consoles receive the update with its seq."""
    incident = await open_incident(live)
    duty, staff = await live.client("duty1"), await live.client("staff1")
    board = await live.socket(duty, "board")
    page = await live.socket(staff, f"incident:{incident}")
    board_snapshot, page_snapshot = await next_message(board), await next_message(page)
    assert "data-snapshot" in board_snapshot and incident in board_snapshot
    assert "data-snapshot" in page_snapshot
    reply = await post(staff, f"/incidents/{incident}/items/report_to_head/tick", key(), note="好")
    assert reply.status_code == 204
    for ws in (board, page):
        message = await next_message(ws)
        meta = seq_of(message)
        assert meta is not None and meta[0] == incident and meta[2] > meta[1]
    assert "item-report_to_head" in message and "item-done" in message
    await board.close()
    await page.close()


async def test_reconnect_resumes_without_gap_or_duplicate(live: Live) -> None:
    """A console that drops and comes back sees every event exactly once, newest seq."""
    incident = await open_incident(live)
    staff = await live.client("staff1")
    ws = await live.socket(staff, f"incident:{incident}")
    await next_message(ws)
    await ws.close()
    for n in range(3):
        await post(staff, f"/incidents/{incident}/notes", key(), text=f"第 {n} 条")
    ws = await live.socket(staff, f"incident:{incident}")
    snapshot = await next_message(ws)
    state = (await staff.get(f"/api/incidents/{incident}")).json()
    assert f"{incident}:{state['last_seq']}" in snapshot
    seqs = [
        int(s) for s in __import__("re").findall(r'<li class="tl[^"]*" data-seq="(\d+)"', snapshot)
    ]
    assert sorted(seqs) == list(range(1, state["last_seq"] + 1))
    await post(staff, f"/incidents/{incident}/notes", key(), text="之后")
    meta = seq_of(await next_message(ws))
    assert meta == (incident, state["last_seq"], state["last_seq"] + 1)
    await ws.close()


async def test_cross_site_websocket_and_missing_csrf_are_refused(live: Live) -> None:
    """A page on another site cannot open a console socket, nor post without the CSRF token."""
    duty = await live.client("duty1")
    with pytest.raises(websockets.InvalidStatus) as info:
        await live.socket(duty, "board", origin="http://evil.example")
    assert info.value.response.status_code == 403
    incident = await open_incident(live)
    no_token = await duty.post(
        f"/incidents/{incident}/notes",
        data={"text": "x"},
        headers={"X-CSRF-Token": "", "Idempotency-Key": key()},
    )
    assert no_token.status_code == 403
    cross = await duty.post(
        f"/incidents/{incident}/notes",
        data={"text": "x"},
        headers={"Origin": "http://evil.example", "Idempotency-Key": key()},
    )
    assert cross.status_code == 403


async def test_socket_without_session_is_refused(live: Live) -> None:
    """Without signing in, no console: the socket is closed 4401 before anything is sent."""
    ws = await websockets.connect(f"{live.ws_url}/ws?view=board", origin=live.url)
    live.opened.append(ws)
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == Close.SESSION_ENDED


async def test_logout_closes_that_users_sockets(live: Live) -> None:
    """Signing out closes that user's open consoles within seconds; others stay."""
    staff, duty = await live.client("staff1"), await live.client("duty1")
    mine, theirs = await live.socket(staff, "board"), await live.socket(duty, "board")
    await next_message(mine)
    await next_message(theirs)
    reply = await staff.post("/logout", data={"csrf_token": staff.headers["X-CSRF-Token"]})
    assert reply.status_code == 303
    with pytest.raises(websockets.ConnectionClosed) as info:
        await asyncio.wait_for(mine.recv(), 8)
    assert info.value.rcvd is not None and info.value.rcvd.code == 4401
    assert theirs.state is websockets.protocol.State.OPEN
    await theirs.close()


async def test_retried_post_applies_once(live: Live) -> None:
    """The same tick posted twice with one key is applied once."""
    incident = await open_incident(live)
    staff = await live.client("staff1")
    k = key()
    first = await staff.post(
        f"/incidents/{incident}/items/report_to_head/tick", json={}, headers={"Idempotency-Key": k}
    )
    again = await staff.post(
        f"/incidents/{incident}/items/report_to_head/tick", json={}, headers={"Idempotency-Key": k}
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["replayed"] is True
    events = (await staff.get(f"/api/incidents/{incident}/events")).json()
    assert [e["kind"] for e in events].count("item_ticked") == 1


async def test_bad_input_gets_a_clear_refusal(live: Live) -> None:
    """A headcount that is not a number is refused naming the field; nothing is written."""
    duty = await live.client("duty1")
    reply = await duty.post(
        "/incidents",
        json={"type": "medical", "location": "大厅", "headcount": "many", "summary": "x"},
        headers={"Idempotency-Key": key()},
    )
    assert reply.status_code == 422
    assert reply.json()["field"] == "headcount"
    assert (await duty.get("/api/incidents")).json() == []
    unknown = await duty.post(
        "/incidents",
        json={"type": "riot", "location": "x", "headcount": 1, "summary": "x"},
        headers={"Idempotency-Key": key()},
    )
    assert unknown.status_code == 422 and unknown.json()["field"] == "type"


async def test_logs_carry_ids_but_never_the_visitors_details(live: Live) -> None:
    """What the visitor said and who they are stay out of the logs; ids and kinds are there."""
    duty = await live.client("duty1")
    with structlog.testing.capture_logs() as logs:
        reply = await duty.post(
            "/incidents",
            json={
                "type": "medical",
                "location": "一楼大厅",
                "headcount": 1,
                "summary": "来访人张三晕倒，电话13812345678",
                "demands": "要求见领导",
            },
            headers={"Idempotency-Key": key()},
        )
        assert reply.status_code == 201
    text = repr(logs)
    assert "13812345678" not in text and "张三" not in text and "要求见领导" not in text
    commands = [entry for entry in logs if entry["event"] == "command"]
    assert commands and commands[0]["incident_id"] == reply.json()["incident_id"]
