"""The report a leadership group files, as data: built purely from (state, events).

Texts stay as catalogue keys and bilingual plan texts; each format translates them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from incidents.events import Event
from incidents.kinds import ItemStatus, Level, Status
from incidents.plan import Bilingual
from incidents.resources import resource_kind
from incidents.settle import FIRST_REPORT_TIMER, item_due_at
from incidents.state import FollowupItem, IncidentState, NotificationState
from server.export.view import ExportView

# Checklist items that are reports up the chain (首报 and onwards), and the final summary.
REPORT_ITEMS = ("report_to_head", "report_to_leadership", "report_up", "summary_report")
FIRST_REPORT_ITEMS = REPORT_ITEMS[:3]
REPORT_KINDS = {
    "first": Bilingual("首报", "First report"),
    "followup": Bilingual("续报", "Follow-up report"),
    "final": Bilingual("终报", "Final report"),
}
ON_SCENE_SUFFIX = "_on_scene"
ON_SCENE = "on_scene"  # a dispatched resource's status (incidents/resources.py)
NONE = Bilingual("", "")


@dataclass(frozen=True, slots=True)
class KeyTime:
    """A moment of the response against the playbook's target, when it sets one."""

    key: str  # catalogue key: export.key.<what>
    label: Bilingual  # the item or resource it is about (empty when none)
    at: datetime | None
    target: datetime | None = None
    unit: str = ""  # the unit it is about (units.yaml id), named by each format

    @property
    def late(self) -> bool:
        if self.target is None:
            return False
        return self.at is None or self.at > self.target


@dataclass(frozen=True, slots=True)
class LevelStep:
    at: datetime
    level: Level
    reason: str
    by: str


@dataclass(frozen=True, slots=True)
class ChecklistRow:
    phase: Bilingual
    text: Bilingual
    status: ItemStatus
    by: str | None
    at: datetime | None
    note: str
    due: datetime | None
    late: bool


def is_late(
    item_status: ItemStatus, at: datetime | None, due: datetime | None, now: datetime
) -> bool:
    """Done after its deadline, or not done and the deadline passed (skipped is never late)."""
    if due is None or item_status is ItemStatus.SKIPPED:
        return False
    done_at = at if item_status is ItemStatus.DONE and at else now
    return done_at > due


@dataclass(frozen=True, slots=True)
class ReportRow:
    at: datetime
    by: str
    text: Bilingual
    late: bool = False


@dataclass(frozen=True, slots=True)
class Report:
    state: IncidentState
    events: Sequence[Event]
    redacted: bool
    level_history: tuple[LevelStep, ...]
    key_times: tuple[KeyTime, ...]
    checklist: tuple[ChecklistRow, ...]
    notifications: tuple[NotificationState, ...]
    ack_targets: dict[str, datetime]
    reports: tuple[ReportRow, ...]
    followups: tuple[FollowupItem, ...]
    progress: tuple[tuple[datetime, int, int], ...]  # (when, resolved, total)
    max_headcount: int
    ended_at: datetime
    as_of: datetime  # the last event shown (the export itself): "overdue" is as of then

    @property
    def duration(self) -> timedelta:
        return self.ended_at - self.state.opened_at


def level_history(events: Sequence[Event]) -> tuple[LevelStep, ...]:
    steps = []
    for e in events:
        if e.kind == "opened":
            steps.append(LevelStep(e.occurred_at, Level(e.payload["level"]), "", e.recorded_by))
        elif e.kind == "level_changed":
            p = e.payload
            steps.append(
                LevelStep(e.occurred_at, Level(p["to"]), p.get("reason", ""), e.recorded_by)
            )
    return tuple(steps)


def _text(state: IncidentState, item_id: str) -> Bilingual:
    item = state.plan_item(item_id)
    return item.text if item else Bilingual(item_id, item_id)


def checklist_rows(state: IncidentState, now: datetime) -> tuple[ChecklistRow, ...]:
    rows = []
    for item in state.checklist:
        plan_item = state.plan_item(item.id)
        phase = state.plan.phase_title(plan_item.phase) if state.plan and plan_item else None
        due = item_due_at(state, plan_item) if plan_item else None
        rows.append(
            ChecklistRow(
                phase or Bilingual("", ""),
                _text(state, item.id),
                item.status,
                item.by,
                item.at,
                item.note,
                due,
                is_late(item.status, item.at, due, now),
            )
        )
    return tuple(rows)


def report_rows(state: IncidentState, events: Sequence[Event]) -> tuple[ReportRow, ...]:
    """Situation reports filed (首报, 续报, 终报), and report items ticked on the checklist."""
    rows = [
        ReportRow(r.filed_at, r.by, REPORT_KINDS.get(r.kind, Bilingual(r.kind, r.kind)), r.late)
        for r in state.reports
    ]
    for e in events:
        if e.kind == "item_ticked" and e.payload["item"] in REPORT_ITEMS:
            rows.append(ReportRow(e.occurred_at, e.recorded_by, _text(state, e.payload["item"])))
    return tuple(sorted(rows, key=lambda r: r.at))


def ack_targets(state: IncidentState) -> dict[str, datetime]:
    """When each planned notification had to be acknowledged by, from the pinned plan."""
    plan = {n.id: n for n in state.plan.notifications} if state.plan else {}
    return {
        n.id: n.planned_at + timedelta(seconds=plan[n.id].ack_within)
        for n in state.notifications
        if n.id in plan
    }


def _first_report(state: IncidentState, reports: Sequence[ReportRow]) -> KeyTime:
    target = next((t.due_at for t in state.timers if t.id == FIRST_REPORT_TIMER), None)
    first = next((r for r in state.reports if r.kind == "first"), None)
    if first is not None:
        return KeyTime("export.key.first_report", NONE, first.filed_at, first.due_at or target)
    firsts = {_text(state, i) for i in FIRST_REPORT_ITEMS}
    at = min((r.at for r in reports if r.text in firsts), default=None)
    return KeyTime("export.key.first_report", NONE, at, target)


def _on_scene(state: IncidentState, events: Sequence[Event]) -> list[KeyTime]:
    times = []
    for row in state.checklist:
        if row.id.endswith(ON_SCENE_SUFFIX) and row.status is ItemStatus.DONE:
            plan_item = state.plan_item(row.id)
            due = item_due_at(state, plan_item) if plan_item else None
            times.append(KeyTime("export.key.on_scene", _text(state, row.id), row.at, due))
    for d in state.dispatches:
        if ON_SCENE in d.times:
            kind = resource_kind(state, d.resource)
            label = kind.label if kind else Bilingual(d.resource, d.resource)
            times.append(KeyTime("export.key.on_scene", label, d.times[ON_SCENE], d.eta_at))
    return times


def key_times(
    state: IncidentState,
    events: Sequence[Event],
    reports: Sequence[ReportRow],
    units: Mapping[str, Bilingual],
) -> tuple[KeyTime, ...]:
    targets = ack_targets(state)
    acks = [
        KeyTime(
            "export.key.ack",
            units.get(n.unit, Bilingual(n.unit, n.unit)),  # the unit by its name
            n.acknowledged_at,
            targets.get(n.id),
        )
        for n in state.notifications
    ]
    return (
        KeyTime("export.key.opened", NONE, state.opened_at),
        _first_report(state, reports),
        *acks,
        *_on_scene(state, events),
        KeyTime("export.key.contained", NONE, state.status_reached.get(Status.CONTAINED)),
        KeyTime("export.key.closed", NONE, state.closed_at),
    )


def progress_steps(events: Sequence[Event]) -> tuple[tuple[datetime, int, int], ...]:
    """The checklist's (resolved, total) after each change, for the chart's step line."""
    resolved: dict[str, bool] = {}
    steps: list[tuple[datetime, int, int]] = []
    moves = {"item_ticked": True, "item_skipped": True, "item_unticked": False}
    for e in events:
        if e.kind == "checklist_item_added":
            resolved[e.payload["item"]] = False
        elif e.kind in moves:
            resolved[e.payload["item"]] = moves[e.kind]
        elif e.kind != "item_blocked":
            continue
        point = (e.occurred_at, sum(resolved.values()), len(resolved))
        if steps and steps[-1][0] == e.occurred_at:
            steps[-1] = point
        else:
            steps.append(point)
    return tuple(steps)


def build_report(view: ExportView, units: Mapping[str, Bilingual] | None = None) -> Report:
    state, events = view.state, view.events
    reports = report_rows(state, events)
    as_of = events[-1].occurred_at if events else state.updated_at
    counts = [e.payload["to"] for e in events if e.kind == "headcount_updated"]
    return Report(
        state=state,
        events=events,
        redacted=view.redacted,
        level_history=level_history(events),
        key_times=key_times(state, events, reports, units or {}),
        checklist=checklist_rows(state, as_of),
        notifications=state.notifications,
        ack_targets=ack_targets(state),
        reports=reports,
        followups=state.followups,
        progress=progress_steps(events),
        max_headcount=max([state.headcount, *counts]),
        ended_at=state.closed_at or state.updated_at,
        as_of=as_of,
    )
