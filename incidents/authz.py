"""Which role may do what: one table, checked on every command."""

from __future__ import annotations

from enum import StrEnum

from incidents.errors import NotAuthorized
from incidents.kinds import Role


class Action(StrEnum):
    OPEN = "open_incident"
    ADD_NOTE = "add_note"
    UPDATE_HEADCOUNT = "update_headcount"
    CHANGE_LEVEL = "change_level"
    CHANGE_STATUS = "change_status"
    CLOSE = "close_incident"
    REOPEN = "reopen_incident"
    ASSIGN_COMMANDER = "assign_commander"
    WORK_CHECKLIST = "work_checklist"


_D, _S, _C = Role.DUTY_OFFICER, Role.ONSITE_STAFF, Role.COMMANDER

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.OPEN: frozenset({_D, _C}),
    Action.ADD_NOTE: frozenset({_D, _S, _C}),
    Action.UPDATE_HEADCOUNT: frozenset({_D, _S, _C}),
    Action.CHANGE_LEVEL: frozenset({_C}),
    Action.CHANGE_STATUS: frozenset({_C}),
    Action.CLOSE: frozenset({_C}),
    Action.REOPEN: frozenset({_C}),
    Action.ASSIGN_COMMANDER: frozenset({_D, _C}),
    Action.WORK_CHECKLIST: frozenset({_D, _S, _C}),
}


def is_allowed(role: Role, action: Action) -> bool:
    return role in PERMISSIONS[action]


def authorize(role: Role, action: Action) -> None:
    if not is_allowed(role, action):
        raise NotAuthorized(f"role {role} may not {action}", role=role.value, action=action.value)
