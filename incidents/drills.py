"""Drills (应急演练): an incident marked as a drill from its opening event, on its own clock.

The `opened` event carries `drill: true` and the run (script, run id, speed, auto, by), on the
hash chain. Compression lives in the plan the drill is pinned to: every deadline,
acknowledgement window and escalation of the playbook divided by the speed, so the workers'
arithmetic needs nothing new and a real incident beside it keeps real time. The run's own
moves (an inject played, paused, resumed, ended) are events of its first incident.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, ClassVar

from incidents import validate
from incidents.authz import Action
from incidents.errors import IllegalTransition, InvalidCommand
from incidents.events import Event, EventDraft
from incidents.kinds import Status
from incidents.plan import Plan, PlanNotification
from incidents.state import DrillMark, IncidentState

MAX_SPEED = 3600
DRILL_FIELDS = ("drill_script", "drill_run", "drill_speed", "drill_main", "drill_auto", "drill_by")


def check_speed(speed: int) -> int:
    return validate.count(speed, "speed", low=1, high=MAX_SPEED)


def opened_fields(mark: DrillMark) -> dict[str, Any]:
    """The drill's part of the `opened` payload (flat, like a link's)."""
    return {
        "drill": True,
        "drill_script": validate.text(mark.script, "script", max_len=64),
        "drill_run": validate.text(mark.run, "run", max_len=64),
        "drill_speed": check_speed(mark.speed),
        "drill_main": bool(mark.main),
        "drill_auto": bool(mark.auto),
        "drill_by": validate.text(mark.by, "by", max_len=200, required=False),
    }


def opened_mark(payload: Mapping[str, Any]) -> DrillMark | None:
    if payload.get("drill") is not True:
        return None
    return DrillMark(
        script=payload["drill_script"],
        run=payload["drill_run"],
        speed=payload["drill_speed"],
        main=payload["drill_main"],
        auto=payload["drill_auto"],
        by=payload["drill_by"],
    )


def _scaled(seconds: int | None, speed: int) -> int | None:
    return None if seconds is None else max(1, round(seconds / speed))


def compressed(plan: Plan, speed: int) -> Plan:
    """The plan on a drill's clock: each deadline, ack window and escalation ÷ speed."""
    if speed == 1:
        return plan
    s = partial_scale(speed)
    items = tuple(replace(i, due_within=s(i.due_within)) for i in plan.items)
    notes = tuple(_scaled_notification(n, speed) for n in plan.notifications)
    digest = hashlib.sha256(f"{plan.hash}/drill-speed-{speed}".encode()).hexdigest()
    return replace(
        plan,
        hash=digest,
        items=items,
        notifications=notes,
        first_report_within=s(plan.first_report_within) or 1,
        followup_every=s(plan.followup_every) or 1,
    )


def partial_scale(speed: int) -> Callable[[int | None], int | None]:
    return lambda seconds: _scaled(seconds, speed)


def _scaled_notification(n: PlanNotification, speed: int) -> PlanNotification:
    return replace(
        n,
        ack_within=_scaled(n.ack_within, speed) or 1,
        renotify_after=_scaled(n.renotify_after, speed),
        alert_after=_scaled(n.alert_after, speed),
    )


def plan_for(plan: Plan, mark: DrillMark | None) -> Plan:
    """The plan an opening pins: the playbook's, compressed for a drill."""
    return plan if mark is None else compressed(plan, check_speed(mark.speed))


def drill_seconds(mark: DrillMark, opened_at: datetime, now: datetime) -> float:
    """Seconds on the drill's clock (the script's offsets) at the real moment `now`."""
    end = mark.ended_at or mark.paused_at or now
    return max(0.0, ((end - opened_at).total_seconds() - mark.paused_seconds) * mark.speed)


def real_target(seconds: int | None, mark: DrillMark | None) -> int | None:
    """A pinned plan's time as the playbook wrote it (a drill's plan is divided)."""
    return seconds if seconds is None or mark is None else seconds * mark.speed


# --- the run's commands -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlayInject:
    """Inject number `n` of the script happened (played by the script, or prompted)."""

    action: ClassVar[Action] = Action.RUN_DRILL
    n: int
    do: str
    auto: bool
    prompt_zh: str = ""
    prompt_en: str = ""


@dataclass(frozen=True, slots=True)
class PauseDrill:
    action: ClassVar[Action] = Action.RUN_DRILL


@dataclass(frozen=True, slots=True)
class ResumeDrill:
    action: ClassVar[Action] = Action.RUN_DRILL


@dataclass(frozen=True, slots=True)
class EndDrill:
    action: ClassVar[Action] = Action.RUN_DRILL
    allowed_when_closed: ClassVar[bool] = True
    stopped: bool = False  # by hand; else the script ran to its end


def _running(state: IncidentState) -> DrillMark:
    mark = state.drill
    if mark is None:
        raise InvalidCommand("drill.not_a_drill", "this incident is not a drill")
    if mark.ended_at is not None:
        raise IllegalTransition("drill.ended", "the drill has ended")
    return mark


def decide_inject(state: IncidentState, cmd: PlayInject) -> list[EventDraft]:
    mark = _running(state)
    if cmd.n != mark.played:
        raise IllegalTransition("drill.inject_order", f"inject {mark.played} is next")
    payload: dict[str, Any] = {"n": cmd.n, "do": validate.text(cmd.do, "do", max_len=20)}
    payload["auto"] = bool(cmd.auto)
    if cmd.prompt_zh or cmd.prompt_en:
        payload["prompt"] = {
            "zh": validate.text(cmd.prompt_zh, "prompt_zh", max_len=500),
            "en": validate.text(cmd.prompt_en, "prompt_en", max_len=500),
        }
    return [EventDraft("drill_inject", payload)]


def decide_pause(state: IncidentState, cmd: PauseDrill) -> list[EventDraft]:
    if _running(state).paused_at is not None:
        raise IllegalTransition("drill.paused", "the drill is already paused")
    return [EventDraft("drill_paused", {})]


def decide_resume(state: IncidentState, cmd: ResumeDrill) -> list[EventDraft]:
    if _running(state).paused_at is None:
        raise IllegalTransition("drill.not_paused", "the drill is not paused")
    return [EventDraft("drill_resumed", {})]


def decide_end(state: IncidentState, cmd: EndDrill) -> list[EventDraft]:
    """The drill's end; its incidents close with it, so an exercise over leaves the board
    and its timers (escalations, report deadlines) stop, as a real incident's do on closing."""
    _running(state)
    ended = EventDraft("drill_ended", {"reason": "stopped" if cmd.stopped else "script"})
    if not state.is_open:
        return [ended]
    # lifecycle.status_change's event, made here: lifecycle imports this module
    closed = {"from": state.status.value, "to": Status.CLOSED.value, "reason": ""}
    return [ended, EventDraft("status_changed", closed)]


def _mark(s: IncidentState) -> DrillMark:
    assert s.drill is not None  # the commands above refuse anything else
    return s.drill


def apply_inject(s: IncidentState, e: Event) -> IncidentState:
    return replace(s, drill=replace(_mark(s), played=e.payload["n"] + 1))


def apply_paused(s: IncidentState, e: Event) -> IncidentState:
    return replace(s, drill=replace(_mark(s), paused_at=e.occurred_at))


def apply_resumed(s: IncidentState, e: Event) -> IncidentState:
    mark = _mark(s)
    since = mark.paused_at or e.occurred_at
    spent = mark.paused_seconds + (e.occurred_at - since).total_seconds()
    return replace(s, drill=replace(mark, paused_at=None, paused_seconds=spent))


def apply_ended(s: IncidentState, e: Event) -> IncidentState:
    return replace(s, drill=replace(_mark(s), ended_at=e.occurred_at))


HANDLERS: dict[type[Any], Callable[[IncidentState, Any], list[EventDraft]]] = {
    PlayInject: decide_inject,
    PauseDrill: decide_pause,
    ResumeDrill: decide_resume,
    EndDrill: decide_end,
}
APPLIERS: dict[str, Callable[[IncidentState, Event], IncidentState]] = {
    "drill_inject": apply_inject,
    "drill_paused": apply_paused,
    "drill_resumed": apply_resumed,
    "drill_ended": apply_ended,
}
