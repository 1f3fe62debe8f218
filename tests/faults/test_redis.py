"""Redis stopped or frozen: the people writing are not slowed, the consoles still converge
through the heal, and notices flow again when Redis is back."""

from __future__ import annotations

import asyncio
import contextlib
import re
import statistics
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import redis.asyncio as aioredis
from websockets.asyncio.client import ClientConnection

from server.live.broker import CHANNEL, Notice
from tests.faults.cluster import Redis
from tests.faults.conftest import Served, figures, ms, serve

POSTS = 20
INCIDENT = re.compile(r'data-incident="([0-9a-f-]{36})"')


async def open_one(client: httpx.AsyncClient) -> tuple[float, str]:
    body = {"type": "medical", "location": "一楼大厅", "headcount": 1, "summary": "来访人晕倒"}
    started = time.perf_counter()
    reply = await client.post(
        "/incidents", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}
    )
    assert reply.status_code == 201, reply.text
    return time.perf_counter() - started, str(reply.json()["incident_id"])


async def stream(client: httpx.AsyncClient) -> tuple[list[float], list[str]]:
    times, ids = [], []
    for _ in range(POSTS):
        seconds, incident = await open_one(client)
        times.append(seconds)
        ids.append(incident)
    return times, ids


@contextlib.asynccontextmanager
async def seen_by(ws: ClientConnection) -> AsyncIterator[set[str]]:
    """The incidents the console has been sent anything about, gathered as it goes."""
    seen: set[str] = set()

    async def gather() -> None:
        async for message in ws:
            seen.update(INCIDENT.findall(str(message)))

    task = asyncio.create_task(gather())
    try:
        yield seen
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


async def converged(seen: set[str], ids: list[str], within: float) -> float:
    started = time.perf_counter()
    while not set(ids) <= seen:
        assert time.perf_counter() - started < within, f"missing {set(ids) - seen}"
        await asyncio.sleep(0.05)
    return time.perf_counter() - started


async def notices_flow(served: Served, client: httpx.AsyncClient, url: str) -> float:
    """Seconds until a write's notice is seen on Redis again (writes keep coming meanwhile)."""
    listener = aioredis.Redis.from_url(url)
    pubsub = listener.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(CHANNEL)
    started = time.perf_counter()
    try:
        while True:
            _, incident = await open_one(client)
            deadline = time.perf_counter() + 1.0
            while time.perf_counter() < deadline:
                message = await pubsub.get_message(timeout=0.2)
                if message and Notice.decode(message["data"]).incident_id == uuid.UUID(incident):
                    return time.perf_counter() - started
            assert time.perf_counter() - started < 20, "no notice reached Redis after it returned"
    finally:
        await pubsub.aclose()  # type: ignore[no-untyped-call]
        await listener.aclose()


@contextlib.contextmanager
def fault(redis: Redis, how: str) -> Iterator[None]:
    if how == "frozen":
        with redis.frozen():
            yield
        return
    redis.stop()
    try:
        yield
    finally:
        redis.start()  # the same port: the console's subscriber finds it again


@pytest.mark.parametrize("how", ["stopped", "frozen"])
async def test_redis_fault_slows_no_writer_and_the_console_converges(
    how: str, fault_db: str, redis_server: Redis, tmp_path: Path
) -> None:
    """Redis stopped or frozen: POSTs answer as fast as with it up, a watching console still
    shows every new incident (the heal), and after it returns notices flow again."""
    async with serve(fault_db, tmp_path / "data", REDIS_URL=redis_server.url) as served:
        duty = await served.client("duty1")
        ws = await served.socket(duty, "board")
        async with seen_by(ws) as seen:
            up, up_ids = await stream(duty)
            await converged(seen, up_ids, within=15)
            with fault(redis_server, how):
                down, ids = await stream(duty)
                ready = await duty.get("/readyz")
                converge = await converged(seen, ids, within=20)
            flow = await notices_flow(served, duty, redis_server.url)
        figures(
            fault=f"redis_{how}",
            posts=POSTS,
            up_p50_ms=ms(statistics.median(up)),
            up_max_ms=ms(max(up)),
            down_p50_ms=ms(statistics.median(down)),
            down_max_ms=ms(max(down)),
            converge_after_last_post_ms=ms(converge),
            notices_again_after_ms=ms(flow),
        )
        assert max(down) < 1.0, down  # a wait on the broker is the failure
        assert ready.status_code == 503 and "broker" in ready.text, ready.text
        assert (await duty.get("/readyz")).text == "ready"
        assert "Traceback" not in served.log.read_text()
