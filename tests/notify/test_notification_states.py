"""The notification state machine, pure: what each recorded fact and command does."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from incidents.domain import process
from incidents.errors import IllegalTransition, NotAuthorized
from incidents.kinds import IncidentType, NotificationStatus, Role, Status
from incidents.lifecycle import ChangeStatus, CloseIncident
from incidents.notifications import (
    AcknowledgeNotification,
    Escalate,
    RecordDelivery,
    RecordPhoneAcknowledgement,
    ResendNotification,
)
from incidents.reports import FileReport, ReportKind
from incidents.state import Actor, IncidentState
from playbooks.loader import default_dirs, load_library
from server.services import plans_from
from tests.support import DUTY, LEAD, open_cmd

SYSTEM = Actor("system:test", Role.SYSTEM)
NOW = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
PLANS = plans_from(load_library(default_dirs({})))


def opened() -> IncidentState:
    cmd = open_cmd(IncidentType.SELF_HARM)
    return process(None, cmd, DUTY, incident_id=uuid.uuid4(), now=NOW, plan=PLANS(cmd.type)).state


def run(state: IncidentState, command: object, actor: Actor = SYSTEM) -> IncidentState:
    return process(state, command, actor, incident_id=state.id, now=NOW).state  # type: ignore[arg-type]


def status(state: IncidentState, notification: str = "tell_police") -> NotificationStatus:
    return next(n.status for n in state.notifications if n.id == notification)


def record(outcome: str, *, final: bool = False, attempt: int = 1) -> RecordDelivery:
    return RecordDelivery("tell_police", 1, outcome, "police", "值班室", "webhook", attempt, final)


def test_a_notification_goes_planned_sent_delivered_acknowledged() -> None:
    """Each step shows on the unit's line, and the acknowledgement says who and how."""
    s = opened()
    assert status(s) is NotificationStatus.PLANNED
    s = run(s, record("sent"))
    assert status(s) is NotificationStatus.SENT
    s = run(s, record("delivered"))
    assert status(s) is NotificationStatus.DELIVERED
    s = run(s, AcknowledgeNotification("tell_police", "link", "派出所值班室", 8, "在途"))
    police = next(n for n in s.notifications if n.id == "tell_police")
    assert police.acknowledged and police.eta_minutes == 8 and police.acknowledged_via == "link"
    with pytest.raises(IllegalTransition):
        run(s, AcknowledgeNotification("tell_police", "api", "x"))
    with pytest.raises(IllegalTransition):
        run(s, ResendNotification("tell_police"), DUTY)


def test_only_the_last_failure_fails_and_a_later_success_recovers() -> None:
    """A failed attempt that will be retried changes nothing; the last one turns it red."""
    s = run(opened(), record("failed", attempt=1))
    assert status(s) is NotificationStatus.PLANNED
    s = run(s, record("failed", final=True, attempt=2))
    police = next(n for n in s.notifications if n.id == "tell_police")
    assert police.status is NotificationStatus.FAILED and police.loud
    s = run(s, ResendNotification("tell_police", "电话核实地址"), LEAD)
    assert status(s) is NotificationStatus.PLANNED
    assert status(run(s, record("delivered"))) is NotificationStatus.DELIVERED


def test_escalation_stops_at_an_acknowledgement_and_alerts_are_loud() -> None:
    """Escalated, then alerted: loud until acknowledged by phone; then nothing escalates."""
    s = run(opened(), Escalate("tell_police", "renotify"))
    assert status(s) is NotificationStatus.ESCALATED
    s = run(s, Escalate("tell_police", "alert"))
    assert next(n for n in s.notifications if n.id == "tell_police").loud
    s = run(s, RecordPhoneAcknowledgement("tell_police", "王警官"), DUTY)
    assert not next(n for n in s.notifications if n.id == "tell_police").loud
    with pytest.raises(IllegalTransition):
        run(s, Escalate("tell_police", "next_contact"))


def test_people_cannot_act_as_the_system_and_staff_cannot_record_phone_acks() -> None:
    """Only workers record deliveries; a duty officer or commander records a phone answer."""
    s = opened()
    with pytest.raises(NotAuthorized):
        run(s, record("sent"), DUTY)
    with pytest.raises(NotAuthorized):
        run(s, AcknowledgeNotification("tell_police", "link", "x"), LEAD)
    with pytest.raises(NotAuthorized):
        run(s, RecordPhoneAcknowledgement("tell_police"), Actor("staff1", Role.ONSITE_STAFF))


def test_a_closed_incident_still_takes_acknowledgements_but_does_not_escalate() -> None:
    """Late answers after closing are recorded; escalation and re-sending stop."""
    s = run(opened(), ChangeStatus(Status.RESPONDING), LEAD)
    report = {"time": "09:00", "place": "大厅", "scale": "1 人", "cause": "晕倒"}
    for kind in (ReportKind.FIRST, ReportKind.FINAL):  # closing needs the final report
        s = run(s, FileReport(kind, report), DUTY)
    s = run(s, CloseIncident("处置完毕"), LEAD)
    s = run(s, record("delivered"))
    s = run(s, AcknowledgeNotification("tell_police", "link", "派出所"))
    assert status(s) is NotificationStatus.ACKNOWLEDGED
    with pytest.raises(IllegalTransition):
        run(s, Escalate("tell_health", "alert"))
    with pytest.raises(IllegalTransition):
        run(s, ResendNotification("tell_health"), LEAD)
