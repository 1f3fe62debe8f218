"""What the pinned plan says must follow from the incident's state, as events.

``settle(state)`` is a reconciliation, so it is naturally exactly-once: an item is added
when its level is reached and it is not on the checklist yet; a notification is planned
when its trigger has happened and it is not planned yet; a timer is set when its anchor
is known and it is not set yet. Lowering the level removes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from incidents.canonical import format_time, parse_time
from incidents.events import Event, EventDraft
from incidents.kinds import ItemStatus, Level, Status
from incidents.plan import Plan, PlanItem
from incidents.state import IncidentState, NotificationState, Timer

FIRST_REPORT_TIMER = "report:first"
PLAYBOOK_RULE = "playbook_rule"  # a level_changed event's rule: the pinned plan's level rule


def settle(state: IncidentState) -> list[EventDraft]:
    plan = state.plan
    if plan is None:
        return []
    raised = _level_rules(state, plan)
    if raised:  # the next round adds what the new level brings
        return raised
    return [*_items(state, plan), *_notifications(state, plan), *_timers(state, plan)]


def _level_rules(state: IncidentState, plan: Plan) -> list[EventDraft]:
    for rule in plan.level_rules:
        if rule.holds(state.headcount, state.injured) and rule.raise_to.rank > state.level.rank:
            payload = {
                "from": state.level.value,
                "to": rule.raise_to.value,
                # the rule that fired, as data: each reader's language says it
                # (server/incident/timeline.py)
                "rule": PLAYBOOK_RULE,
                "playbook": plan.playbook_id,
                "headcount_at_least": rule.headcount_at_least,
                "injured": rule.injured,
            }
            return [EventDraft("level_changed", payload)]
    return []


def _items(state: IncidentState, plan: Plan) -> list[EventDraft]:
    added = {i.id for i in state.checklist}
    return [
        EventDraft("checklist_item_added", {"item": i.id})
        for i in plan.items
        if state.level.rank >= i.min_level.rank and i.id not in added
    ]


def reached(state: IncidentState, trigger: str) -> bool:
    """Has the moment named by a plan trigger happened?"""
    kind, _, arg = trigger.partition(":")
    if kind in ("open", "opened"):
        return True
    if kind == "level":
        return any(lv.rank >= Level(arg).rank for lv in state.level_reached)
    if kind == "status":
        return Status(arg) in state.status_reached
    item = state.item(arg)
    return item is not None and item.status is ItemStatus.DONE


def _notifications(state: IncidentState, plan: Plan) -> list[EventDraft]:
    planned = {n.id for n in state.notifications}
    return [
        EventDraft("notification_planned", {"notification": n.id, "unit": n.unit, "on": n.on})
        for n in plan.notifications
        if n.id not in planned and reached(state, n.on)
    ]


def anchor_time(state: IncidentState, anchor: str) -> datetime | None:
    kind, _, arg = anchor.partition(":")
    if kind == "opened":
        return state.opened_at
    if kind == "level":
        times = [t for lv, t in state.level_reached.items() if lv.rank >= Level(arg).rank]
        return min(times, default=None)
    item = state.item(arg)
    return item.at if item is not None and item.status is ItemStatus.DONE else None


def item_due_at(state: IncidentState, item: PlanItem) -> datetime | None:
    if item.due_after is None or item.due_within is None:
        return None
    start = anchor_time(state, item.due_after)
    return start + timedelta(seconds=item.due_within) if start else None


def _timer(timer_id: str, kind: str, ref: str, due: datetime) -> EventDraft:
    return EventDraft(
        "timer_set", {"timer": timer_id, "kind": kind, "ref": ref, "due_at": format_time(due)}
    )


def _timers(state: IncidentState, plan: Plan) -> list[EventDraft]:
    have = {t.id for t in state.timers}
    drafts = []
    if FIRST_REPORT_TIMER not in have:
        due = state.opened_at + timedelta(seconds=plan.first_report_within)
        drafts.append(_timer(FIRST_REPORT_TIMER, "report_due", "first", due))
    for added in state.checklist:
        if f"item:{added.id}" in have:
            continue
        plan_item = plan.item(added.id)
        item_due = item_due_at(state, plan_item) if plan_item else None
        if item_due is not None:
            drafts.append(_timer(f"item:{added.id}", "item_due", added.id, item_due))
    return drafts


def apply_planned(s: IncidentState, e: Event) -> IncidentState:
    p = e.payload
    planned = NotificationState(p["notification"], p["unit"], p["on"], e.occurred_at)
    return replace(s, notifications=(*s.notifications, planned))


def apply_timer(s: IncidentState, e: Event) -> IncidentState:
    p = e.payload
    timer = Timer(p["timer"], p["kind"], p["ref"], parse_time(p["due_at"]))
    return replace(s, timers=(*s.timers, timer))


APPLIERS = {"notification_planned": apply_planned, "timer_set": apply_timer}
