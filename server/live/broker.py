"""Telling every node that an incident has new events: in-process, or Redis pub/sub.

PostgreSQL stays the only source of truth: a notice carries only (incident, seq range),
and a node that missed notices heals from the database (see Hub.heal).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

log = structlog.get_logger(__name__)

CHANNEL = "watchfloor:notices"
PUBLISH_TIMEOUT = 1.0  # seconds a notice may take to reach Redis; a lost one is healed


@dataclass(frozen=True, slots=True)
class Notice:
    """Events first_seq..last_seq of an incident are committed."""

    incident_id: UUID
    first_seq: int
    last_seq: int

    def encode(self) -> str:
        return f"{self.incident_id}:{self.first_seq}:{self.last_seq}"

    @classmethod
    def decode(cls, text: str | bytes) -> Notice:
        raw = text.decode() if isinstance(text, bytes) else text
        incident, first, last = raw.split(":")
        return cls(UUID(incident), int(first), int(last))


@dataclass(frozen=True, slots=True)
class Resync:
    """The broker may have lost notices (a reconnect): consoles should resync."""


Message = Notice | Resync


class Broker(Protocol):
    async def publish(self, notice: Notice) -> None: ...

    def listen(self) -> AsyncIterator[Message]: ...

    async def close(self) -> None: ...


class InProcessBroker:
    """One node: notices go straight to this process's listeners."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[Message]] = set()

    async def publish(self, notice: Notice) -> None:
        for queue in self._queues:
            queue.put_nowait(notice)

    async def listen(self) -> AsyncIterator[Message]:
        queue: asyncio.Queue[Message] = asyncio.Queue()
        self._queues.add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._queues.discard(queue)

    async def close(self) -> None:
        return None


def backoff(attempt: int, base: float = 0.2, cap: float = 5.0) -> float:
    """Full jitter: a random wait up to an exponentially growing cap."""
    return random.uniform(0, min(cap, base * 2**attempt))


class RedisBroker:
    """Nodes share notices through Redis pub/sub; the subscriber reconnects by itself.

    `publish` returns at once: the notice is sent from a task of its own, so a frozen or
    stopped Redis never holds up the person whose write is already committed. A notice
    that does not arrive within PUBLISH_TIMEOUT is dropped; the nodes' heal reads cover it.

    redis-py's asyncio pub/sub does not resubscribe after the server restarts, so
    `listen` owns the loop: on any connection error it waits (backoff with jitter),
    subscribes again, and yields Resync, because notices sent meanwhile are lost.
    """

    def __init__(
        self, url: str, channel: str = CHANNEL, publish_timeout: float = PUBLISH_TIMEOUT
    ) -> None:
        self._url, self._channel, self._timeout = url, channel, publish_timeout
        self._client = aioredis.Redis.from_url(url)
        self._sending: set[asyncio.Task[None]] = set()  # held: a bare task may be collected
        self._failing = False

    async def publish(self, notice: Notice) -> None:
        task = asyncio.create_task(self._send(notice))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, notice: Notice) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                await self._client.publish(self._channel, notice.encode())
        except (RedisError, OSError, TimeoutError) as exc:  # committed; nodes heal from PG
            if not self._failing:  # once per outage, not once per write
                log.warning("publish_failed", error=type(exc).__name__)
            self._failing = True
        else:
            if self._failing:
                log.info("publish_recovered")
            self._failing = False

    async def listen(self) -> AsyncIterator[Message]:
        attempt = 0
        while True:
            try:
                async for message in self._subscription(first=attempt == 0):
                    attempt = 0
                    yield message
            except (RedisError, OSError) as exc:
                attempt += 1
                log.warning("redis_subscriber_lost", error=type(exc).__name__, attempt=attempt)
                await asyncio.sleep(backoff(attempt))

    async def _subscription(self, *, first: bool) -> AsyncIterator[Message]:
        client = aioredis.Redis.from_url(self._url, health_check_interval=5)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(self._channel)
            if not first:
                yield Resync()
            log.info("redis_subscribed", channel=self._channel)
            while True:
                message = await pubsub.get_message(timeout=5.0)
                if message is None:
                    await pubsub.ping()  # notices a dead connection while idle
                elif message["type"] == "message":
                    yield Notice.decode(message["data"])
        finally:
            await pubsub.aclose()  # type: ignore[no-untyped-call]
            await client.aclose()

    async def ping(self) -> None:
        """Raises unless Redis answers (for /readyz)."""
        await self._client.ping()

    async def close(self) -> None:
        if self._sending:  # what is on its way gets its chance, no more
            await asyncio.wait(set(self._sending), timeout=self._timeout)
        for task in set(self._sending):
            task.cancel()
        await asyncio.gather(*self._sending, return_exceptions=True)
        await self._client.aclose()
