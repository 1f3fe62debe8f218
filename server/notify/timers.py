"""The timer worker: fires escalation steps that are due, once, on whichever node gets there.

Timer rows are claimed under row locks with SKIP LOCKED and a lease; the step is a command
with the key ("timer", row), so a node that dies after firing it fires nothing twice.
A step that no longer applies (acknowledged, closed) is marked with the reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import asyncpg
import structlog

from incidents.clock import Clock
from incidents.errors import DomainError, IllegalTransition
from incidents.kinds import Role
from incidents.notifications import Escalate
from incidents.state import Actor
from incidents.store import EventStore
from server.live.broker import Notice
from server.notify import store as notify_store

log = structlog.get_logger(__name__)

TIMERS = Actor("system:timers", Role.SYSTEM)


class TimerWorker:
    def __init__(
        self,
        pool: asyncpg.Pool,
        store: EventStore,
        clock: Clock,
        publish: Callable[[Notice], Awaitable[None]],
        *,
        batch: int = 50,
        lease: timedelta = timedelta(seconds=60),
    ) -> None:
        self._pool, self._store, self._clock, self._publish = pool, store, clock, publish
        self._batch, self._lease = batch, lease

    async def run_once(self) -> int:
        rows = await notify_store.claim_timers(
            self._pool, self._clock.now(), self._batch, self._lease
        )
        for row in sorted(rows, key=lambda r: (r["due_at"], r["id"])):
            await self._fire(row)
        return len(rows)

    async def run(self, poll_seconds: float) -> None:
        while True:
            try:
                taken = await self.run_once()
            except Exception:
                log.exception("timers_failed")
                taken = 0
            if taken < self._batch:
                await asyncio.sleep(poll_seconds)

    async def _fire(self, row: Any) -> None:
        command = Escalate(row["notification"], row["step"])
        incident_id = row["incident_id"]
        try:
            outcome = await self._store.execute(
                incident_id, command, TIMERS, f"escalation-timer:{row['id']}"
            )
        except IllegalTransition as exc:  # acknowledged meanwhile, or the incident is closed
            result = exc.code
        except DomainError as exc:  # a bug: say so loudly, and do not try it forever
            log.error("escalation_refused", incident_id=str(incident_id), error=exc.code)
            result = exc.code
        else:
            result = "fired"
            seqs = [e.seq for e in outcome.events]
            if seqs:
                await self._publish(Notice(incident_id, seqs[0], seqs[-1]))
        log.info(
            "escalation_timer",
            incident_id=str(incident_id),
            notification=row["notification"],
            step=row["step"],
            outcome=result,
        )
        await notify_store.timer_fired(self._pool, row["id"], self._clock.now(), result)
