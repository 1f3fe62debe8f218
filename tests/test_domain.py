"""The pure core: commands decide events, events fold into the incident's state."""

from __future__ import annotations

from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incidents.clock import ManualClock
from incidents.commanders import Candidate
from incidents.domain import Command, fold, process
from incidents.errors import (
    DomainError,
    IllegalTransition,
    IncidentClosed,
    InvalidCommand,
    NotAuthorized,
)
from incidents.events import Event, verify_chain
from incidents.kinds import IncidentType, Level, Role, Status
from incidents.lifecycle import (
    AddNote,
    AssignCommander,
    ChangeLevel,
    ChangeStatus,
    CloseIncident,
    ReopenIncident,
    UpdateHeadcount,
)
from incidents.plan import Plan
from incidents.state import Actor, IncidentState
from tests.support import DUTY, LEAD, STAFF, VIEWER, open_cmd


class Log:
    """An in-memory incident: the store's pure cycle without a database."""

    def __init__(self, plan: Plan | None = None) -> None:
        self.id, self.plan = uuid4(), plan
        self.events: list[Event] = []
        self.state: IncidentState | None = None
        self.clock = ManualClock()

    def run(self, command: Command, actor: Actor = LEAD) -> list[str]:
        done = process(
            self.state, command, actor, incident_id=self.id, now=self.clock.now(), plan=self.plan
        )
        self.events += done.events
        self.state = done.state
        return [e.kind for e in done.events if e.kind != "timer_set"]

    @property
    def s(self) -> IncidentState:
        assert self.state is not None
        return self.state


def opened(kind: IncidentType = IncidentType.MEDICAL, headcount: int = 1) -> Log:
    log = Log()
    log.run(open_cmd(kind, headcount), DUTY)
    return log


def test_opened_incident_is_reported_at_general_level() -> None:
    """A new incident is 'reported', general level, with what the duty officer typed."""
    log = opened()
    assert (log.s.status, log.s.level, log.s.location, log.s.last_seq) == (
        Status.REPORTED,
        Level.GENERAL,
        "一楼大厅",
        2,  # opened, then the first-report timer
    )


def test_collective_visit_of_30_opens_major_with_the_reason() -> None:
    """Opening a collective visit of 34 people raises it to major, saying why."""
    log = opened(IncidentType.COLLECTIVE_VISIT, 34)
    assert [e.kind for e in log.events] == ["opened", "level_changed", "timer_set"]
    assert log.s.level is Level.MAJOR
    why = {k: log.events[1].payload[k] for k in ("rule", "headcount", "threshold")}
    assert why == {"rule": "headcount_floor", "headcount": 34, "threshold": 30}  # no sentence


def test_collective_visit_reaching_30_is_raised_once() -> None:
    """Headcount 18 → 30 raises to major; → 40 raises nothing more."""
    log = opened(IncidentType.COLLECTIVE_VISIT, 18)
    assert log.run(UpdateHeadcount(30), STAFF) == ["headcount_updated", "level_changed"]
    assert log.run(UpdateHeadcount(40), STAFF) == ["headcount_updated"]
    assert log.s.level is Level.MAJOR


def test_large_collective_visit_cannot_be_lowered_below_major() -> None:
    """A commander cannot lower a 30+ collective visit to general."""
    log = opened(IncidentType.COLLECTIVE_VISIT, 30)
    with pytest.raises(IllegalTransition, match="major"):
        log.run(ChangeLevel(Level.GENERAL, "calmer now"))


def test_only_a_commander_changes_the_level() -> None:
    """Duty officers and staff are refused a level change; the commander is not."""
    log = opened()
    for actor in (DUTY, STAFF, VIEWER):
        with pytest.raises(NotAuthorized):
            log.run(ChangeLevel(Level.MAJOR, "worse"), actor)
    assert log.run(ChangeLevel(Level.MAJOR, "worse")) == ["level_changed"]


def test_level_change_needs_a_reason() -> None:
    """A level change without a reason is refused, naming the field."""
    with pytest.raises(InvalidCommand) as info:
        opened().run(ChangeLevel(Level.MAJOR, "  "))
    assert info.value.field == "reason"


def test_status_follows_the_table() -> None:
    """reported → responding → contained → closed; skipping back to reported is refused."""
    log = opened()
    log.run(ChangeStatus(Status.RESPONDING))
    with pytest.raises(IllegalTransition):
        log.run(ChangeStatus(Status.REPORTED))
    log.run(ChangeStatus(Status.CONTAINED))
    log.run(CloseIncident("done"))
    assert log.s.status is Status.CLOSED and log.s.closed_at is not None


def test_closed_incident_accepts_only_reopen() -> None:
    """After close, a note is refused; a reopen with a reason is accepted."""
    log = opened()
    log.run(ChangeStatus(Status.CONTAINED))
    log.run(CloseIncident())
    with pytest.raises(IncidentClosed):
        log.run(AddNote("late note"), STAFF)
    with pytest.raises(InvalidCommand):
        log.run(ReopenIncident(""))
    log.run(ReopenIncident("visitor came back"))
    assert log.s.status is Status.RESPONDING and log.s.closed_at is None


def test_reported_incident_cannot_be_closed_directly() -> None:
    """Closing straight from reported is refused: it must be handled first."""
    with pytest.raises(IllegalTransition):
        opened().run(CloseIncident())


def test_chain_links_every_event() -> None:
    """Every event links to the one before; changing one breaks the chain at its seq."""
    log = opened()
    log.run(AddNote("a"), STAFF)
    log.run(AssignCommander("commander1", Candidate("commander1", Role.COMMANDER)))
    assert verify_chain(log.events) is None
    bad = log.events[1]
    forged = type(bad)(**{**{f: getattr(bad, f) for f in bad.__slots__}, "payload": {"text": "b"}})
    broken = verify_chain([log.events[0], forged, log.events[2]])
    assert broken is not None and broken.seq == 2


# --- property: the fold agrees with the decisions --------------------------------

levels, statuses = st.sampled_from(list(Level)), st.sampled_from(list(Status))
short_text = st.text(min_size=0, max_size=12)
commands = st.one_of(
    st.builds(ChangeLevel, levels, short_text),
    st.builds(ChangeStatus, statuses, short_text),
    st.builds(CloseIncident, short_text),
    st.builds(ReopenIncident, short_text),
    st.builds(UpdateHeadcount, st.integers(-2, 60), short_text),
    st.builds(AddNote, short_text),
    st.builds(AssignCommander, st.sampled_from(["commander1", "commander2", ""])),
)
actors = st.sampled_from([DUTY, STAFF, LEAD, VIEWER])


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 40), st.lists(st.tuples(commands, actors), max_size=25))
def test_any_accepted_sequence_keeps_the_rules(headcount: int, steps: list) -> None:  # type: ignore[type-arg]
    """Whatever is tried, refusals change nothing and the invariants always hold."""
    log = opened(IncidentType.COLLECTIVE_VISIT, headcount)
    for command, actor in steps:
        before = log.state
        try:
            log.run(command, actor)
        except DomainError:
            assert log.state == before
        if log.s.headcount >= 30:
            assert log.s.level.rank >= Level.MAJOR.rank
    assert fold(log.events) == log.state
    assert verify_chain(log.events) is None
