"""The deployment's topology as processes: a private redis-server, two `watchfloor serve`
nodes on one PostgreSQL database (the shared server's, a fresh database per test), and nginx
in front with server/deploy/nginx.conf.template: everything a test does goes through its port."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.front import Front
from tests.deploy.proxy import Proxy
from tests.faults.cluster import Redis, free_port
from tests.faults.conftest import Served, restart, serve


@dataclass
class Topology:
    database_url: str
    nodes: tuple[Served, Served]
    data: tuple[Path, Path]
    extra: tuple[dict[str, str], dict[str, str]]
    proxy: Proxy
    front: Front

    def node_of(self, request_id: str) -> int | None:
        """Which node (0 or 1) logged a request or socket marked `request_id`."""
        for n, node in enumerate(self.nodes):
            if any(line.get("request_id") == request_id for line in node.lines()):
                return n
        return None

    def messages(self, n: int) -> list[dict[str, Any]]:
        """What node `n`'s log channel sent, in its mailbox (links are never logged)."""
        sent = sorted((self.data[n] / "messages").glob("*.json"), key=lambda p: p.stat().st_mtime)
        return [json.loads(p.read_text(encoding="utf-8")) for p in sent]

    def lines(self, n: int, event: str) -> list[dict[str, Any]]:
        return [line for line in self.nodes[n].lines() if line.get("event") == event]

    async def restart(self, n: int) -> None:
        """Stop node `n` as an operator would (SIGTERM), and start it again on its port."""
        process = self.nodes[n].process
        assert process is not None
        process.terminate()
        await process.wait()
        await restart(self.nodes[n], self.database_url, self.data[n], **self.extra[n])


def node_env(redis: Redis, proxy_port: int, *, worker: bool) -> dict[str, str]:
    return {
        "REDIS_URL": redis.url,
        "WATCHFLOOR_CONSOLE_PORT": str(free_port()),  # the proxy sends /ws here (lean.py)
        "WATCHFLOOR_TRUSTED_PROXIES": "127.0.0.1",  # the proxy's address as the nodes see it
        "WATCHFLOOR_PUBLIC_URL": f"http://127.0.0.1:{proxy_port}",
        "WATCHFLOOR_NOTIFY_MODE": "log",
        # Node 1 signs and "sends" the acknowledgement links; node 2 only checks them.
        "WATCHFLOOR_NOTIFY_WORKERS": "on" if worker else "off",
        "WATCHFLOOR_NOTIFY_POLL": "0.2",
        "WATCHFLOOR_HEAL_EVERY": "off",  # what one node writes reaches the other through Redis
    }


@pytest.fixture
async def topology(database_url: str, tmp_path: Path) -> AsyncIterator[Topology]:
    redis = Redis(tmp_path, free_port())
    redis.start()
    proxy_port = free_port()
    extra = (node_env(redis, proxy_port, worker=True), node_env(redis, proxy_port, worker=False))
    data = (tmp_path / "node1", tmp_path / "node2")
    try:
        async with contextlib.AsyncExitStack() as stack:
            nodes = (
                await stack.enter_async_context(serve(database_url, data[0], **extra[0])),
                await stack.enter_async_context(serve(database_url, data[1], **extra[1])),
            )
            ports = tuple(node.url.removeprefix("http://") for node in nodes)
            consoles = tuple(f"127.0.0.1:{env['WATCHFLOOR_CONSOLE_PORT']}" for env in extra)
            proxy = Proxy(proxy_port, (ports[0], ports[1]), (consoles[0], consoles[1]))
            proxy.start()
            stack.callback(proxy.stop)
            front = Front(proxy.url)
            stack.push_async_callback(front.close_all)
            yield Topology(database_url, nodes, data, extra, proxy, front)
    finally:
        redis.stop()
