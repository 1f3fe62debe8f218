"""A real server on a free port, real sign-ins, real WebSockets."""

from __future__ import annotations

import asyncio
import os
import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
import websockets
from websockets.asyncio.client import ClientConnection

from incidents.clock import Clock
from server.app import create_app
from server.auth.cli import DEMO_PASSWORD, ensure_demo_users
from server.cli import server_config
from server.settings import Settings

CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


@dataclass
class Live:
    url: str
    pool: asyncpg.Pool
    app: Any = None  # the Starlette app served (in this process): its store, broker, hub
    opened: list[Any] = field(default_factory=list)
    console_url: str | None = None  # the lean console port's ws:// address, when it has one

    async def close_all(self) -> None:
        for thing in reversed(self.opened):
            await (thing.aclose() if isinstance(thing, httpx.AsyncClient) else thing.close())

    @property
    def ws_url(self) -> str:
        return self.console_url or self.url.replace("http://", "ws://", 1)

    async def client(self, login: str) -> httpx.AsyncClient:
        """A signed-in browser-like client; its CSRF token in `client.headers`."""
        client = httpx.AsyncClient(base_url=self.url, headers={"Origin": self.url})
        self.opened.append(client)
        return await sign_in(client, login)

    async def socket(self, client: httpx.AsyncClient, view: str, **kw: Any) -> ClientConnection:
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        headers = {"Cookie": cookie, **kw.pop("headers", {})}
        ws = await websockets.connect(
            f"{self.ws_url}/ws?view={view}",
            origin=kw.pop("origin", self.url),
            additional_headers=headers,
            **kw,
        )
        self.opened.append(ws)
        return ws


async def sign_in(client: httpx.AsyncClient, login: str) -> httpx.AsyncClient:
    """Sign `client` in through the login form; its CSRF token in `client.headers`."""
    reply = await client.post("/login", data={"username": login, "password": DEMO_PASSWORD})
    assert reply.status_code == 303, reply.text
    page = await client.get("/", headers={"Accept": "text/html"})
    match = CSRF.search(page.text)
    assert match, page.text[:300]
    client.headers["X-CSRF-Token"] = match[1]
    return client


async def post(client: httpx.AsyncClient, path: str, key: str, **data: Any) -> httpx.Response:
    return await client.post(path, data=data, headers={"Idempotency-Key": key, "HX-Request": "1"})


async def next_message(ws: ClientConnection, within: float = 15.0) -> str:
    return str(await asyncio.wait_for(ws.recv(), within))


def seq_of(message: str) -> tuple[str, int, int] | None:
    m = re.search(r'data-incident="([^"]+)" data-prev="(\d+)" data-seq="(\d+)"', message)
    return (m[1], int(m[2]), int(m[3])) if m else None


@asynccontextmanager
async def serve_live(
    database_url: str, port: int, data: Path, clock: Clock | None = None, **extra: str
) -> AsyncIterator[Live]:
    """The real app on uvicorn, its demo users made; `extra` settings on top of the defaults;
    time from `clock` (a ManualClock the test moves) when given."""
    env = {
        "DATABASE_URL": database_url,
        "WATCHFLOOR_DATA": str(data),  # its secret key, never the user's own
        "WATCHFLOOR_LOG_LEVEL": "warning",
        "WATCHFLOOR_ENV": os.environ.get("WATCHFLOOR_ENV", "development"),
        # Delivery events would interleave with what these tests count (tests/notify has its own).
        "WATCHFLOOR_NOTIFY_WORKERS": "off",
        **extra,
    }
    settings = Settings.from_env(env)
    app = create_app(settings, clock)
    server = uvicorn.Server(server_config(app, settings, "127.0.0.1", port))
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "the server did not start"
        await asyncio.sleep(0.05)
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    await ensure_demo_users(pool)
    live = Live(f"http://127.0.0.1:{port}", pool, app)
    try:
        yield live
    finally:
        await live.close_all()
        await pool.close()
        server.should_exit = True
        await task


@asynccontextmanager
async def serve_notifying(
    database_url: str, port: int, data: Path, playbooks: Path, clock: Clock | None = None
) -> AsyncIterator[Live]:
    """The app as an office runs it: its workers on, the playbooks and units of `playbooks`."""
    async with serve_live(
        database_url,
        port,
        data,
        clock,
        WATCHFLOOR_PLAYBOOKS=str(playbooks),
        WATCHFLOOR_NOTIFY_WORKERS="on",
        WATCHFLOOR_NOTIFY_POLL="0.2",
        WATCHFLOOR_PUBLIC_URL=f"http://127.0.0.1:{port}",
    ) as server:
        yield server


# Where consoles connect: uvicorn's /ws, or the lean console port (server/live/lean.py). A
# module runs its tests on both with `pytestmark = pytest.mark.parametrize("live",
# CONSOLE_PATHS, indirect=True)`.
CONSOLE_PATHS = ("uvicorn", "lean")


@pytest.fixture
async def live(
    request: pytest.FixtureRequest, database_url: str, free_port: int, tmp_path: Path
) -> AsyncIterator[Live]:
    if getattr(request, "param", "uvicorn") == "uvicorn":
        async with serve_live(database_url, free_port, tmp_path / "data") as server:
            yield server
        return
    console = other_port(free_port)
    # The page is this origin; its socket goes to another port (as behind the proxy, where
    # both are one origin): the origin is named as allowed, as an office names its own.
    lean = {
        "WATCHFLOOR_CONSOLE_PORT": str(console),
        "WATCHFLOOR_ORIGINS": f"http://127.0.0.1:{free_port}",
    }
    async with serve_live(database_url, free_port, tmp_path / "data", **lean) as server:
        server.console_url = f"ws://127.0.0.1:{console}"
        yield server


def other_port(taken: int) -> int:
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port: int = s.getsockname()[1]
        if port != taken:
            return port
