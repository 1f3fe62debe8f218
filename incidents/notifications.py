"""Notifications to units (信息通报) after they are planned: delivery, acknowledgement (回执),
escalation. The state machine is one table; the commands that move it are below.

    planned → sent → delivered → acknowledged
    planned → failed (every attempt failed)        failed → sent/delivered (a later attempt)
    planned/sent/delivered → escalated (not acknowledged in time)
    anything but acknowledged → acknowledged (link, API, or by phone)

Recording what happened (sent, delivered, failed) never fails: a move missing from the
table leaves the status as it is. Acknowledging and re-sending are refused when the
table has no move, and both are the only notification commands a person issues.

Escalation is counted from the moment the notification was planned (issued), so a
notification that cannot be sent still escalates: at `ack_within` it is sent again
(`renotify`), at `renotify_after` it goes to the unit's other contacts and to the units
in `then` (`next_contact`), at `alert_after` the duty officer and commander are alerted
on the board (`alert`). Without an escalation in the playbook: 2× and 3× `ack_within`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, ClassVar

from incidents import validate
from incidents.authz import Action
from incidents.canonical import format_time
from incidents.errors import IllegalTransition, InvalidCommand, Named, NotFound
from incidents.events import Event, EventDraft
from incidents.kinds import NotificationStatus
from incidents.plan import PlanNotification
from incidents.state import IncidentState, NotificationState

_P, _S, _D = NotificationStatus.PLANNED, NotificationStatus.SENT, NotificationStatus.DELIVERED
_A, _F, _E = (
    NotificationStatus.ACKNOWLEDGED,
    NotificationStatus.FAILED,
    NotificationStatus.ESCALATED,
)

# event kind -> {status before: status after}; a status not listed stays as it is.
MOVES: dict[str, dict[NotificationStatus, NotificationStatus]] = {
    "notification_sent": {_P: _S, _F: _S},
    "notification_delivered": {_P: _D, _S: _D, _F: _D},
    "notification_failed": {_P: _F},  # only the last attempt's failure
    "notification_escalated": {_P: _E, _S: _E, _D: _E},
    "notification_alerted": {},
    "notification_resent": {_F: _P},
    "notification_acknowledged": {_P: _A, _S: _A, _D: _A, _F: _A, _E: _A},
}
OUTCOMES = ("sent", "delivered", "failed")
STEPS = ("renotify", "next_contact", "alert")
VIAS = ("link", "api", "phone")
MAX_NOTE, MAX_BY, MAX_ERROR, MAX_CODE, MAX_ETA = 500, 200, 300, 40, 24 * 60


@dataclass(frozen=True, slots=True)
class RecordDelivery:
    """The dispatcher's report of one attempt to reach one contact (the system issues it)."""

    action: ClassVar[Action] = Action.RECORD_DELIVERY
    allowed_when_closed: ClassVar[bool] = True
    notification: str
    delivery: int  # the outbox row
    outcome: str  # sent, delivered or failed
    unit: str
    contact: str
    channel: str
    attempt: int
    final: bool = False  # a failure after which nothing more is tried
    error: str = ""  # the detail, in English, for the operator
    error_code: str = ""  # what went wrong, for the reader: notify.failure.<code>
    error_status: int | None = None  # the HTTP or SMTP status that came back, if any
    retry_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Escalate:
    """A timer fired and the notification is still unanswered (the system issues it)."""

    action: ClassVar[Action] = Action.RECORD_DELIVERY
    notification: str
    step: str  # renotify, next_contact or alert


@dataclass(frozen=True, slots=True)
class AcknowledgeNotification:
    """A unit answers through its signed link or the API (the token is the right to do it)."""

    action: ClassVar[Action] = Action.ACKNOWLEDGE_NOTIFICATION
    allowed_when_closed: ClassVar[bool] = True
    notification: str
    via: str  # link or api
    by: str
    eta_minutes: int | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class RecordPhoneAcknowledgement:
    """A duty officer records that the unit acknowledged on the phone, and who answered."""

    action: ClassVar[Action] = Action.RECORD_PHONE_ACK
    allowed_when_closed: ClassVar[bool] = True
    notification: str
    by: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class ResendNotification:
    """Send the notification again to every contact of the unit."""

    action: ClassVar[Action] = Action.RESEND_NOTIFICATION
    notification: str
    reason: str = ""


def _find(state: IncidentState, notification_id: str) -> NotificationState:
    found = next((n for n in state.notifications if n.id == notification_id), None)
    if found is None:
        raise NotFound(
            "notification.unknown",
            f"no notification {notification_id!r} on this incident",
            field="notification",
        )
    return found


def _require_move(n: NotificationState, kind: str) -> None:
    if n.status not in MOVES[kind]:
        raise IllegalTransition(
            "notification.move",
            f"notification {n.id} is {n.status}",
            field="notification",
            unit=Named("unit", n.unit),
            status=Named("notify.status", n.status),
        )


def decide_record(state: IncidentState, cmd: RecordDelivery) -> list[EventDraft]:
    _find(state, cmd.notification)
    if cmd.outcome not in OUTCOMES:
        raise InvalidCommand(
            "input.choice",
            f"outcome must be one of {', '.join(OUTCOMES)}",
            field="outcome",
            name=Named("field", "outcome"),
        )
    payload: dict[str, Any] = {
        "notification": cmd.notification,
        "delivery": cmd.delivery,
        "unit": cmd.unit,
        "contact": cmd.contact,
        "channel": cmd.channel,
        "attempt": cmd.attempt,
    }
    if cmd.outcome == "failed":
        payload |= {"final": cmd.final, "error": cmd.error[:MAX_ERROR]}
        if cmd.error_code:
            payload |= {"error_code": cmd.error_code[:MAX_CODE], "error_status": cmd.error_status}
        payload["retry_at"] = format_time(cmd.retry_at) if cmd.retry_at else None
    return [EventDraft(f"notification_{cmd.outcome}", payload)]


def decide_escalate(state: IncidentState, cmd: Escalate) -> list[EventDraft]:
    n = _find(state, cmd.notification)
    if cmd.step not in STEPS:
        raise InvalidCommand(
            "input.choice",
            f"step must be one of {', '.join(STEPS)}",
            field="step",
            name=Named("field", "step"),
        )
    if n.acknowledged:
        raise IllegalTransition(
            "notification.acknowledged",
            f"notification {n.id} is acknowledged: nothing to escalate",
            unit=Named("unit", n.unit),
        )
    if cmd.step == "alert":
        return [EventDraft("notification_alerted", {"notification": n.id, "unit": n.unit})]
    payload = {"notification": n.id, "unit": n.unit, "step": cmd.step, "round": n.round + 1}
    return [EventDraft("notification_escalated", payload)]


def _eta(value: int | None) -> int | None:
    return None if value is None else validate.count(value, "eta_minutes", low=0, high=MAX_ETA)


def _acknowledged(
    n: NotificationState, via: str, by: str, eta: int | None, note: str
) -> EventDraft:
    _require_move(n, "notification_acknowledged")
    payload = {
        "notification": n.id,
        "unit": n.unit,
        "via": via,
        "by": validate.text(by, "by", max_len=MAX_BY, required=False),
        "eta_minutes": _eta(eta),
        "note": validate.text(note, "note", max_len=MAX_NOTE, required=False, multiline=True),
    }
    return EventDraft("notification_acknowledged", payload)


def decide_acknowledge(state: IncidentState, cmd: AcknowledgeNotification) -> list[EventDraft]:
    if cmd.via not in ("link", "api"):
        raise InvalidCommand(
            "input.choice", "via must be link or api", field="via", name=Named("field", "via")
        )
    n = _find(state, cmd.notification)
    return [_acknowledged(n, cmd.via, cmd.by, cmd.eta_minutes, cmd.note)]


def decide_phone_ack(state: IncidentState, cmd: RecordPhoneAcknowledgement) -> list[EventDraft]:
    n = _find(state, cmd.notification)
    _require_move(n, "notification_acknowledged")
    by = validate.text(cmd.by, "by", max_len=MAX_BY)  # on the phone: who answered is the record
    return [_acknowledged(n, "phone", by, None, cmd.note)]


def decide_resend(state: IncidentState, cmd: ResendNotification) -> list[EventDraft]:
    n = _find(state, cmd.notification)
    if n.acknowledged:
        raise IllegalTransition(
            "notification.acknowledged",
            f"notification {n.id} is already acknowledged",
            unit=Named("unit", n.unit),
        )
    reason = validate.text(cmd.reason, "reason", max_len=MAX_NOTE, required=False)
    payload = {"notification": n.id, "unit": n.unit, "round": n.round + 1, "reason": reason}
    return [EventDraft("notification_resent", payload)]


def escalation_steps(plan: PlanNotification) -> tuple[tuple[str, int], ...]:
    """(step, seconds after planning) for a notification of the plan, in order."""
    ack = plan.ack_within
    next_contact = plan.renotify_after if plan.renotify_after is not None else 2 * ack
    alert = plan.alert_after if plan.alert_after is not None else 3 * ack
    return (("renotify", ack), ("next_contact", next_contact), ("alert", alert))


# --- the fold ---------------------------------------------------------------

Stamp = Callable[[NotificationState, Event], NotificationState]

STAMPS: dict[str, Stamp] = {
    "notification_sent": lambda n, e: replace(n, sent_at=n.sent_at or e.occurred_at),
    "notification_delivered": lambda n, e: replace(n, delivered_at=n.delivered_at or e.occurred_at),
    "notification_failed": lambda n, e: replace(
        n,
        last_error=e.payload["error"],
        failed_at=e.occurred_at if e.payload["final"] else n.failed_at,
    ),
    "notification_escalated": lambda n, e: replace(
        n, escalated_at=n.escalated_at or e.occurred_at, round=e.payload["round"]
    ),
    "notification_alerted": lambda n, e: replace(n, alerted_at=n.alerted_at or e.occurred_at),
    "notification_resent": lambda n, e: replace(n, round=e.payload["round"]),
    "notification_acknowledged": lambda n, e: replace(
        n,
        acknowledged_at=e.occurred_at,
        acknowledged_by=e.payload["by"] or e.recorded_by,
        acknowledged_via=e.payload["via"],
        eta_minutes=e.payload["eta_minutes"],
        ack_note=e.payload["note"],
    ),
}


def _moved(n: NotificationState, e: Event) -> NotificationState:
    if e.kind == "notification_failed" and not e.payload["final"]:
        return n  # another attempt follows
    return replace(n, status=MOVES[e.kind].get(n.status, n.status))


def apply_notification(s: IncidentState, e: Event) -> IncidentState:
    nid = e.payload["notification"]
    notifications = tuple(
        STAMPS[e.kind](_moved(n, e), e) if n.id == nid else n for n in s.notifications
    )
    return replace(s, notifications=notifications)


HANDLERS: dict[type[Any], Callable[[IncidentState, Any], list[EventDraft]]] = {
    RecordDelivery: decide_record,
    Escalate: decide_escalate,
    AcknowledgeNotification: decide_acknowledge,
    RecordPhoneAcknowledgement: decide_phone_ack,
    ResendNotification: decide_resend,
}
APPLIERS = dict.fromkeys(MOVES, apply_notification)
