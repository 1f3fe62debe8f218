"""The zero-report check: after the hour, each unit that has not reported is flagged once
and the duty officers on duty are told, once per unit and office day, on any number of nodes.

Telling them is an office record (the flag's `notified_at`, `notified_to`), a warning log
line, and the red line on every board's duty panel: the notification outbox belongs to
incidents (its rows name one) and reaches units, not the officers at the desk.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog

from incidents.clock import Clock
from incidents.duty import OnDuty, ZeroReportRules, missing, on_duty
from server.duty.store import DutyStore

log = structlog.get_logger(__name__)
INSTANT = timedelta(microseconds=1)


async def duty_at(duty: DutyStore, at: datetime) -> OnDuty:
    return on_duty(await duty.shifts(at, at + INSTANT), at)


async def flag_missing_zero_reports(duty: DutyStore, rules: ZeroReportRules, clock: Clock) -> int:
    """Flag the units with no report after the hour and tell the duty officers; how many told."""
    now = clock.now()
    day, due = rules.today(now)
    if now < due:
        return 0
    told_before = {f.unit for f in await duty.flags(day) if f.notified_at is not None}
    absent = [u for u in missing(rules.units, await duty.reports(day)) if u not in told_before]
    officers = (await duty_at(duty, now)).officers if absent else ()
    told = 0
    for unit in absent:
        if await duty.flag(unit, day, due, now, officers):
            told += 1
            log.warning(
                "zero_report_missing",
                unit=unit,
                day=day.isoformat(),
                due_at=due.isoformat(),
                notified=list(officers),
            )
    return told
