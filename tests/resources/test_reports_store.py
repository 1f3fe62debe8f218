"""The deadline worker against real PostgreSQL: a late report appears once, from the clock."""

from __future__ import annotations

import uuid
from datetime import timedelta

import asyncpg

from incidents.clock import ManualClock
from incidents.kinds import IncidentType
from incidents.reports import ReportKind
from incidents.store import EventStore
from server.live.broker import InProcessBroker
from server.reports.worker import flag_overdue_reports
from tests.resources.support import PLAN, report
from tests.support import DUTY, open_cmd


def key() -> str:
    return uuid.uuid4().hex


async def test_the_worker_flags_a_missed_deadline_once_and_only_after_it(
    pool: asyncpg.Pool, clock: ManualClock
) -> None:
    """Nothing at 15 min; at 16 one report_overdue event; again at 17: still one."""
    store = EventStore(pool, clock, plans=lambda _: PLAN)
    broker = InProcessBroker()
    opened = await store.execute(None, open_cmd(IncidentType.MEDICAL), DUTY, key())
    iid = opened.incident_id
    clock.advance(timedelta(minutes=15))
    assert await flag_overdue_reports(store, broker, clock) == 0
    clock.advance(timedelta(minutes=1))
    assert await flag_overdue_reports(store, broker, clock) == 1
    clock.advance(timedelta(minutes=1))
    assert await flag_overdue_reports(store, broker, clock) == 0
    kinds = [e.kind for e in await store.events(iid)]
    assert kinds.count("report_overdue") == 1
    await store.execute(iid, report(ReportKind.FIRST), DUTY, key())
    state = await store.state(iid)
    assert state.reports[0].late and [o.key for o in state.reports_overdue] == ["first"]
    await broker.close()
