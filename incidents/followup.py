"""After the incident (善后, 督查督办): follow-up items with their statutory deadlines, pure.

When an incident closes, ``settle`` adds one ``followup_added`` event for each aftermath
item of the pinned plan that is not resolved yet, with its deadline:

* the handling unit's result (``unit_reports_result``): within one month of the close, a
  calendar month in the office's time zone (the 31st becomes the month's last day);
* the written reply to the visitor (``reply_to_visitor``): within 60 days of acceptance
  (the time ``register_matter`` was done, else the incident's opening, when the matter
  was received); one extension of at most 30 days, with its reason;
* any other aftermath item: the plan's own deadline, or none.

A leader's instruction (``instruction_recorded``) brings two items: delivered to the
handling unit the same day (by midnight in the office's time zone), checked on site
within a week. Each item is closed only with its evidence. Reopening and closing again
adds nothing twice: the items are reconciled by id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import relativedelta

from incidents import validate
from incidents.authz import Action
from incidents.canonical import format_time, parse_time
from incidents.errors import IllegalTransition, InvalidCommand, Named, NotFound, Param
from incidents.events import Event, EventDraft
from incidents.kinds import Status
from incidents.settle import item_due_at
from incidents.state import FollowupItem, IncidentState

AFTERMATH = "aftermath"
REGISTER, UNIT_RESULT, REPLY = "register_matter", "unit_reports_result", "reply_to_visitor"
STATUTORY = {UNIT_RESULT: "unit_result", REPLY: "reply"}  # plan item id -> rule
REPLY_DAYS, MAX_EXTENSION_DAYS, CHECK_DAYS = 60, 30, 7
MAX_EVIDENCE = 2000
OFFICE_ZONE = "Asia/Shanghai"


@dataclass(frozen=True, slots=True)
class CompleteFollowup:
    """Close a follow-up item with its evidence (what was done, the document's reference)."""

    action: ClassVar[Action] = Action.WORK_FOLLOWUP
    allowed_when_closed: ClassVar[bool] = True
    item: str
    evidence: str


@dataclass(frozen=True, slots=True)
class ExtendReply:
    """The one extension of the written reply's deadline, at most 30 days, with its reason."""

    action: ClassVar[Action] = Action.EXTEND_REPLY
    allowed_when_closed: ClassVar[bool] = True
    days: int
    reason: str


@dataclass(frozen=True, slots=True)
class RecordInstruction:
    """A leader's written instruction (批示): delivered the same day, checked within a week."""

    action: ClassVar[Action] = Action.WORK_FOLLOWUP
    allowed_when_closed: ClassVar[bool] = True
    text: str
    zone: str = OFFICE_ZONE


# --- deadlines ---------------------------------------------------------------


def add_month(when: datetime, zone: str = OFFICE_ZONE) -> datetime:
    """The same office time one calendar month later (the 31st becomes the month's last day).

    Counted on the office's calendar, not UTC's: 06:00 on 31 January in Shanghai is still
    30 January in UTC, and a month after that would be 1 March in the office.
    """
    local = when.astimezone(ZoneInfo(zone)) + relativedelta(months=1)
    return local.astimezone(when.tzinfo)


def end_of_day(when: datetime, zone: str) -> datetime:
    """Midnight at the end of `when`'s day in the office's time zone."""
    local = when.astimezone(ZoneInfo(zone))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return midnight.astimezone(when.tzinfo)


def accepted_at(state: IncidentState) -> datetime:
    """When the matter was accepted: `register_matter` done, else the incident's opening."""
    item = state.item(REGISTER)
    return item.at if item is not None and item.status.resolved and item.at else state.opened_at


def due_for(state: IncidentState, item_id: str, closed_at: datetime, zone: str) -> datetime | None:
    rule = STATUTORY.get(item_id)
    if rule == "unit_result":
        return add_month(closed_at, zone)
    if rule == "reply":
        return accepted_at(state) + timedelta(days=REPLY_DAYS)
    plan_item = state.plan_item(item_id)
    return item_due_at(state, plan_item) if plan_item else None


def is_overdue(item: FollowupItem, now: datetime) -> bool:
    return not item.done and item.due_at is not None and item.due_at < now


# --- what closing brings -----------------------------------------------------


def wanted(state: IncidentState) -> list[str]:
    """The follow-up items a closed incident needs: its unresolved aftermath items."""
    plan_ids = [i.id for i in state.plan.items if i.phase == AFTERMATH] if state.plan else []
    ids = [i for i in plan_ids if (s := state.item(i)) is not None and not s.status.resolved]
    planned = {i.id for i in state.plan.items} if state.plan else set()
    return ids + [i for i in STATUTORY if i not in planned]  # the law applies without a plan


def settle(state: IncidentState, zone: str = OFFICE_ZONE) -> list[EventDraft]:
    """`followup_added` for each item a closed incident still lacks; `zone` is the office's."""
    if state.status is not Status.CLOSED or state.closed_at is None:
        return []
    have = {f.id for f in state.followups}
    drafts = []
    for item_id in wanted(state):
        if item_id not in have:
            due = due_for(state, item_id, state.closed_at, zone)
            payload = {
                "item": item_id,
                "rule": STATUTORY.get(item_id, "plan"),
                "due_at": format_time(due) if due else None,
            }
            drafts.append(EventDraft("followup_added", payload))
    return drafts


# --- commands ----------------------------------------------------------------


def _followup(state: IncidentState, item_id: str) -> FollowupItem:
    found = next((f for f in state.followups if f.id == item_id), None)
    if found is None:
        raise NotFound(
            "followup.unknown_item", f"no follow-up item {item_id!r} on this incident", field="item"
        )
    return found


def shown(state: IncidentState, item: FollowupItem) -> Param:
    """A follow-up item in a refusal: the plan's text, else what its rule calls it."""
    plan_item = state.plan_item(item.id)
    return plan_item.text if plan_item else Named("followup.rule", item.rule)


def decide_complete(state: IncidentState, cmd: CompleteFollowup) -> list[EventDraft]:
    evidence = validate.text(cmd.evidence, "evidence", max_len=MAX_EVIDENCE)
    if (item := _followup(state, cmd.item)).done:
        raise IllegalTransition(
            "followup.already_done",
            f"follow-up item {cmd.item} is already done",
            field="item",
            item=shown(state, item),
        )
    return [EventDraft("followup_done", {"item": cmd.item, "evidence": evidence})]


def decide_extend(state: IncidentState, cmd: ExtendReply) -> list[EventDraft]:
    reason = validate.text(cmd.reason, "reason", max_len=MAX_EVIDENCE)
    days = validate.count(cmd.days, "days", low=1, high=MAX_EXTENSION_DAYS)
    reply = next((f for f in state.followups if f.rule == "reply"), None)
    if reply is None or reply.due_at is None:
        raise NotFound(
            "followup.no_reply_due", "no written reply is due on this incident yet", field="days"
        )
    if reply.done:
        raise IllegalTransition(
            "followup.reply_given", "the written reply has already been given", field="days"
        )
    if reply.extended_days:
        raise IllegalTransition(
            "followup.extended_once", "the reply deadline was already extended once", field="days"
        )
    due = format_time(reply.due_at + timedelta(days=days))
    payload = {"item": reply.id, "days": days, "reason": reason, "due_at": due}
    return [EventDraft("reply_extended", payload)]


def decide_instruction(state: IncidentState, cmd: RecordInstruction) -> list[EventDraft]:
    text = validate.text(cmd.text, "text", max_len=MAX_EVIDENCE)
    try:
        ZoneInfo(cmd.zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidCommand(
            "followup.zone_unknown", f"unknown time zone {cmd.zone!r}", field="zone"
        ) from None
    n = 1 + sum(f.rule == "deliver" for f in state.followups)
    return [EventDraft("instruction_recorded", {"n": n, "text": text, "zone": cmd.zone})]


# --- the fold ----------------------------------------------------------------


def _due(text: str | None) -> datetime | None:
    return parse_time(text) if text else None


def apply_added(s: IncidentState, e: Event) -> IncidentState:
    p = e.payload
    item = FollowupItem(p["item"], p["rule"], e.occurred_at, _due(p.get("due_at")))
    return replace(s, followups=(*s.followups, item))


def _change(s: IncidentState, item_id: str, **changes: Any) -> IncidentState:
    items = tuple(replace(f, **changes) if f.id == item_id else f for f in s.followups)
    return replace(s, followups=items)


def apply_done(s: IncidentState, e: Event) -> IncidentState:
    p = e.payload
    return _change(
        s, p["item"], done=True, by=e.recorded_by, at=e.occurred_at, evidence=p["evidence"]
    )


def apply_extended(s: IncidentState, e: Event) -> IncidentState:
    p = e.payload
    return _change(
        s,
        p["item"],
        due_at=parse_time(p["due_at"]),
        extended_days=p["days"],
        extension_reason=p["reason"],
    )


def apply_instruction(s: IncidentState, e: Event) -> IncidentState:
    p, at = e.payload, e.occurred_at
    base = f"instruction:{p['n']}"
    deliver = FollowupItem(
        f"{base}:deliver", "deliver", at, end_of_day(at, p["zone"]), detail=p["text"]
    )
    check = FollowupItem(
        f"{base}:check", "check", at, at + timedelta(days=CHECK_DAYS), detail=p["text"]
    )
    return replace(s, followups=(*s.followups, deliver, check))


HANDLERS: dict[type[Any], Callable[[IncidentState, Any], list[EventDraft]]] = {
    CompleteFollowup: decide_complete,
    ExtendReply: decide_extend,
    RecordInstruction: decide_instruction,
}
APPLIERS: dict[str, Callable[[IncidentState, Event], IncidentState]] = {
    "followup_added": apply_added,
    "followup_done": apply_done,
    "reply_extended": apply_extended,
    "instruction_recorded": apply_instruction,
}
