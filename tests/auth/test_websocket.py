"""The live board's WebSocket handshake, on a real uvicorn: signed in, and from an allowed site."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import uvicorn
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from server.auth import LoginLimiter, SessionStore, User, UserStore
from tests.auth.support import PARTNER, console


@pytest.fixture
async def base(
    users: UserStore, sessions: SessionStore, limiter: LoginLimiter, free_port: int
) -> AsyncIterator[str]:
    config = uvicorn.Config(
        console(users, sessions, limiter),
        host="127.0.0.1",
        port=free_port,
        lifespan="off",
        log_config=None,
        access_log=False,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "uvicorn did not start"
        await asyncio.sleep(0.01)
    yield f"127.0.0.1:{free_port}"
    server.should_exit = True
    await task


async def test_a_signed_in_board_from_the_console_connects(
    base: str, sessions: SessionStore, duty: User
) -> None:
    """The board page opens its live socket and is told who it is."""
    token, _ = await sessions.create(duty)
    for origin in (f"http://{base}", PARTNER):
        headers = {"Origin": origin, "Cookie": f"wf_session={token}"}
        async with connect(f"ws://{base}/live", additional_headers=headers) as ws:
            assert await ws.recv() == "duty1"


@pytest.mark.parametrize("origin", ["https://evil.example", None])
async def test_a_socket_from_another_site_is_refused(
    base: str, sessions: SessionStore, duty: User, origin: str | None
) -> None:
    """Another site's page (or no Origin at all) cannot open the live socket, even with a cookie."""
    token, _ = await sessions.create(duty)
    headers = {"Cookie": f"wf_session={token}"} | ({"Origin": origin} if origin else {})
    with pytest.raises(InvalidStatus) as refused:
        async with connect(f"ws://{base}/live", additional_headers=headers, origin=None):
            pass
    assert refused.value.response.status_code == 403


async def test_a_socket_without_a_live_session_is_refused(
    base: str, sessions: SessionStore, duty: User
) -> None:
    """After logout, the old cookie cannot open a live socket."""
    token, _ = await sessions.create(duty)
    await sessions.revoke(token)
    headers = {"Origin": f"http://{base}", "Cookie": f"wf_session={token}"}
    with pytest.raises(InvalidStatus) as refused:
        async with connect(f"ws://{base}/live", additional_headers=headers):
            pass
    assert refused.value.response.status_code == 403
