"""The pure rules: the office day and its hour, who is on duty, who commands by default."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest

from incidents.commanders import Candidate
from incidents.duty import (
    DutyRole,
    Shift,
    ZeroReportRules,
    ZeroStatus,
    make_report,
    on_duty,
    parse_hour,
    pick_commander,
)
from incidents.errors import InvalidCommand
from incidents.kinds import Role
from incidents.recusal import DeclareConflict
from incidents.state import Actor
from tests.duty.conftest import OFFICE, UNITS, office
from tests.support import DUTY, LEAD, open_cmd
from tests.test_domain import Log

RULES = ZeroReportRules(UNITS, time(15, 0), OFFICE)


def shift(n: int, user: str, role: DutyRole, start: datetime, hours: int = 24) -> Shift:
    return Shift(n, user, role, start, start + timedelta(hours=hours))


def test_the_office_day_and_its_hour_are_office_time_not_utc() -> None:
    """At 01:00 on 3 March in Beijing (still 2 March in UTC) the report is due 3 March 15:00."""
    day, due = RULES.today(datetime(2026, 3, 2, 17, 0, tzinfo=UTC))
    assert day.isoformat() == "2026-03-03"
    assert due == office(3, 15) and due.astimezone(UTC).hour == 7


def test_the_hour_is_read_as_hh_mm_and_anything_else_is_refused() -> None:
    """WATCHFLOOR_ZERO_REPORT_HOUR=9:30 is half past nine; 25:00 or 'three' stop the start."""
    assert parse_hour("9:30") == time(9, 30) and parse_hour("15:00") == time(15, 0)
    for bad in ("25:00", "three", "15"):
        with pytest.raises(ValueError, match="HH:MM"):
            parse_hour(bad)


def test_the_leader_on_duty_is_the_one_whose_shift_covers_the_moment() -> None:
    """Commander1 leads until 08:00; from 08:00 commander2 does; duty1 watches throughout."""
    shifts = [
        shift(1, "commander1", DutyRole.LEADER, office(1, 8)),
        shift(2, "commander2", DutyRole.LEADER, office(2, 8)),
        shift(3, "duty1", DutyRole.OFFICER, office(1, 8), hours=48),
    ]
    before = on_duty(shifts, office(2, 7, 59))
    assert before.leaders == ("commander1",) and before.officers == ("duty1",)
    assert on_duty(shifts, office(2, 8)).leaders == ("commander2",)
    assert on_duty(shifts, office(4, 8)).leaders == ()


def test_the_default_commander_skips_a_leader_with_a_conflict_of_interest() -> None:
    """Two leaders on duty; the first has a direct interest, so the second commands."""
    assert pick_commander(("commander1", "commander2"), {"commander1"}) == "commander2"
    assert pick_commander(("commander1",), {"commander1"}) is None
    assert pick_commander((), ()) is None


def test_a_situation_report_must_say_what_the_situation_is() -> None:
    """'Situation' with no text is refused; all clear needs none; a stranger unit is refused."""
    with pytest.raises(InvalidCommand, match="situation"):
        make_report(RULES, "housing_bureau", ZeroStatus.SITUATION, " ", "duty1", office(2, 9))
    ok = make_report(RULES, "housing_bureau", ZeroStatus.ALL_CLEAR, "", "duty1", office(2, 9))
    assert not ok.late
    with pytest.raises(InvalidCommand, match="not a unit"):
        make_report(RULES, "police", ZeroStatus.ALL_CLEAR, "", "duty1", office(2, 9))


def test_a_report_at_the_hour_is_late() -> None:
    """Due *by* 15:00: 14:59 is on time, 15:00 is late, as the flag is raised then."""
    at = [office(2, 14, 59), office(2, 15)]
    late = [make_report(RULES, UNITS[0], ZeroStatus.ALL_CLEAR, "", "d", t).late for t in at]
    assert late == [False, True]


def test_a_new_incident_is_commanded_by_the_leader_on_duty_marked_so() -> None:
    """Opened with the roster's leader: the timeline's second entry names commander1."""
    log = Log()
    kinds = log.run(replace(open_cmd(), commander="commander1", commander_source="roster"), DUTY)
    assert kinds[0] == "opened" and "commander_assigned" in kinds
    assigned = next(e for e in log.events if e.kind == "commander_assigned")
    assert assigned.payload == {"from": None, "to": "commander1", "source": "roster"}
    assert log.s.commander == "commander1"


def test_a_commander_who_steps_aside_hands_over_to_the_next_leader_on_duty() -> None:
    """Commander1 declares an interest: commander2, also on duty, commands; nobody if none is."""
    log = Log()
    lead = Candidate("commander1", Role.COMMANDER)
    log.run(replace(open_cmd(), commander="commander1", candidate=lead), DUTY)
    leaders = ("commander1", "commander2")
    assert log.run(DeclareConflict("来访人系其亲属", "", leaders), LEAD) == [
        "conflict_declared",
        "commander_assigned",
    ]
    assert log.s.commander == "commander2"
    log.run(DeclareConflict("曾经手此案", "", leaders), Actor("commander2", Role.COMMANDER))
    assert log.s.commander is None
