"""A console that stops reading, over a real socket on either path: it is closed 1013 (to
reconnect and resync) once its backlog is full, and the console beside it is never held up."""

from __future__ import annotations

import asyncio
import socket
import uuid
from urllib.parse import urlsplit

import pytest
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from server.live.close_codes import Close
from server.services import Services
from tests.live.conftest import CONSOLE_PATHS, Live, post, seq_of

pytestmark = pytest.mark.parametrize("live", CONSOLE_PATHS, indirect=True)

NOTE = "现场记录：来访人情绪激动 😠，保安已到场 guard on site。" * 40  # 2,000 characters


async def stalled(live: Live, cookie: str, view: str) -> ClientConnection:
    """A console on a phone whose network stopped: a tiny receive window, never read."""
    where = urlsplit(live.ws_url)
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.setblocking(False)
    await asyncio.get_running_loop().sock_connect(raw, (where.hostname, where.port))
    ws = await websockets.connect(
        f"{live.ws_url}/ws?view={view}",
        sock=raw,
        origin=live.url,
        additional_headers={"Cookie": cookie},
        max_queue=1,  # the client's own buffer holds one message, then stops reading
    )
    live.opened.append(ws)
    return ws


async def test_a_console_that_stops_reading_is_closed_to_resync_and_holds_no_one_up(
    live: Live,
) -> None:
    duty = await live.client("duty1")
    reply = await duty.post(
        "/incidents",
        json={"type": "violence", "location": "大厅", "headcount": 1, "summary": "争吵"},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    incident = str(reply.json()["incident_id"])
    view = f"incident:{incident}"
    cookie = "; ".join(f"{k}={v}" for k, v in duty.cookies.items())
    reader, slow = await live.socket(duty, view), await stalled(live, cookie, view)
    await reader.recv()  # the snapshot
    hub = live.app.state.services.hub
    assert isinstance(live.app.state.services, Services) and len(hub.consoles) == 2
    seqs: list[int] = []
    for n in range(2000):  # the kernel holds up to 4 MiB for it first (tcp_wmem)
        await post(duty, f"/incidents/{incident}/notes", uuid.uuid4().hex, text=f"{n} {NOTE}")
        meta = seq_of(str(await asyncio.wait_for(reader.recv(), 15)))
        assert meta is not None
        seqs.append(meta[2])
        if len(hub.consoles) == 1:
            break
    assert len(hub.consoles) == 1, "the stalled console was never dropped"
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # the reader: every one, in order
    assert await close_code(slow) == Close.RESYNC


async def close_code(ws: ClientConnection) -> int | None:
    """Read what was left in the socket, then the code it was closed with."""
    try:
        while True:
            await asyncio.wait_for(ws.recv(), 15)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
