"""The console's WebSocket, fuzzed: any handshake and any frame a client sends (text,
binary, ping, close with any code, oversized) leaves no traceback, writes nothing, and
ends, when the server ends it, with a code from server/live/close_codes.py.

Budget: SOCKET_CASES sockets (with test_routes.py and test_sweep.py, over 16,000 cases).
"""

from __future__ import annotations

import asyncio
import os

import pytest
import websockets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed, InvalidStatus

from server.live.close_codes import Close
from tests.fuzz.conftest import LOGINS, Target, trouble
from tests.fuzz.inputs import HOSTILE_TEXT, PATH_GARBAGE, TYPED

SOCKET_CASES = int(os.environ.get("WATCHFLOOR_FUZZ_SOCKETS", "1000"))
# 1000/1001: closed normally (by us); 1009: a frame past ws_max_size; the table's codes.
EXPECTED = {1000, 1001, 1005, 1009, *map(int, Close)}

frames = st.one_of(
    st.tuples(st.just("text"), st.text(max_size=64) | st.sampled_from(TYPED + HOSTILE_TEXT)),
    st.tuples(st.just("text"), st.just("大" * 3000)),  # 9 KB: past the 4 KiB frame limit
    st.tuples(st.just("bytes"), st.binary(max_size=64)),
    st.tuples(st.just("ping"), st.uuids().map(lambda u: u.bytes)),  # each ping its own data
    st.tuples(st.just("close"), st.sampled_from([1000, 1001, 1002, 1003, 1007, 1011, 3000, 4999])),
)


@st.composite
def sockets(draw: st.DrawFn, target: Target) -> tuple[str, str, str, list[tuple[str, object]]]:
    incident = target.real["incident_id"][0]
    views = ["board", "phones", "quiet", f"incident:{incident}", f"phone:{incident}"]
    view = draw(st.sampled_from(views) | st.sampled_from([*PATH_GARBAGE, "incident:", "board:x"]))
    who = draw(st.sampled_from([*LOGINS, "", "forged"]))
    origin = draw(st.sampled_from([target.live.url] * 4 + ["null", "https://evil.example"]))
    return view, who, origin, draw(st.lists(frames, max_size=4))


def cookie(target: Target, who: str) -> str:
    if who == "forged":
        return "wf_session=forged-session-token"
    return "; ".join(f"{k}={v}" for k, v in target.clients[who].cookies.items()) if who else ""


async def play(
    target: Target, view: str, who: str, origin: str, sent: list[tuple[str, object]]
) -> int | None:
    """The code the server closed with (None: still open when we left)."""
    try:
        ws = await websockets.connect(
            f"{target.live.ws_url}/ws?view={view}",
            origin=origin,  # type: ignore[arg-type]
            additional_headers={"Cookie": cookie(target, who)} if who else {},
            open_timeout=10,
        )
    except InvalidStatus as refused:  # refused before accept: only a cross-site handshake
        return int(Close.POLICY) if refused.response.status_code == 403 else -1
    try:
        for kind, value in sent:
            if kind == "text" or kind == "bytes":
                await ws.send(value)  # type: ignore[arg-type]
            elif kind == "ping":
                await ws.ping(value)  # type: ignore[arg-type]
            else:  # the server's answer echoes our code: nothing to check
                await ws.close(value)  # type: ignore[arg-type]
                return None
        await asyncio.wait_for(ws.recv(), 0.05)
    except (ConnectionClosed, TimeoutError):
        pass
    await ws.close()
    rcvd = ws.protocol.close_rcvd
    return rcvd.code if rcvd else None


@settings(
    max_examples=SOCKET_CASES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)
@given(data=st.data())
async def test_any_socket_and_any_frame_end_cleanly(
    target: Target, capfd: pytest.CaptureFixture[str], data: st.DataObject
) -> None:
    view, who, origin, sent = data.draw(sockets(target), label="socket")
    before = await target.rows()
    code = await play(target, view, who, origin, sent)
    assert code is None or code in EXPECTED, code
    assert (await target.clients[""].get("/healthz")).status_code == 200
    printed = capfd.readouterr()
    assert not trouble(printed.out + printed.err), trouble(printed.out + printed.err)
    assert await target.rows() == before, "a socket wrote"
