"""The dispatcher: claims due outbox rows, sends each outside any transaction, and records
the attempt as an event (which updates the row in the same transaction).

Rows are claimed under row locks with SKIP LOCKED and a lease, so any number of processes can
run a dispatcher. A process that dies mid-send leaves its rows leased; when the lease
runs out another dispatcher sends them again, with the same idempotency key. So delivery
is at least once, and the events record each attempt once: the command's key is
(row, attempt), and a re-run of a recorded attempt writes nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

import asyncpg
import structlog

from incidents.clock import Clock
from incidents.errors import DomainError, IdempotencyConflict
from incidents.kinds import Role
from incidents.notifications import RecordDelivery
from incidents.state import Actor
from incidents.store import EventStore
from server.live.broker import Notice
from server.notify import store as notify_store
from server.notify.channels import Channels, SendFailed
from server.notify.delivery import Delivery
from server.notify.message import Composer
from server.notify.retry import RetryPolicy

log = structlog.get_logger(__name__)

DISPATCHER = Actor("system:dispatcher", Role.SYSTEM)
Publish = Callable[[Notice], Awaitable[None]]


class Dispatcher:
    def __init__(
        self,
        pool: asyncpg.Pool,
        store: EventStore,
        channels: Channels,
        composer: Composer,
        clock: Clock,
        publish: Publish,
        *,
        policy: RetryPolicy | None = None,
        batch: int = 20,
        lease: timedelta = timedelta(seconds=60),
    ) -> None:
        self._pool, self._store, self._channels = pool, store, channels
        self._composer, self._clock, self._publish = composer, clock, publish
        self._policy = policy or RetryPolicy()
        self._batch, self._lease = batch, lease

    async def claim(self) -> list[Delivery]:
        rows = await notify_store.claim_deliveries(
            self._pool, self._clock.now(), self._batch, self._lease
        )
        return [Delivery.from_row(r) for r in rows]

    async def run_once(self) -> int:
        """Send what is due now (one batch, concurrently); the number of rows taken."""
        batch = await self.claim()
        await asyncio.gather(*(self._attempt(d) for d in batch))
        return len(batch)

    async def run(self, poll_seconds: float) -> None:
        while True:
            try:
                taken = await self.run_once()
            except Exception:  # the database may be away for a moment: try again later
                log.exception("dispatch_failed")
                taken = 0
            if taken < self._batch:
                await asyncio.sleep(poll_seconds)

    async def _attempt(self, d: Delivery) -> None:
        with structlog.contextvars.bound_contextvars(incident_id=str(d.incident_id)):
            command = await self._send(d)
            await self._record(d, command)

    async def _send(self, d: Delivery) -> RecordDelivery:
        attempt = d.attempt + 1
        channel = self._channels.name_for(d)
        try:
            state = await self._store.state(d.incident_id)
            message = self._composer.compose(state, d, self._clock.now())
            outcome = await self._channels.for_delivery(d).send(d, message)
        except SendFailed as failed:
            return self._failure(d, channel, failed)
        except Exception as exc:  # a bug or an odd failure: retried, and it shows on the board
            log.exception("send_crashed", notification=d.notification, delivery=d.id)
            return self._failure(d, channel, SendFailed("crashed", f"error: {type(exc).__name__}"))
        log.info(
            "notification_attempt",
            notification=d.notification,
            unit=d.unit,
            channel=channel,
            attempt=attempt,
            outcome=outcome,
        )
        return RecordDelivery(
            d.notification, d.id, outcome, d.unit, d.contact_name, channel, attempt
        )

    def _failure(self, d: Delivery, channel: str, failed: SendFailed) -> RecordDelivery:
        attempt = d.attempt + 1
        final = failed.permanent or self._policy.is_last(attempt)
        retry_at = None if final else self._policy.next_at(self._clock.now(), attempt)
        log.warning(
            "notification_attempt_failed",
            notification=d.notification,
            unit=d.unit,
            channel=channel,
            attempt=attempt,
            final=final,
            reason=failed.reason,
        )
        return RecordDelivery(
            d.notification,
            d.id,
            "failed",
            d.unit,
            d.contact_name,
            channel,
            attempt,
            final=final,
            error=failed.reason,
            error_code=failed.code,
            error_status=failed.status,
            retry_at=retry_at,
        )

    async def _record(self, d: Delivery, command: RecordDelivery) -> None:
        key = f"delivery:{d.id}:{d.attempt}"
        try:
            outcome = await self._store.execute(d.incident_id, command, DISPATCHER, key)
        except IdempotencyConflict:  # this attempt was recorded by a run that then died
            return
        except DomainError as exc:
            log.error("delivery_not_recorded", delivery=d.id, error=exc.code)
            return
        seqs = [e.seq for e in outcome.events]
        if seqs:
            await self._publish(Notice(outcome.incident_id, seqs[0], seqs[-1]))
