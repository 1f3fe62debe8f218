"""Welfare checks on the visitor (绝食、静坐、自伤风险的定时观察): recurring observations.

A check of the pinned plan runs from the opening, or from when one of its `starts_with`
items is ticked, until one of its `stops_with` items is, or someone stops it. While it runs,
the next check is due `every` after it started, after the last check recorded, or after the
last check missed; it is missed once `grace` has passed too. The deadline worker then records
`welfare_check_missed` (once per check, keyed by its round) and the plan's units are told.
Every answer is one of the observation's choices; a remark is free text.

When a check is due is derived from the events and the clock, never stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, ClassVar

from incidents import validate
from incidents.authz import Action
from incidents.canonical import format_time, parse_time
from incidents.errors import IllegalTransition, InvalidCommand, NotFound
from incidents.events import Event, EventDraft
from incidents.kinds import ItemStatus
from incidents.plan import PlanCheck
from incidents.state import Actor, CheckRecord, CheckState, IncidentState

MAX_REMARK, MAX_REASON = 1000, 500


@dataclass(frozen=True, slots=True)
class StartCheck:
    action: ClassVar[Action] = Action.WORK_CHECKLIST
    check: str


@dataclass(frozen=True, slots=True)
class StopCheck:
    action: ClassVar[Action] = Action.WORK_CHECKLIST
    check: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class RecordCheck:
    """One observation of the visitor: an answer per observation, and a remark."""

    action: ClassVar[Action] = Action.WORK_CHECKLIST
    check: str
    answers: Mapping[str, str] = field(default_factory=dict)
    remark: str = ""


@dataclass(frozen=True, slots=True)
class MarkCheckMissed:
    """The deadline worker: check number `round` was not recorded in time (the system)."""

    action: ClassVar[Action] = Action.RECORD_DELIVERY
    check: str
    round: int


@dataclass(frozen=True, slots=True)
class Pending:
    """A running check and when its next observation is due, and missed."""

    plan: PlanCheck
    state: CheckState
    due_at: datetime
    missed_at: datetime


def check_state(state: IncidentState, check_id: str) -> CheckState | None:
    return next((c for c in state.welfare if c.id == check_id), None)


def _plan_checks(state: IncidentState) -> list[tuple[PlanCheck, CheckState | None]]:
    """Each check of an open incident's plan, in plan order, with its state once started."""
    if state.plan is None or not state.is_open:
        return []
    return [(pc, check_state(state, pc.id)) for pc in state.plan.checks]


def pending(state: IncidentState) -> list[Pending]:
    """Every running check of an open incident, with its next deadline, in plan order."""
    found = []
    for pc, cs in _plan_checks(state):
        if cs is not None and cs.running:
            due = cs.since + timedelta(seconds=pc.every)
            found.append(Pending(pc, cs, due, due + timedelta(seconds=pc.grace)))
    return found


def missed_now(state: IncidentState, now: datetime) -> list[Pending]:
    """The running checks whose pending observation is past due and grace at `now`."""
    return [p for p in pending(state) if now > p.missed_at]


def overdue(state: IncidentState) -> list[PlanCheck]:
    """The checks recorded as missed with nothing recorded since: the incident shows red."""
    return [p.plan for p in pending(state) if p.state.overdue]


def _plan_check(state: IncidentState, check_id: str) -> PlanCheck:
    found = state.plan.check(check_id) if state.plan else None
    if found is None:
        raise NotFound(
            "welfare.unknown", f"no welfare check {check_id!r} in the plan", field="check"
        )
    return found


def _running(state: IncidentState, pc: PlanCheck) -> CheckState:
    cs = check_state(state, pc.id)
    if cs is None or not cs.running:
        raise IllegalTransition(
            "welfare.not_running", f"check {pc.id} is not running", field="check", check=pc.title
        )
    return cs


def decide_start(state: IncidentState, cmd: StartCheck) -> list[EventDraft]:
    pc = _plan_check(state, cmd.check)
    cs = check_state(state, pc.id)
    if cs is not None and cs.running:
        raise IllegalTransition(
            "welfare.running", f"check {pc.id} is running", field="check", check=pc.title
        )
    return [EventDraft("welfare_check_started", {"check": pc.id, "item": None})]


def decide_stop(state: IncidentState, cmd: StopCheck) -> list[EventDraft]:
    pc = _plan_check(state, cmd.check)
    _running(state, pc)
    reason = validate.text(cmd.reason, "reason", max_len=MAX_REASON, required=False)
    return [EventDraft("welfare_check_stopped", {"check": pc.id, "item": None, "reason": reason})]


def _answers(pc: PlanCheck, given: Mapping[str, str]) -> dict[str, str]:
    """Every observation answered by one of its choices, and nothing else."""
    unknown = sorted(set(given) - {o.id for o in pc.observe})
    if unknown:
        raise InvalidCommand(
            "welfare.unknown_observation", f"unknown observation {unknown[0]!r}", field="answers"
        )
    answers = {}
    for obs in pc.observe:
        answer = given.get(obs.id, "")
        if not answer:
            raise InvalidCommand(
                "welfare.answer_missing",
                f"{obs.id} is not answered",
                field=f"answer_{obs.id}",
                observation=obs.label,
            )
        if obs.choice(answer) is None:
            raise InvalidCommand(
                "welfare.answer_invalid",
                f"{answer!r} is not a choice of {obs.id}",
                field=f"answer_{obs.id}",
                observation=obs.label,
            )
        answers[obs.id] = answer
    return answers


def decide_record(
    state: IncidentState, cmd: RecordCheck, actor: Actor, now: datetime
) -> list[EventDraft]:
    pc = _plan_check(state, cmd.check)
    _running(state, pc)
    due = next(p for p in pending(state) if p.plan.id == pc.id)
    answers = _answers(pc, cmd.answers)
    remark = validate.text(cmd.remark, "remark", max_len=MAX_REMARK, required=False, multiline=True)
    payload = {
        "check": pc.id,
        "round": due.state.round,
        "answers": answers,
        "remark": remark,
        "due_at": format_time(due.due_at),
        "late": now > due.missed_at,
    }
    return [EventDraft("welfare_check_recorded", payload)]


def decide_missed(
    state: IncidentState, cmd: MarkCheckMissed, actor: Actor, now: datetime
) -> list[EventDraft]:
    pc = _plan_check(state, cmd.check)
    found = next((p for p in pending(state) if p.plan.id == pc.id), None)
    if found is None or found.state.round != cmd.round or now <= found.missed_at:
        raise IllegalTransition(
            "welfare.not_missed", f"check {pc.id} #{cmd.round} is not missed", field="round"
        )
    payload = {"check": pc.id, "round": cmd.round, "due_at": format_time(found.due_at)}
    told = [
        EventDraft(
            "notification_planned",
            {
                "notification": f"welfare-{pc.id}-{cmd.round}-{unit}",
                "unit": unit,
                "on": f"check_missed:{pc.id}",
            },
        )
        for unit in pc.notify
    ]
    return [EventDraft("welfare_check_missed", payload), *told]


# --- what the plan says follows: a starts_with or stops_with item ticked -------------


def _ticked(state: IncidentState, items: tuple[str, ...]) -> str | None:
    """The first of `items` that is done, if any."""
    return next((i for i in items if (s := state.item(i)) and s.status is ItemStatus.DONE), None)


def settle(state: IncidentState) -> list[EventDraft]:
    """Start the checks whose moment came, stop those whose end came; each once."""
    drafts = []
    for pc, cs in _plan_checks(state):
        stop_item = _ticked(state, pc.stops_with)
        start_item = _ticked(state, pc.starts_with) if pc.starts_with else None
        by_itself = start_item or not (pc.starts_with or pc.manual)
        if cs is None and stop_item is None and by_itself:
            drafts.append(EventDraft("welfare_check_started", {"check": pc.id, "item": start_item}))
        elif cs is not None and cs.running and stop_item and not cs.auto_stopped:
            payload = {"check": pc.id, "item": stop_item, "reason": ""}
            drafts.append(EventDraft("welfare_check_stopped", payload))
    return drafts


# --- the fold ---------------------------------------------------------------


def _with(state: IncidentState, check: CheckState) -> IncidentState:
    others = tuple(c for c in state.welfare if c.id != check.id)
    if len(others) == len(state.welfare):
        return replace(state, welfare=(*state.welfare, check))
    return replace(state, welfare=tuple(check if c.id == check.id else c for c in state.welfare))


def apply_started(s: IncidentState, e: Event) -> IncidentState:
    p, at = e.payload, e.occurred_at
    cs = check_state(s, p["check"]) or CheckState(p["check"], True, at)
    auto = cs.auto_started or p.get("item") is not None
    return _with(s, replace(cs, running=True, since=at, overdue=False, auto_started=auto))


def apply_stopped(s: IncidentState, e: Event) -> IncidentState:
    cs = check_state(s, e.payload["check"])
    if cs is None:
        return s
    auto = cs.auto_stopped or e.payload.get("item") is not None
    return _with(s, replace(cs, running=False, overdue=False, auto_stopped=auto))


def apply_recorded(s: IncidentState, e: Event) -> IncidentState:
    p = e.payload
    cs = check_state(s, p["check"])
    if cs is None:
        return s
    record = CheckRecord(
        p["round"], e.occurred_at, e.recorded_by, dict(p["answers"]), p["remark"], p["late"]
    )
    records = (*cs.records, record)
    return _with(s, replace(cs, since=e.occurred_at, overdue=False, records=records))


def apply_missed(s: IncidentState, e: Event) -> IncidentState:
    p = e.payload
    cs = check_state(s, p["check"])
    if cs is None:
        return s
    due = parse_time(p["due_at"])
    missed = (*cs.missed, (p["round"], due))
    return _with(s, replace(cs, since=due, overdue=True, missed=missed))


ContextHandler = Callable[[IncidentState, Any, Actor, datetime], list[EventDraft]]

HANDLERS: dict[type[Any], Callable[[IncidentState, Any], list[EventDraft]]] = {
    StartCheck: decide_start,
    StopCheck: decide_stop,
}
CONTEXT_HANDLERS: dict[type[Any], ContextHandler] = {
    RecordCheck: decide_record,
    MarkCheckMissed: decide_missed,
}
APPLIERS = {
    "welfare_check_started": apply_started,
    "welfare_check_stopped": apply_stopped,
    "welfare_check_recorded": apply_recorded,
    "welfare_check_missed": apply_missed,
}
