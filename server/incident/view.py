"""An incident as its pages draw it: the domain's facts derived once, so templates only show.

A template asks `v.can.tick`, `v.item_due[id]`, `v.report_due`; it never calls the domain's
rules itself. The hub builds one `Sheet` per (state, role) and renders every fragment of a
group from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from incidents.authz import Action, is_allowed
from incidents.kinds import Role
from incidents.reports import Due, next_due
from incidents.settle import item_due_at
from incidents.state import IncidentState
from server.welfare.view import CheckView, check_views


@dataclass(frozen=True, slots=True)
class Can:
    """What the role may do on this incident now (closed: only what a closed one allows)."""

    headcount: bool = False
    reopen: bool = False
    assign: bool = False
    level: bool = False
    dispatch: bool = False
    move_resource: bool = False
    phone_ack: bool = False
    direct: bool = False  # the commander's panel: assign or change the level
    evidence: bool = False  # see attached files (thumbnails, originals), not only their names

    @classmethod
    def of(cls, role: Role, state: IncidentState) -> Can:
        def may(action: Action) -> bool:
            return is_allowed(role, action)

        live = state.is_open
        return cls(
            headcount=live and may(Action.UPDATE_HEADCOUNT),
            reopen=may(Action.REOPEN),
            assign=may(Action.ASSIGN_COMMANDER),
            level=may(Action.CHANGE_LEVEL),
            dispatch=live and may(Action.DISPATCH_RESOURCE),
            move_resource=live and may(Action.MOVE_RESOURCE),
            phone_ack=role in (Role.DUTY_OFFICER, Role.COMMANDER),
            direct=may(Action.ASSIGN_COMMANDER) or may(Action.CHANGE_LEVEL),
            evidence=may(Action.VIEW_EVIDENCE),
        )


@dataclass(frozen=True, slots=True)
class Sheet:
    state: IncidentState
    can: Can
    report_due: Due | None
    report_flagged: bool  # the worker marked the pending report late
    item_due: Mapping[str, datetime]  # the deadline of each open item that has one
    checks: tuple[CheckView, ...] = ()  # the plan's welfare checks
    can_check: bool = False  # may start, stop and record them


def sheet(state: IncidentState, role: Role) -> Sheet:
    due = next_due(state)
    flagged = due is not None and any(r.key == due.key for r in state.reports_overdue)
    can_check = state.is_open and is_allowed(role, Action.WORK_CHECKLIST)
    checks = check_views(state)
    return Sheet(state, Can.of(role, state), due, flagged, item_dues(state), checks, can_check)


def item_dues(state: IncidentState) -> Mapping[str, datetime]:
    dues = {}
    for item in state.checklist:
        plan_item = state.plan_item(item.id)
        due = item_due_at(state, plan_item) if plan_item and not item.status.resolved else None
        if due is not None:
            dues[item.id] = due
    return MappingProxyType(dues)
