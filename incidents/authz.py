"""Which role may do what: one table, checked on every command."""

from __future__ import annotations

from enum import StrEnum

from incidents.errors import Named, NotAuthorized
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
    EXPORT = "export_incident"
    EXPORT_FULL = "export_incident_full"
    WORK_FOLLOWUP = "work_followup"
    EXTEND_REPLY = "extend_reply"
    RECORD_DELIVERY = "record_delivery"  # the dispatcher and timer workers
    ACKNOWLEDGE_NOTIFICATION = "acknowledge_notification"  # a unit, by link or API
    RECORD_PHONE_ACK = "record_phone_ack"  # "acknowledged by phone", by a duty officer
    RESEND_NOTIFICATION = "resend_notification"
    DISPATCH_RESOURCE = "dispatch_resource"  # request a resource for the incident
    MOVE_RESOURCE = "move_resource"  # dispatched, en route, on scene, released; its ETA
    FILE_REPORT = "file_report"  # a situation report: first, follow-up, final
    DECLARE_CONFLICT = "declare_conflict"  # others: commander/admin; anyone: themself
    VIEW_EVIDENCE = "view_evidence"  # open an attached file (a photo of a visitor, a recording)
    RUN_DRILL = "run_drill"  # play, pause, resume, end a drill


_D, _S, _C, _A = Role.DUTY_OFFICER, Role.ONSITE_STAFF, Role.COMMANDER, Role.ADMIN

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
    Action.EXPORT: frozenset({_D, _C, _A}),  # redacted: a visitor's details removed
    Action.EXPORT_FULL: frozenset({_C, _A}),  # with the visitor's details, when asked for
    Action.WORK_FOLLOWUP: frozenset({_D, _C}),
    Action.EXTEND_REPLY: frozenset({_C}),
    Action.RECORD_DELIVERY: frozenset({Role.SYSTEM}),
    Action.ACKNOWLEDGE_NOTIFICATION: frozenset({Role.SYSTEM}),  # the signed link is the right
    Action.RECORD_PHONE_ACK: frozenset({_D, _C}),
    Action.RESEND_NOTIFICATION: frozenset({_D, _C}),
    Action.DISPATCH_RESOURCE: frozenset({_C}),
    Action.MOVE_RESOURCE: frozenset({_D, _S, _C}),
    Action.FILE_REPORT: frozenset({_D, _C}),
    Action.DECLARE_CONFLICT: frozenset({_D, _S, _C, _A}),
    Action.VIEW_EVIDENCE: frozenset({_D, _S, _C, _A}),  # not a viewer: the timeline only
    Action.RUN_DRILL: frozenset({_C, _A}),  # the script's own moves: as the commander it runs for
}


def is_allowed(role: Role, action: Action) -> bool:
    return role in PERMISSIONS[action]


def authorize(role: Role, action: Action) -> None:
    if not is_allowed(role, action):
        raise NotAuthorized(
            "role.forbidden",
            f"role {role} may not {action}",
            role=Named("role", role.value),
            action=Named("action", action.value),
        )
