"""Demo duty: commander1 leads and duty1 watches today's 24-hour shift; two units reported."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from incidents.duty import DutyRole, ZeroReportRules, ZeroStatus, make_report
from server.duty.store import DutyStore

SHIFT_START = time(8, 0)  # 24-hour duty, handed over at 08:00 office time
DEMO_SHIFTS = (("commander1", DutyRole.LEADER), ("duty1", DutyRole.OFFICER))
DEMO_REPORTS = (
    ("petition_bureau", ZeroStatus.ALL_CLEAR, "", time(8, 40)),
    (
        "housing_bureau",
        ZeroStatus.SITUATION,
        "某小区业主约 20 人拟于明日上午来访，已安排接谈",
        time(9, 5),
    ),
)


def shift_span(rules: ZeroReportRules, now: datetime) -> tuple[datetime, datetime]:
    """Today's 24-hour shift in office time (yesterday's when it is before the handover)."""
    day, _ = rules.today(now)
    start = datetime.combine(day, SHIFT_START, tzinfo=rules.zone)
    start -= timedelta(days=1) if start > now else timedelta(0)
    return start, start + timedelta(days=1)


async def seed_duty(duty: DutyStore, rules: ZeroReportRules, now: datetime) -> None:
    """Idempotent: a shift already covering now is not added twice; a report is kept."""
    span = shift_span(rules, now)
    current = await duty.shifts(now, now + timedelta(microseconds=1))
    for user, role in DEMO_SHIFTS:
        if not any(s.user_id == user and s.role is role for s in current):
            await duty.add_shift(user, role, span, "demo", now)
    day, _ = rules.today(now)
    done = {r.unit for r in await duty.reports(day)}
    for unit, status, text, at in DEMO_REPORTS:
        when = min(now, datetime.combine(day, at, tzinfo=rules.zone))
        if unit in rules.units and unit not in done:
            await duty.file(make_report(rules, unit, status, text, "duty1", when))
