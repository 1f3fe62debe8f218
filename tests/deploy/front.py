"""Clients of the one proxy port: signed-in browsers from an address of their choosing (any
127.0.0.0/8 address is this machine), and consoles that reconnect and resync as console.js
does, checking every pushed seq against the one before it."""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass, field

import httpx
import websockets
from websockets.asyncio.client import ClientConnection

from tests.live.conftest import seq_of, sign_in

BROWSER = "127.0.0.2"  # the people's address; the proxy reaches the nodes from 127.0.0.1
SNAPSHOT = re.compile(r'data-snapshot="([^"]*)"')


@dataclass
class Front:
    """The proxy's URL and what was opened through it."""

    url: str
    opened: list[httpx.AsyncClient | ClientConnection] = field(default_factory=list)

    def browser(self, source: str = BROWSER) -> httpx.AsyncClient:
        transport = httpx.AsyncHTTPTransport(local_address=source)
        client = httpx.AsyncClient(base_url=self.url, transport=transport)
        client.headers["Origin"] = self.url
        self.opened.append(client)
        return client

    async def signed_in(self, login: str, source: str = BROWSER) -> httpx.AsyncClient:
        return await sign_in(self.browser(source), login)

    async def socket(
        self, client: httpx.AsyncClient, view: str, request_id: str
    ) -> ClientConnection:
        """A console's socket, its handshake marked `request_id` (the node logs it)."""
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        ws = await websockets.connect(
            f"{self.url.replace('http://', 'ws://', 1)}/ws?view={view}",
            origin=self.url,
            additional_headers={"Cookie": cookie, "X-Request-Id": request_id},
            local_addr=(BROWSER, 0),
        )
        self.opened.append(ws)
        return ws

    async def close_all(self) -> None:
        for thing in reversed(self.opened):
            with contextlib.suppress(Exception):
                await (thing.aclose() if isinstance(thing, httpx.AsyncClient) else thing.close())


@dataclass
class Follower:
    """One console on an incident's page: reconnects when its socket closes, and holds the
    last seq it has. A delta must start where it stands (else a gap) and move it forward
    (else a duplicate); a snapshot never takes it back."""

    front: Front
    client: httpx.AsyncClient
    incident: str
    name: str
    known: int = -1
    handshakes: list[str] = field(default_factory=list)  # the request id of each connection
    texts: list[str] = field(default_factory=list)
    gaps: list[tuple[int, int]] = field(default_factory=list)
    duplicates: list[tuple[int, int]] = field(default_factory=list)
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        while True:
            request_id = f"{self.name}-{len(self.handshakes)}"
            try:
                ws = await self.front.socket(self.client, f"incident:{self.incident}", request_id)
            except (OSError, websockets.InvalidHandshake):
                await asyncio.sleep(0.05)  # the proxy answered 502 while no node was up
                continue
            self.handshakes.append(request_id)
            with contextlib.suppress(websockets.ConnectionClosed):
                async for text in ws:
                    self.take(str(text))
            await asyncio.sleep(0.05)  # console.js waits a moment too before it reconnects

    def take(self, text: str) -> None:
        self.texts.append(text)
        if (snap := SNAPSHOT.search(text)) is not None:
            seq = int(snap[1].rsplit(":", 1)[1])
            if seq < self.known:
                self.gaps.append((self.known, seq))  # a snapshot older than what it had
            self.known = seq
            self.ready.set()
            return
        meta = seq_of(text)
        if meta is None:
            return
        _, prev, seq = meta
        if seq <= self.known:
            self.duplicates.append((prev, seq))
        elif prev != self.known:
            self.gaps.append((prev, seq))
        self.known = max(self.known, seq)
