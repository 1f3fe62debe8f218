"""The zero report under a moved clock: nothing before the hour, each missing unit flagged
and the duty officer told once a day, a late report clearing the flag but marked late."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from structlog.testing import capture_logs

from incidents.clock import ManualClock
from incidents.duty import DutyRole, ZeroReportRules, ZeroStatus, make_report, panel
from server.duty.store import DutyStore
from server.duty.worker import flag_missing_zero_reports
from tests.duty.conftest import office

MINUTE = timedelta(minutes=1)


async def on_duty_today(duty: DutyStore, officer: str = "duty1") -> None:
    span = (office(2, 8), office(3, 8))
    await duty.add_shift("commander1", DutyRole.LEADER, span, "admin1", office(1, 12))
    await duty.add_shift(officer, DutyRole.OFFICER, span, "admin1", office(1, 12))


async def file(duty: DutyStore, rules: ZeroReportRules, clock: ManualClock, unit: str) -> None:
    await duty.file(make_report(rules, unit, ZeroStatus.ALL_CLEAR, "", "duty1", clock.now()))


async def test_before_the_hour_nothing_is_flagged(
    duty: DutyStore, rules: ZeroReportRules, office_clock: ManualClock
) -> None:
    """At 14:59 no unit has reported, and still the board shows no warning."""
    await on_duty_today(duty)
    office_clock.set(office(2, 14, 59))
    assert await flag_missing_zero_reports(duty, rules, office_clock) == 0
    assert await duty.flags(office(2, 0).date()) == []
    lines = panel(rules.units, [], office_clock.now(), rules.today(office_clock.now())[1])
    assert not any(line.overdue for line in lines)


async def test_at_the_hour_each_missing_unit_is_flagged_and_the_officer_told_once(
    duty: DutyStore, rules: ZeroReportRules, office_clock: ManualClock
) -> None:
    """Housing reported at 10:00; at 15:00 the other two are flagged, duty1 told once each."""
    await on_duty_today(duty)
    office_clock.set(office(2, 10))
    await file(duty, rules, office_clock, "housing_bureau")
    office_clock.set(office(2, 15))
    with capture_logs() as logs:
        assert await flag_missing_zero_reports(duty, rules, office_clock) == 2
        office_clock.advance(MINUTE)
        assert await flag_missing_zero_reports(duty, rules, office_clock) == 0
    told = [e["unit"] for e in logs if e["event"] == "zero_report_missing"]
    assert told == ["petition_bureau", "civil_affairs_bureau"]
    flags = {f.unit: f for f in await duty.flags(office(2, 0).date())}
    assert set(flags) == {"petition_bureau", "civil_affairs_bureau"}
    assert all(
        f.notified_to == ("duty1",) and f.notified_at == office(2, 15) for f in flags.values()
    )


async def test_two_nodes_checking_at_once_tell_the_officer_once(
    duty: DutyStore, rules: ZeroReportRules, office_clock: ManualClock
) -> None:
    """Four nodes look at 15:00 together: three messages in all, one per missing unit."""
    await on_duty_today(duty)
    office_clock.set(office(2, 15))
    counts = await asyncio.gather(
        *(flag_missing_zero_reports(duty, rules, office_clock) for _ in range(4))
    )
    assert sum(counts) == 3


async def test_a_late_report_clears_the_warning_but_stays_marked_late(
    duty: DutyStore, rules: ZeroReportRules, office_clock: ManualClock
) -> None:
    """Petition bureau calls in at 15:40: its line shows all clear, late; the flag is kept."""
    await on_duty_today(duty)
    office_clock.set(office(2, 15))
    await flag_missing_zero_reports(duty, rules, office_clock)
    office_clock.set(office(2, 15, 40))
    await file(duty, rules, office_clock, "petition_bureau")
    day, due = rules.today(office_clock.now())
    lines = {
        ln.unit: ln for ln in panel(rules.units, await duty.reports(day), office_clock.now(), due)
    }
    petition = lines["petition_bureau"]
    assert not petition.overdue and petition.report is not None and petition.report.late
    assert lines["housing_bureau"].overdue
    assert "petition_bureau" in {f.unit for f in await duty.flags(day)}  # on the record
    assert await flag_missing_zero_reports(duty, rules, office_clock) == 0


async def test_a_correction_the_same_day_keeps_the_first_time_and_lateness(
    duty: DutyStore, rules: ZeroReportRules, office_clock: ManualClock
) -> None:
    """Reported late at 15:10, corrected at 16:00 with a situation: still 15:10, still late."""
    office_clock.set(office(2, 15, 10))
    await file(duty, rules, office_clock, "housing_bureau")
    office_clock.set(office(2, 16))
    fix = make_report(
        rules, "housing_bureau", ZeroStatus.SITUATION, "有 3 人来访", "duty2", office_clock.now()
    )
    saved = await duty.file(fix)
    assert (saved.status, saved.reported_at, saved.late) == (
        ZeroStatus.SITUATION,
        office(2, 15, 10),
        True,
    )


async def test_with_no_officer_on_duty_the_flag_waits_for_one(
    duty: DutyStore, rules: ZeroReportRules, office_clock: ManualClock
) -> None:
    """Nobody is on the roster at 15:00; duty2 comes on at 15:30 and is told then, once."""
    office_clock.set(office(2, 15))
    assert await flag_missing_zero_reports(duty, rules, office_clock) == 0
    flags = await duty.flags(office(2, 0).date())
    assert len(flags) == 3 and all(f.notified_at is None for f in flags)
    await duty.add_shift(
        "duty2", DutyRole.OFFICER, (office(2, 15, 30), office(3, 8)), "c", office(2, 15)
    )
    office_clock.set(office(2, 15, 30))
    assert await flag_missing_zero_reports(duty, rules, office_clock) == 3
    assert await flag_missing_zero_reports(duty, rules, office_clock) == 0


async def test_the_next_day_starts_afresh(
    duty: DutyStore, rules: ZeroReportRules, office_clock: ManualClock
) -> None:
    """Flagged on the 2nd; on the 3rd at 15:00 the still-silent units are flagged again."""
    await duty.add_shift(
        "duty1", DutyRole.OFFICER, (office(2, 8), office(4, 8)), "c", office(1, 12)
    )
    office_clock.set(office(2, 15))
    assert await flag_missing_zero_reports(duty, rules, office_clock) == 3
    office_clock.set(office(3, 14))
    assert await flag_missing_zero_reports(duty, rules, office_clock) == 0
    office_clock.set(office(3, 15))
    assert await flag_missing_zero_reports(duty, rules, office_clock) == 3
