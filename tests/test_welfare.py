"""Welfare checks on the visitor, in the pure domain: when each check is due, when it is
missed, what starts and stops it, and what a record must hold."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from incidents.checklist import TickItem
from incidents.domain import Command, fold, process
from incidents.errors import IllegalTransition, InvalidCommand, NotAuthorized, NotFound
from incidents.events import Event
from incidents.kinds import IncidentType, Role, Status
from incidents.plan import Plan
from incidents.state import Actor, IncidentState
from incidents.welfare import (
    MarkCheckMissed,
    RecordCheck,
    StartCheck,
    StopCheck,
    check_state,
    missed_now,
    overdue,
    pending,
)
from playbooks.instantiate import to_plan
from playbooks.loader import load_playbook, load_units, packaged_dir, packaged_units
from tests.support import DUTY, LEAD, STAFF, VIEWER, open_cmd

T0 = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
SYSTEM = Actor("system:deadlines", Role.SYSTEM)
HUNGER = {"conscious": "yes", "drinking": "no", "condition": "weak", "distress": "calm"}


def plan_of(name: str) -> Plan:
    units = load_units(packaged_units())
    return to_plan(load_playbook(packaged_dir() / f"{name}.yaml", units))


class Incident:
    """One incident run through `process` on a clock the test moves."""

    def __init__(self, kind: IncidentType, plan: Plan) -> None:
        self.id, self.now = uuid.uuid4(), T0
        self.state: IncidentState | None = None
        self.kinds: list[str] = []
        self.events: list[Event] = []
        self.run(open_cmd(kind), DUTY, plan=plan)

    def run(self, command: Command, actor: Actor = STAFF, plan: Plan | None = None) -> list[str]:
        done = process(self.state, command, actor, incident_id=self.id, now=self.now, plan=plan)
        self.state = done.state
        self.kinds = [e.kind for e in done.events]
        self.events += done.events
        return self.kinds

    def at(self, minutes: float) -> Incident:
        self.now = T0 + timedelta(minutes=minutes)
        return self

    @property
    def s(self) -> IncidentState:
        assert self.state is not None
        return self.state


def disruption() -> Incident:
    return Incident(IncidentType.DISRUPTION, plan_of("disruption"))


def test_a_check_without_starts_with_runs_from_the_opening() -> None:
    """A self-harm incident is watched from the moment it opens, every 10 minutes."""
    inc = Incident(IncidentType.SELF_HARM, plan_of("self_harm"))
    assert "welfare_check_started" in inc.kinds
    (due,) = pending(inc.s)
    assert (due.plan.id, due.due_at, due.missed_at) == (
        "risk_watch",
        T0 + timedelta(minutes=10),
        T0 + timedelta(minutes=12),
    )


def test_a_check_waits_for_its_starts_with_item_and_a_manual_one_for_a_command() -> None:
    """The hunger-strike check starts when the medical standby is ticked; the sit-in never
    starts by itself."""
    inc = disruption()
    assert pending(inc.s) == []
    inc.at(3).run(TickItem("medical_standby"))
    assert "welfare_check_started" in inc.kinds
    assert [p.plan.id for p in pending(inc.s)] == ["hunger_watch"]
    assert pending(inc.s)[0].due_at == T0 + timedelta(minutes=33)
    inc.at(4).run(StartCheck("sit_in_watch"))
    assert [p.plan.id for p in pending(inc.s)] == ["hunger_watch", "sit_in_watch"]


def test_each_record_moves_the_next_due_time_and_late_ones_say_so() -> None:
    """A check recorded at 20 min is due again at 50; one recorded past due and grace is late."""
    inc = disruption()
    inc.run(TickItem("medical_standby"))
    inc.at(20).run(RecordCheck("hunger_watch", HUNGER, "喝了半杯水 💧 ok"))
    record = check_state(inc.s, "hunger_watch").records[-1]  # type: ignore[union-attr]
    assert (record.round, record.late, record.remark) == (1, False, "喝了半杯水 💧 ok")
    assert pending(inc.s)[0].due_at == T0 + timedelta(minutes=50)
    inc.at(56).run(RecordCheck("hunger_watch", HUNGER))
    assert check_state(inc.s, "hunger_watch").records[-1].late  # type: ignore[union-attr]


def test_a_check_is_missed_only_past_due_and_grace() -> None:
    """Due at 30 with 5 min grace: not missed at 35, missed just after, once."""
    inc = disruption()
    inc.run(TickItem("medical_standby"))
    assert missed_now(inc.s, T0 + timedelta(minutes=35)) == []
    assert [p.plan.id for p in missed_now(inc.s, T0 + timedelta(minutes=35, seconds=1))] == [
        "hunger_watch"
    ]
    with pytest.raises(IllegalTransition):
        inc.at(35).run(MarkCheckMissed("hunger_watch", 1), SYSTEM)
    kinds = inc.at(36).run(MarkCheckMissed("hunger_watch", 1), SYSTEM)
    assert kinds == ["welfare_check_missed", "notification_planned"]
    assert [n.unit for n in inc.s.notifications if n.on == "check_missed:hunger_watch"] == [
        "health"
    ]
    assert [c.id for c in overdue(inc.s)] == ["hunger_watch"]
    with pytest.raises(IllegalTransition):  # the same check is missed once
        inc.at(37).run(MarkCheckMissed("hunger_watch", 1), SYSTEM)


def test_a_missed_check_stays_red_until_one_is_recorded_and_the_next_slot_counts_on() -> None:
    """After a miss the next check is due one interval after the missed one; a record clears
    the red."""
    inc = disruption()
    inc.run(TickItem("medical_standby"))
    inc.at(36).run(MarkCheckMissed("hunger_watch", 1), SYSTEM)
    assert pending(inc.s)[0].due_at == T0 + timedelta(minutes=60)
    assert pending(inc.s)[0].state.round == 2
    inc.at(40).run(RecordCheck("hunger_watch", HUNGER))
    assert overdue(inc.s) == []
    assert check_state(inc.s, "hunger_watch").records[-1].round == 2  # type: ignore[union-attr]


def test_stopping_ends_the_deadline_and_a_start_counts_from_then() -> None:
    """A stopped check is never due nor missed; started again, it is due one interval later."""
    inc = disruption()
    inc.run(TickItem("medical_standby"))
    inc.at(10).run(StopCheck("hunger_watch", "已送医"))
    assert pending(inc.s) == [] and missed_now(inc.s, T0 + timedelta(hours=5)) == []
    with pytest.raises(IllegalTransition):
        inc.run(RecordCheck("hunger_watch", HUNGER))
    inc.at(100).run(StartCheck("hunger_watch"))
    assert pending(inc.s)[0].due_at == T0 + timedelta(minutes=130)
    with pytest.raises(IllegalTransition):
        inc.run(StartCheck("hunger_watch"))


def test_a_stops_with_item_stops_the_check_once() -> None:
    """Handing the patient over to the medics ends the patient watch."""
    inc = Incident(IncidentType.MEDICAL, plan_of("medical"))
    assert [p.plan.id for p in pending(inc.s)] == ["patient_watch"]
    inc.at(4).run(TickItem("call_ambulance"))
    inc.at(5).run(TickItem("hand_over_to_medics", "已交120急救人员"))
    assert "welfare_check_stopped" in inc.kinds
    assert pending(inc.s) == []
    inc.at(6).run(StartCheck("patient_watch"))  # a person may watch on
    inc.at(7).run(TickItem("accompany_to_hospital"))
    assert [p.plan.id for p in pending(inc.s)] == ["patient_watch"]


def test_a_closed_incident_has_no_check_due() -> None:
    """Once closed, no check is due and none can be missed."""
    inc = Incident(IncidentType.MEDICAL, plan_of("medical"))
    assert pending(inc.s)
    closed = replace(inc.s, status=Status.CLOSED)
    assert pending(closed) == [] and missed_now(closed, T0 + timedelta(days=1)) == []


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"conscious": "yes", "drinking": "no", "condition": "weak"}, "answer_distress"),
        (HUNGER | {"drinking": "maybe"}, "answer_drinking"),
        (HUNGER | {"pulse": "fast"}, "answers"),
    ],
)
def test_a_record_needs_one_valid_answer_per_observation(
    answers: dict[str, str], field: str
) -> None:
    """A missing, unknown or invalid answer is refused, naming the field, and nothing is added."""
    inc = disruption()
    inc.run(TickItem("medical_standby"))
    before = inc.s
    with pytest.raises(InvalidCommand) as refused:
        inc.run(RecordCheck("hunger_watch", answers))
    assert refused.value.field == field
    assert inc.s is before


def test_who_may_record_and_what_is_refused() -> None:
    """Staff, duty officers and commanders record; a viewer may not; an unknown check is
    not found; a remark with a control character is refused."""
    inc = disruption()
    inc.run(TickItem("medical_standby"))
    for actor in (STAFF, DUTY, LEAD):
        inc.run(RecordCheck("hunger_watch", HUNGER), actor)
    with pytest.raises(NotAuthorized):
        inc.run(RecordCheck("hunger_watch", HUNGER), VIEWER)
    with pytest.raises(NotFound):
        inc.run(RecordCheck("pulse_watch", HUNGER))
    with pytest.raises(InvalidCommand):
        inc.run(RecordCheck("hunger_watch", HUNGER, "bad\x1b[31m"))


def test_the_fold_of_the_events_gives_the_same_checks() -> None:
    """The checks' state is a pure fold: folding every event again gives the same."""
    inc = disruption()
    for command, actor, minute in [
        (TickItem("medical_standby"), STAFF, 1),
        (RecordCheck("hunger_watch", HUNGER, "睡着了 😴"), STAFF, 20),
        (MarkCheckMissed("hunger_watch", 2), SYSTEM, 56),
        (StopCheck("hunger_watch"), LEAD, 60),
    ]:
        inc.at(minute).run(command, actor)
    again = fold(inc.events)
    assert again is not None and again.welfare == inc.s.welfare
    (watch,) = again.welfare
    assert (watch.running, len(watch.records), watch.missed) == (
        False,
        1,
        ((2, T0 + timedelta(minutes=50)),),
    )
