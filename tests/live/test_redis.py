"""Fan-out between nodes through a real Redis, and a subscriber that survives Redis restarts."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
import redis

from server.auth.cli import ensure_demo_users
from server.live.broker import Message, Notice, RedisBroker, Resync
from tests.live.conftest import Live, next_message, post, seq_of

WATCHFLOOR = str(Path(sys.executable).parent / "watchfloor")


def port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_redis(at: int) -> subprocess.Popen[bytes]:
    binary = shutil.which("redis-server")
    assert binary, "redis-server is needed for this test (Debian's redis-server package)"
    proc = subprocess.Popen(
        [binary, "--port", str(at), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=at)
    for _ in range(100):
        try:
            client.ping()
            return proc
        except redis.ConnectionError:
            time.sleep(0.05)
    raise AssertionError("redis-server did not start")


@pytest.fixture
def private_redis() -> Iterator[tuple[int, list[subprocess.Popen[bytes]]]]:
    """A Redis of this test's own, which the test may kill and start again."""
    at = port()
    procs = [start_redis(at)]
    yield at, procs
    for proc in procs:
        proc.terminate()
        proc.wait(10)


async def collect(broker: RedisBroker, into: list[Message]) -> None:
    async for message in broker.listen():
        into.append(message)


async def until(predicate: Callable[[], bool], seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out waiting")


async def publish_until_received(broker: RedisBroker, notice: Notice, got: list[Message]) -> None:
    """Publish (again) until the listener has it: a subscription takes a moment to start."""
    for _ in range(200):
        await broker.publish(notice)
        await asyncio.sleep(0.05)
        if notice in got:
            return
    raise AssertionError("the notice never arrived")


async def test_subscriber_reconnects_after_redis_restarts(
    private_redis: tuple[int, list[subprocess.Popen[bytes]]],
) -> None:
    """Redis restarts: the subscriber comes back by itself, asks for a resync, gets notices."""
    at, procs = private_redis
    broker = RedisBroker(f"redis://127.0.0.1:{at}/0")
    got: list[Message] = []
    listener = asyncio.create_task(collect(broker, got))
    first = Notice(uuid.uuid4(), 1, 2)
    await publish_until_received(broker, first, got)
    procs[0].terminate()
    procs[0].wait(10)
    procs.append(start_redis(at))
    await until(lambda: any(isinstance(m, Resync) for m in got), 30)
    second = Notice(uuid.uuid4(), 3, 3)
    await publish_until_received(broker, second, got)
    listener.cancel()
    await asyncio.gather(listener, return_exceptions=True)
    await broker.close()
    assert got.index(first) < got.index(Resync()) < got.index(second)


@pytest.fixture
async def two_nodes(
    database_url: str, private_redis: tuple[int, list[subprocess.Popen[bytes]]]
) -> AsyncIterator[list[Live]]:
    """Two `watchfloor serve` processes on one database and this test's own Redis.

    The periodic heal is off: it reads PostgreSQL every 5 s and would deliver within the
    test's wait with Redis dead, so only Redis can carry the tick from A to B here.
    """
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": f"redis://127.0.0.1:{private_redis[0]}/0",
        "WATCHFLOOR_HEAL_EVERY": "off",
        "WATCHFLOOR_LOG_LEVEL": "warning",
    }
    ports = [port(), port()]
    procs = [
        subprocess.Popen(  # noqa: ASYNC220 (Popen returns at once; the test waits with until_ready)
            [WATCHFLOOR, "serve", "--port", str(p)], env=env, start_new_session=True
        )
        for p in ports
    ]
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    nodes = [Live(f"http://127.0.0.1:{p}", pool) for p in ports]
    try:
        async with httpx.AsyncClient() as probe:
            for node in nodes:
                await until_ready(probe, node.url)
        await ensure_demo_users(pool)
        yield nodes
    finally:
        for node in nodes:
            await node.close_all()
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(20)
        await pool.close()


async def until_ready(probe: httpx.AsyncClient, url: str) -> None:
    for _ in range(300):
        try:
            if (await probe.get(f"{url}/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"{url} did not become ready")


async def test_tick_on_node_a_reaches_console_on_node_b(two_nodes: list[Live]) -> None:
    """Staff tick on node A; a duty officer's board on node B shows it, through Redis."""
    a, b = two_nodes
    staff, duty = await a.client("staff1"), await b.client("duty1")
    opened = await duty.post(
        "/incidents",
        json={"type": "medical", "location": "大厅", "headcount": 1, "summary": "晕倒"},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    incident = str(opened.json()["incident_id"])
    board = await b.socket(duty, "board")
    assert incident in await next_message(board)
    reply = await post(staff, f"/incidents/{incident}/items/report_to_head/tick", uuid.uuid4().hex)
    assert reply.status_code == 204
    message = await next_message(board, 10)
    meta = seq_of(message)
    assert meta is not None and meta[0] == incident
    assert f'id="incident-{incident}"' in message
