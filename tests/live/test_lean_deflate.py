"""The lean console port with permessage-deflate on: a console that asks for it gets its
frames compressed with its own context, one that does not gets the one frame shared by all;
both read the same text, Chinese and emoji intact."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import websockets

from tests.live.conftest import Live, next_message, other_port, post, seq_of, serve_live


@pytest.fixture
async def deflating(database_url: str, free_port: int, tmp_path: Path) -> AsyncIterator[Live]:
    console = other_port(free_port)
    extra = {
        "WATCHFLOOR_CONSOLE_PORT": str(console),
        "WATCHFLOOR_ORIGINS": f"http://127.0.0.1:{free_port}",
        "WATCHFLOOR_WS_DEFLATE": "1",
    }
    async with serve_live(database_url, free_port, tmp_path / "data", **extra) as server:
        server.console_url = f"ws://127.0.0.1:{console}"
        yield server


async def test_compressed_and_plain_consoles_read_the_same_note(deflating: Live) -> None:
    live = deflating
    duty = await live.client("duty1")
    reply = await duty.post(
        "/incidents",
        json={"type": "medical", "location": "大厅", "headcount": 1, "summary": "晕倒"},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    incident = str(reply.json()["incident_id"])
    squeezed = await live.socket(duty, f"incident:{incident}", compression="deflate")
    plain = await live.socket(duty, f"incident:{incident}", compression=None)
    assert squeezed.protocol.extensions and not plain.protocol.extensions
    for ws in (squeezed, plain):
        await next_message(ws)  # the snapshot
    text = "来访人已苏醒 😀 awake, 家属 on the way"
    await post(duty, f"/incidents/{incident}/notes", uuid.uuid4().hex, text=text)
    got = [await next_message(ws) for ws in (squeezed, plain)]
    assert got[0] == got[1] and text in got[0] and seq_of(got[0]) is not None
    assert isinstance(squeezed, websockets.asyncio.client.ClientConnection)
