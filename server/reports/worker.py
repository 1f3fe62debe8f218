"""The report deadline check: a deadline that passed unfiled is recorded once, as an event.

Any number of nodes may run it: the idempotency key is the deadline itself, so a second
node's attempt replays the first one's result, and the domain refuses a second flag.
"""

from __future__ import annotations

import structlog

from incidents.clock import Clock
from incidents.errors import IllegalTransition
from incidents.kinds import Role
from incidents.reports import MarkReportOverdue, next_due
from incidents.state import Actor
from incidents.store import EventStore
from server.live.broker import Broker, Notice

log = structlog.get_logger(__name__)
DEADLINES = Actor("system:deadlines", Role.SYSTEM)


async def flag_overdue_reports(store: EventStore, broker: Broker, clock: Clock) -> int:
    """Record `report_overdue` for every open incident whose pending report is late; how many."""
    now, flagged = clock.now(), 0
    for state in await store.incidents():
        due = next_due(state)
        if due is None or due.at >= now or any(o.key == due.key for o in state.reports_overdue):
            continue
        key = f"report-overdue:{state.id}:{due.key}"
        try:
            outcome = await store.execute(state.id, MarkReportOverdue(due.key), DEADLINES, key)
        except IllegalTransition:  # filed or flagged meanwhile
            continue
        seqs = [e.seq for e in outcome.events]
        if seqs:
            await broker.publish(Notice(outcome.incident_id, seqs[0], seqs[-1]))
        flagged += not outcome.replayed
        log.info("report_overdue", incident_id=str(state.id), report=due.key)
    return flagged
