"""The missed-check deadline: a welfare check past due and grace is recorded once, as an event.

Any number of nodes may run it: the idempotency key is the check's round, so a second
node's attempt replays the first one's result, and the domain refuses a second flag.
The event plans the playbook's `on_missed` notifications, sent by the outbox as any other.
"""

from __future__ import annotations

import structlog

from incidents.canonical import format_time
from incidents.clock import Clock
from incidents.errors import IllegalTransition
from incidents.kinds import Role
from incidents.state import Actor
from incidents.store import EventStore
from incidents.welfare import MarkCheckMissed, missed_now
from server.live.broker import Broker, Notice

log = structlog.get_logger(__name__)
DEADLINES = Actor("system:deadlines", Role.SYSTEM)


async def flag_missed_checks(store: EventStore, broker: Broker, clock: Clock) -> int:
    """Record `welfare_check_missed` for every running check past due and grace; how many."""
    now, flagged = clock.now(), 0
    for state in await store.incidents():
        for due in missed_now(state, now):
            command = MarkCheckMissed(due.plan.id, due.state.round)
            slot = format_time(due.due_at)  # a check stopped and started again: a new slot
            key = f"welfare-missed:{state.id}:{due.plan.id}:{due.state.round}:{slot}"
            try:
                outcome = await store.execute(state.id, command, DEADLINES, key)
            except IllegalTransition:  # recorded or flagged meanwhile
                continue
            if seqs := [e.seq for e in outcome.events]:
                await broker.publish(Notice(outcome.incident_id, seqs[0], seqs[-1]))
            flagged += not outcome.replayed
            log.info("welfare_check_missed", incident_id=str(state.id), check=due.plan.id)
    return flagged
