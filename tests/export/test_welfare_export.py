"""Welfare checks in the exports: every check recorded or missed in the report's table and on
its chart (● recorded, ✕ missed), a remark redacted like any free text."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from incidents.checklist import TickItem
from incidents.domain import Command, process
from incidents.events import Event
from incidents.kinds import IncidentType, Role
from incidents.state import Actor, IncidentState
from incidents.welfare import MarkCheckMissed, RecordCheck
from playbooks.instantiate import to_plan
from playbooks.loader import default_dirs, load_library
from server.export.run import render
from server.export.view import view_of
from server.i18n import Catalogue, Translator
from tests.support import DUTY, STAFF, open_cmd

T0 = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
SYSTEM = Actor("system:deadlines", Role.SYSTEM)
ANSWERS = {"conscious": "yes", "drinking": "no", "condition": "weak", "distress": "calm"}
REMARK = "喝了水💧 家属电话 13912345678"


def hunger_strike() -> list[Event]:
    plan = to_plan(load_library(default_dirs({})).playbook(IncidentType.DISRUPTION))
    incident, state, events = uuid.uuid4(), None, []
    steps: list[tuple[Command, Actor, int]] = [
        (open_cmd(IncidentType.DISRUPTION), DUTY, 0),
        (TickItem("medical_standby"), STAFF, 1),
        (RecordCheck("hunger_watch", ANSWERS, REMARK), STAFF, 20),
        (MarkCheckMissed("hunger_watch", 2), SYSTEM, 56),
    ]
    for command, actor, minute in steps:
        now = T0 + timedelta(minutes=minute)
        done = process(state, command, actor, incident_id=incident, now=now, plan=plan)
        state, events = done.state, events + done.events
    assert isinstance(state, IncidentState)
    return events


def exported(fmt: str, redact: bool) -> bytes:
    t = Translator(Catalogue.load(), "zh-CN", ZoneInfo("Asia/Shanghai"))
    return render(fmt, view_of(hunger_strike(), redact=redact), t, {}, exported_by="duty1")


def markdown(redact: bool) -> str:
    return exported("md", redact).decode("utf-8")


def test_the_report_lists_and_draws_each_check_recorded_and_missed() -> None:
    """The table names the check, its answers and remark; the chart has a dot and a cross."""
    text = markdown(redact=False)
    assert "## 定时观察" in text
    assert "| 绝食人员身体状况查看 #1 | duty1 |" not in text  # staff recorded it, not the duty
    assert "意识清醒：是；饮水：否；身体状况：虚弱；情绪状态：平静 | " + REMARK + " |" in text
    assert "| 绝食人员身体状况查看 #2 |  | 漏查（未记录） |" in text
    assert text.count('class="check-recorded"') == 1
    assert text.count('class="check-missed"') == 2  # a cross is two strokes
    assert "漏查：第 2 次绝食人员身体状况查看应于 12-02 14:50 前完成，未记录" in text


def test_a_remark_is_redacted_like_a_note() -> None:
    """A phone number in a remark is masked in the redacted report, table and timeline."""
    text = markdown(redact=True)
    assert "13912345678" not in text
    assert "喝了水💧 家属电话 ***" in text


def test_the_pdf_holds_the_checks_table() -> None:
    """The leadership's PDF has the section, the check's answers and the missed one."""
    pytest.importorskip("weasyprint")
    pdf = PdfReader(io.BytesIO(exported("pdf", redact=False)))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "定时观察" in text and "漏查（未记录）" in text
    assert "身体状况：虚弱" in text
