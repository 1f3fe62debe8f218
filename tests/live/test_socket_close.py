"""A console's socket ends with a code the page acts on; a peer that leaves first is no error."""

from __future__ import annotations

import logging
import uuid

import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from server.live.close_codes import Close
from tests.live.conftest import CONSOLE_PATHS, Live

pytestmark = pytest.mark.parametrize("live", CONSOLE_PATHS, indirect=True)


async def closed_with(ws: websockets.asyncio.client.ClientConnection) -> int | None:
    try:
        while True:
            await ws.recv()
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


async def test_a_console_whose_session_ended_is_told_so(live: Live) -> None:
    """Signed out while away: the reconnect is accepted, then closed 4401 (to the login page),
    not refused at the handshake (the browser sees only 1006 and retries forever)."""
    client = await live.client("duty1")
    stale = dict(client.cookies.items())
    await client.post("/logout")
    client.cookies.update(stale)  # the page still holds the old cookie
    ws = await live.socket(client, "board")
    assert await closed_with(ws) == Close.SESSION_ENDED


async def test_a_console_with_no_cookie_is_told_to_sign_in(live: Live) -> None:
    ws = await websockets.connect(f"{live.ws_url}/ws?view=board", origin=live.url)
    live.opened.append(ws)
    assert await closed_with(ws) == Close.SESSION_ENDED


async def test_a_view_that_does_not_exist_is_not_retried(live: Live) -> None:
    client = await live.client("duty1")
    for view in (f"incident:{uuid.uuid4()}", "bogus"):
        ws = await live.socket(client, view)
        assert await closed_with(ws) == Close.NO_SUCH_VIEW, view


async def test_a_peer_that_leaves_first_logs_no_traceback(
    live: Live, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    """Consoles that hang up at once, while we answer them, leave no error in the log."""
    client = await live.client("duty1")
    caplog.set_level(logging.INFO)
    for view in (f"incident:{uuid.uuid4()}", "board", "bogus", "quiet"):
        for _ in range(5):
            ws = await live.socket(client, view)
            await ws.close()
            live.opened.remove(ws)  # closed already
    probe = await live.client("duty1")  # a round trip: the server has handled the rest
    assert (await probe.get("/healthz")).status_code == 200
    printed = capfd.readouterr()
    assert "Traceback" not in printed.out + printed.err
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records]
