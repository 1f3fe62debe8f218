"""The after-action review (演练评估) of one drill run: pure, from its incidents' states.

Every key time on the drill's clock (real seconds × speed, so it reads like the script and
the playbook): the first report, each unit's acknowledgement, each item with a deadline,
containment, each against its target; what was late or never done; which notifications went
unanswered and what escalation did about them; and the same figures of the previous run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID

from incidents.events import Event
from incidents.kinds import ItemStatus, NotificationStatus, Status
from incidents.settle import FIRST_REPORT_TIMER, item_due_at
from incidents.state import DrillMark, IncidentState, NotificationState


@dataclass(frozen=True, slots=True)
class KeyTime:
    """One figure: what (kind, ref), on which incident, when on the drill clock, by when."""

    key: str  # "first_report:<incident>", "ack:<incident>:<notification>", …
    kind: str  # first_report, ack, item, contained
    ref: str  # the unit or item id ("" for first report and containment)
    incident: UUID
    at: datetime | None  # the real moment (as on the timeline); None: never done
    seconds: int | None  # drill-clock seconds from the start, None: never done
    target: int | None  # drill-clock seconds from the start by which it was due
    previous: int | None = None  # the same figure in the previous run of the script

    @property
    def late(self) -> bool:
        return self.seconds is not None and self.target is not None and self.seconds > self.target

    @property
    def missed(self) -> bool:
        return self.seconds is None


@dataclass(frozen=True, slots=True)
class Step:
    """What escalation did for an unanswered notification, on the drill clock."""

    step: str  # renotify, next_contact, alert
    seconds: int


@dataclass(frozen=True, slots=True)
class Unanswered:
    incident: UUID
    notification: str
    unit: str
    planned: int
    steps: tuple[Step, ...]
    answered: int | None  # answered after all, late (drill clock), or never


@dataclass(frozen=True, slots=True)
class Review:
    script: str
    run: str
    speed: int
    started_at: datetime
    ended_at: datetime | None
    times: tuple[KeyTime, ...]
    unanswered: tuple[Unanswered, ...]
    previous_run: str | None = None

    @property
    def late(self) -> tuple[KeyTime, ...]:
        return tuple(k for k in self.times if k.late)

    @property
    def missed(self) -> tuple[KeyTime, ...]:
        return tuple(k for k in self.times if k.missed)


class _Clock:
    """Real moments to drill-clock seconds from the run's start."""

    def __init__(self, start: datetime, mark: DrillMark) -> None:
        self.start, self.speed = start, mark.speed

    def __call__(self, at: datetime | None) -> int | None:
        if at is None:
            return None
        return round((at - self.start).total_seconds() * self.speed)


Run = Sequence[tuple[IncidentState, Sequence[Event]]]


def review(run: Run, previous: Review | None = None, contained_by: int | None = None) -> Review:
    """The review of a run: its first incident, then its linked ones, each with its events.

    `contained_by`: when the script expects containment (drill-clock seconds), its target."""
    states = [s for s, _ in run]
    main = states[0]
    mark = main.drill
    assert mark is not None, "a review is of a drill"
    clock = _Clock(main.opened_at, mark)
    end = clock(mark.ended_at)
    times = tuple(k for s in states for k in _times(s, clock) if not _not_yet_due(k, end))
    times = tuple(
        replace(k, target=contained_by) if k.key == "contained:main:" else k for k in times
    )
    gone = tuple(u for s, events in run for u in _unanswered(s, events, clock))
    if previous is not None:
        before = {_stable(k): k.seconds for k in previous.times}
        times = tuple(_with_previous(k, before) for k in times)
    return Review(
        mark.script,
        mark.run,
        mark.speed,
        main.opened_at,
        mark.ended_at,
        times,
        gone,
        previous.run if previous else None,
    )


def _not_yet_due(k: KeyTime, end: int | None) -> bool:
    """An item neither done nor due by the end of the drill: nothing to judge."""
    return k.kind == "item" and k.missed and None not in (k.target, end) and k.target > end  # type: ignore[operator]


def _stable(k: KeyTime) -> str:
    """The figure's key across runs: kind, the incident's place in its run (not its id), ref."""
    return k.key


def _with_previous(k: KeyTime, before: Mapping[str, int | None]) -> KeyTime:
    return replace(k, previous=before.get(_stable(k)))


def _times(s: IncidentState, clock: _Clock) -> list[KeyTime]:
    role = "main" if s.drill is None or s.drill.main else f"linked-{s.type.value}"
    first = next((r for r in s.reports if r.kind == "first"), None)
    due = next((t.due_at for t in s.timers if t.id == FIRST_REPORT_TIMER), None)
    due = first.due_at if first and first.due_at else due
    filed = first.filed_at if first else None
    out = [_kt(f"first_report:{role}:", "first_report", "", s, filed, due, clock)]
    out += [_ack(s, n, role, clock) for n in s.notifications if not n.id.startswith("report-")]
    out += _items(s, role, clock)
    contained = s.status_reached.get(Status.CONTAINED)
    out.append(_kt(f"contained:{role}:", "contained", "", s, contained, None, clock))
    return out


def _kt(
    key: str,
    kind: str,
    ref: str,
    s: IncidentState,
    at: datetime | None,
    due: datetime | None,
    clock: _Clock,
) -> KeyTime:
    return KeyTime(key + ref, kind, ref, s.id, at, clock(at), clock(due))


def _ack(s: IncidentState, n: NotificationState, role: str, clock: _Clock) -> KeyTime:
    plan = next((p for p in s.plan.notifications if p.id == n.id), None) if s.plan else None
    due = None
    if plan is not None:
        due = n.planned_at + timedelta(seconds=plan.ack_within)
    return _kt(f"ack:{role}:", "ack", n.unit, s, n.acknowledged_at, due, clock)


def _items(s: IncidentState, role: str, clock: _Clock) -> list[KeyTime]:
    out = []
    for row in s.checklist:
        plan_item = s.plan_item(row.id)
        due = item_due_at(s, plan_item) if plan_item else None
        if due is None or (plan_item and plan_item.phase == "aftermath"):
            continue
        done = row.at if row.status is ItemStatus.DONE else None
        out.append(_kt(f"item:{role}:", "item", row.id, s, done, due, clock))
    return out


def _steps(events: Sequence[Event], notification: str, clock: _Clock) -> tuple[Step, ...]:
    return tuple(
        Step(e.payload.get("step", "alert"), clock(e.occurred_at) or 0)
        for e in events
        if e.kind in ("notification_escalated", "notification_alerted")
        and e.payload.get("notification") == notification
    )


def _unanswered(s: IncidentState, events: Sequence[Event], clock: _Clock) -> list[Unanswered]:
    out = []
    for n in s.notifications:
        late = n.status is not NotificationStatus.ACKNOWLEDGED or n.escalated_at is not None
        if not late or n.id.startswith("report-"):
            continue
        steps = _steps(events, n.id, clock)
        planned = clock(n.planned_at) or 0
        out.append(Unanswered(s.id, n.id, n.unit, planned, steps, clock(n.acknowledged_at)))
    return out
