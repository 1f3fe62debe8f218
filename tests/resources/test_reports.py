"""Situation reports and their deadlines under a moved clock: on time, late, late then filed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from incidents.errors import IllegalTransition, InvalidCommand
from incidents.kinds import Role, Status
from incidents.lifecycle import ChangeStatus, CloseIncident
from incidents.reports import FileReport, MarkReportOverdue, ReportKind, next_due
from incidents.state import Actor
from playbooks.loader import default_dirs, load_library
from server.i18n import Catalogue, Translator
from server.notify.delivery import Delivery
from server.notify.message import Composer
from server.reports.view import prefill
from tests.resources.support import REPORT, opened, report
from tests.support import DUTY, LEAD

WORKER = Actor("system:deadlines", Role.SYSTEM)
MIN = timedelta(minutes=1)


def test_first_report_on_time_is_not_late_and_the_follow_up_is_due_30_min_later() -> None:
    """Filed at 10 min of 15: on time, signed by the filer; the follow-up is due 30 min after."""
    log = opened()
    log.clock.advance(10 * MIN)
    assert log.run(report(ReportKind.FIRST), DUTY) == ["report_filed"]
    filed = log.s.reports[0]
    assert (filed.kind, filed.by, filed.late) == ("first", "duty1", False)
    assert log.events[-1].payload["signed_by"] == "duty1"
    due = next_due(log.s)
    assert due is not None and (due.key, due.at) == ("followup:1", log.clock.now() + 30 * MIN)


def test_a_deadline_passed_is_flagged_once_and_the_report_stays_late_once_filed() -> None:
    """At 16 min the board is told the first report is late; filed at 20 min it is recorded late."""
    log = opened()
    log.clock.advance(15 * MIN)
    with pytest.raises(IllegalTransition, match="not due"):
        log.run(MarkReportOverdue("first"), WORKER)
    log.clock.advance(MIN)
    assert log.run(MarkReportOverdue("first"), WORKER) == ["report_overdue"]
    with pytest.raises(IllegalTransition, match="already"):
        log.run(MarkReportOverdue("first"), WORKER)
    log.clock.advance(4 * MIN)
    log.run(report(ReportKind.FIRST), DUTY)
    assert log.s.reports[0].late and log.events[-1].payload["late"] is True
    assert log.events[-1].payload["due_at"] == "2026-01-01T09:15:00.000000Z"
    assert [o.key for o in log.s.reports_overdue] == ["first"]  # kept on the record


def test_follow_ups_are_due_at_the_interval_while_the_incident_is_open() -> None:
    """Each follow-up is due 30 min after the last report; a late one is late, an early one not."""
    log = opened()
    log.run(report(ReportKind.FIRST), DUTY)
    log.clock.advance(29 * MIN)
    log.run(report(ReportKind.FOLLOWUP), DUTY)
    log.clock.advance(31 * MIN)
    log.run(MarkReportOverdue("followup:2"), WORKER)
    log.run(report(ReportKind.FOLLOWUP), DUTY)
    assert [r.late for r in log.s.reports] == [False, False, True]
    due = next_due(log.s)
    assert due is not None and due.key == "followup:3"


def test_closing_needs_the_final_report_and_then_no_deadline_is_pending() -> None:
    """Close is refused until the final report is filed; after it nothing more is due."""
    log = opened()
    log.run(ChangeStatus(Status.CONTAINED), LEAD)
    with pytest.raises(IllegalTransition, match="final report"):
        log.run(CloseIncident("处置完毕"), LEAD)
    with pytest.raises(IllegalTransition, match="first report"):
        log.run(report(ReportKind.FINAL), DUTY)
    log.run(report(ReportKind.FIRST), DUTY)
    log.run(report(ReportKind.FINAL), LEAD)
    assert next_due(log.s) is None
    assert "status_changed" in log.run(CloseIncident("处置完毕"), LEAD)


def test_a_report_is_planned_as_a_notice_to_each_unit_up_the_chain() -> None:
    """Sent to the petition bureau and the government duty office: one notice each, planned."""
    log = opened()
    kinds = log.run(report(ReportKind.FIRST, "petition_bureau", "party_government_duty"), DUTY)
    assert kinds == ["report_filed", "notification_planned", "notification_planned"]
    assert [(n.id, n.unit) for n in log.s.notifications] == [
        ("report-1-petition_bureau", "petition_bureau"),
        ("report-1-party_government_duty", "party_government_duty"),
    ]


def test_a_report_without_its_required_fields_or_twice_first_is_refused() -> None:
    """A report missing the cause is refused by field; a second first report is refused."""
    log = opened()
    with pytest.raises(InvalidCommand) as bad:
        log.run(FileReport(ReportKind.FIRST, {**REPORT, "cause": " "}), DUTY)
    assert bad.value.field == "cause"
    with pytest.raises(InvalidCommand):
        log.run(FileReport(ReportKind.FIRST, {**REPORT, "mood": "x"}), DUTY)
    log.run(report(ReportKind.FIRST), DUTY)
    with pytest.raises(IllegalTransition):
        log.run(report(ReportKind.FIRST), DUTY)


def test_the_message_up_the_chain_carries_what_the_filer_signed() -> None:
    """The petition bureau receives the report as signed, not the incident's fields of now."""
    log = opened()
    log.run(report(ReportKind.FIRST, "petition_bureau"), DUTY)
    units = load_library(default_dirs({})).units
    composer = Composer(Catalogue.load(), "Asia/Shanghai", units, "http://wf.test", b"k" * 32)
    delivery = Delivery(
        1,
        log.id,
        "report-1-petition_bureau",
        0,
        "petition_bureau",
        0,
        "值班室",
        "log",
        "petition",
        "zh-CN",
        "key-1",
        0,
    )
    message = composer.compose(log.s, delivery, datetime(2026, 1, 1, tzinfo=UTC))
    values = {field: value for field, _, value in message.fields}
    assert values["cause"] == REPORT["cause"]
    assert values["signed_by"] == DUTY.user_id


def test_a_field_with_nothing_to_say_reads_none_not_no_unit_to_notify() -> None:
    """Nothing done yet: the notice and the report form say 尚无, not "本事件无需通报单位"."""
    log = opened()
    units = load_library(default_dirs({})).units
    composer = Composer(Catalogue.load(), "Asia/Shanghai", units, "http://wf.test", b"k" * 32)
    notice = Delivery(
        1, log.id, "tell_police", 0, "police", 0, "值班室", "log", "x", "zh-CN", "key-2", 0
    )
    for language, none in (("zh-CN", "尚无"), ("en", "none yet")):
        message = composer.compose(log.s, replace(notice, language=language), log.clock.now())
        assert dict((f, v) for f, _, v in message.fields)["actions_taken"] == none
        t = Translator(Catalogue.load(), language, ZoneInfo("Asia/Shanghai"))
        assert prefill(log.s, t)["actions_taken"] == none
