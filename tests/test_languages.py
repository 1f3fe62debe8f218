"""One incident through every kind of event, read in Chinese and in English: the timeline,
every export format and the notices units receive hold no word of the other language."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from incidents.checklist import BlockItem, SkipItem, TickItem, UntickItem
from incidents.clock import ManualClock
from incidents.commanders import Candidate
from incidents.domain import APPLIERS, Command
from incidents.drills import APPLIERS as DRILL_APPLIERS
from incidents.events import Event
from incidents.evidence import Attachment
from incidents.evidence import EvidenceKind as Evidence
from incidents.exports import ExportIncidentFull
from incidents.followup import CompleteFollowup, ExtendReply, RecordInstruction
from incidents.kinds import IncidentType, Level, Role, Status
from incidents.lifecycle import (
    AddNote,
    AssignCommander,
    ChangeLevel,
    ChangeStatus,
    CloseIncident,
    ReportInjury,
    UpdateHeadcount,
)
from incidents.links import RecordLink
from incidents.notifications import (
    AcknowledgeNotification,
    Escalate,
    RecordPhoneAcknowledgement,
    ResendNotification,
)
from incidents.recusal import DeclareConflict
from incidents.reports import FileReport, MarkReportOverdue, ReportKind
from incidents.resources import MoveResource, RequestResource, SetResourceEta
from incidents.state import Actor, IncidentState, Link
from incidents.store import EventStore
from incidents.welfare import MarkCheckMissed, RecordCheck, StopCheck
from playbooks.loader import Library, default_dirs, load_library, packaged_dir
from server.export import as_pdf
from server.export.model import build_report
from server.export.run import export_incident, unit_names
from server.export.view import FREE_TEXT, view_of
from server.i18n import Catalogue, Translator
from server.incident.timeline import describe
from server.live.broker import Notice
from server.notify.channels import Channels, LogChannel
from server.notify.delivery import Delivery
from server.notify.dispatcher import Dispatcher
from server.notify.message import Composer, Message
from server.notify.outbox import OutboxProjector
from server.services import plans_from
from tests.i18n_check import chinese_runs, english_words, html_text
from tests.support import DUTY, LEAD, STAFF, open_cmd

NAMES = {
    "duty1": "值班员 张",
    "staff1": "现场工作人员 李",
    "commander1": "现场指挥 王",
    "commander2": "副指挥 刘",
}
ZONE = ZoneInfo("Asia/Shanghai")
REPORT = {"time": "09:30", "place": "一楼大厅", "scale": "35 人", "cause": "反映征地补偿"}
POLICE = Actor("unit:police", Role.SYSTEM)
SYSTEM = Actor("system:timers", Role.SYSTEM)


class Relayed:
    """A channel that hands the notice to a relay (an SMS gateway, an SMTP server)."""

    async def send(self, d: Delivery, message: Message) -> str:
        return "sent"


async def no_publish(notice: Notice) -> None:
    return None


@dataclass
class Run:
    store: EventStore
    pool: asyncpg.Pool
    clock: ManualClock
    library: Library
    incident: uuid.UUID | None = None

    async def __call__(self, command: Command, actor: Actor = LEAD, minutes: int = 1) -> None:
        self.clock.advance(timedelta(minutes=minutes))
        done = await self.store.execute(self.incident, command, actor, uuid.uuid4().hex)
        self.incident = done.incident_id

    async def dispatch(self, channels: Channels) -> None:
        composer = Composer(
            self.catalogue(), "Asia/Shanghai", self.library.units, "http://wf.test", b"k" * 32
        )
        sender = Dispatcher(self.pool, self.store, channels, composer, self.clock, no_publish)
        while await sender.run_once():
            pass

    def catalogue(self) -> Catalogue:
        units = self.library.units.values()
        return Catalogue.load().with_names("unit", {u.id: (u.name.zh, u.name.en) for u in units})

    def reader(self, language: str) -> Translator:
        return Translator(self.catalogue(), language, ZONE, NAMES)


async def respond(run: Run) -> None:
    """Open a collective visit of 35 people and work it: checklist, notices, resources."""
    await run(open_cmd(IncidentType.COLLECTIVE_VISIT, 35), DUTY)
    await run(AssignCommander("commander2", Candidate("commander2", Role.COMMANDER)), DUTY)
    await run.dispatch(Channels({"log": LogChannel()}, log_only=True))  # the demo's channel
    await run(TickItem("keep_order", "保安已到位"), STAFF)
    await run(UntickItem("keep_order", "点错了"), STAFF)
    await run(SkipItem("count_people", "已由门卫清点"), STAFF)
    await run(BlockItem("ask_representatives", "来访人拒绝推选代表"), STAFF)
    await run(TickItem("identify_department"), STAFF)  # the department has no contact: fails
    await run(TickItem("medical_standby", "医护人员待命"), STAFF)  # health: relayed; the watch on
    await run.dispatch(Channels({"webhook": Relayed()}))
    await run(RecordCheck("crowd_watch", {"conscious": "yes"}, "老人精神尚可"), STAFF)
    await run(MarkCheckMissed("crowd_watch", 2), SYSTEM, minutes=20)
    await run(StopCheck("crowd_watch", "已送医"), STAFF)
    await run(AddNote("来访人情绪稳定"), STAFF)
    await run(
        AddNote("大厅全景 📷", Attachment("ab" * 32, PHOTO, "image/jpeg", 2048, "大厅照片😟")),
        STAFF,
    )
    await run(ReportInjury("一名老人晕倒"), STAFF)
    await run(RecordLink(Link(uuid.uuid4(), IncidentType.MEDICAL, "一楼大厅 急救室")), DUTY)
    await run(UpdateHeadcount(36, "又来一人"), STAFF)
    await run(ChangeLevel(Level.CRITICAL, "人数继续增加"))
    await run(ChangeStatus(Status.RESPONDING, "领导已到场"))
    await run(DeclareConflict("系来访人亲属", "commander2", duty_leaders=("commander1",)))


async def notify_and_report(run: Run) -> None:
    """Escalate, acknowledge, re-send; dispatch a resource; file the reports, one late."""
    await run(Escalate("tell_health", "renotify"), SYSTEM)
    await run(Escalate("tell_health", "alert"), SYSTEM)
    await run(ResendNotification("tell_department", "再试一次"), DUTY)
    await run(AcknowledgeNotification("tell_police", "link", "派出所值班室", 5, "马上到"), POLICE)
    await run(RecordPhoneAcknowledgement("tell_health", "急救中心 赵医生"), DUTY)
    await run(RequestResource("security_team", "守住大门", 5))
    await run(MoveResource("security_team-1", "dispatched"), STAFF)
    await run(MoveResource("security_team-1", "en_route", 3), STAFF)
    await run(SetResourceEta("security_team-1", 1), STAFF)
    await run(MoveResource("security_team-1", "on_scene"), STAFF)
    await run(MoveResource("security_team-1", "released"), STAFF)
    await run(FileReport(ReportKind.FIRST, REPORT, ("petition_bureau",)), DUTY)
    await run(MarkReportOverdue("followup:1"), SYSTEM, minutes=70)
    await run(FileReport(ReportKind.FOLLOWUP, REPORT), DUTY)
    await run.dispatch(Channels({"log": LogChannel()}, log_only=True))


async def close_and_follow_up(run: Run) -> None:
    """Contain, file the final report, close; then the follow-up and an export."""
    await run(ChangeStatus(Status.CONTAINED, "人员已劝返"))
    await run(FileReport(ReportKind.FINAL, REPORT))
    await run(CloseIncident("处置完毕"))
    await run(CompleteFollowup("unit_reports_result", "已报送办理结果，文号 2026-15"), DUTY)
    await run(ExtendReply(20, "需多部门会商"))
    await run(RecordInstruction("请信访局督办"), DUTY)
    await run(ExportIncidentFull("pdf"))


# The collective visit with a welfare check (the library ships them in other playbooks), so
# this one incident holds every kind of event.
CROWD_WATCH = """
checks:
  - id: crowd_watch
    title: {zh: 老人身体状况查看, en: Elderly visitor check}
    every: 15m
    starts_with: [medical_standby]
    observe:
      - {id: conscious, label: {zh: 意识清醒, en: Conscious}, answer: yes_no}
    on_missed: {notify: [health]}
"""


def with_crowd_watch(folder: Path) -> Path:
    folder.mkdir()
    packaged = (packaged_dir() / "collective_visit.yaml").read_text(encoding="utf-8")
    text = packaged.replace("\nnotifications:\n", CROWD_WATCH + "\nnotifications:\n", 1)
    (folder / "collective_visit.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
async def worked(pool: asyncpg.Pool, clock: ManualClock, tmp_path: Path) -> Run:
    folder = with_crowd_watch(tmp_path / "playbooks")
    library = load_library(default_dirs({"WATCHFLOOR_PLAYBOOKS": str(folder)}))
    store = EventStore(
        pool, clock, plans=plans_from(library), projectors=[OutboxProjector(library.units)]
    )
    run = Run(store, pool, clock, library)
    await respond(run)
    await notify_and_report(run)
    await close_and_follow_up(run)
    return run


PHOTO = Evidence.PHOTO


def typed(events: list[Event], run: Run) -> list[str]:
    """What people typed (free text, report fields, who answered) and the office's own data
    that has one language (contact names, display names): the English pages may show it."""
    found = list(NAMES.values())
    for e in events:
        p = e.payload
        found += [str(p[k]) for k in (*FREE_TEXT, "by", "contact") if p.get(k)]
        found += [str(v) for v in dict(p.get("fields") or {}).values()]
    return found


def leaks(texts: Iterator[tuple[str, str]], language: str, typed: list[str]) -> list[str]:
    """Each (where, text) that holds a word of the other language, with the words."""
    found = []
    for where, text in texts:
        other = english_words(text) if language == "zh-CN" else chinese_runs(text, typed)
        if other:
            found.append(f"{where}: {other} in {text!r}")
    return found


async def state_and_events(run: Run) -> tuple[IncidentState, list[Event]]:
    assert run.incident is not None
    return await run.store.state(run.incident), await run.store.events(run.incident)


async def test_the_incident_went_through_every_kind_of_event(worked: Run) -> None:
    """The incident below shows every event a timeline can hold, so the checks see them all."""
    _, events = await state_and_events(worked)
    kinds = {e.kind for e in events}
    drill_only = set(DRILL_APPLIERS)  # a drill's own events: tests/drills/test_domain.py
    assert {"opened", *APPLIERS} - drill_only - kinds == set()
    raised = next(e for e in events if e.kind == "level_changed")
    assert {k: raised.payload[k] for k in ("rule", "headcount", "threshold")} == {
        "rule": "headcount_floor",
        "headcount": 35,
        "threshold": 30,
    }  # the record keeps the rule, no English sentence
    assert {e.payload["channel"] for e in events if e.kind == "notification_delivered"} == {"log"}


@pytest.mark.parametrize("language", ["zh-CN", "en"])
async def test_the_timeline_speaks_one_language(worked: Run, language: str) -> None:
    """Every timeline sentence is in the reader's language, with names for ids, plurals right."""
    state, events = await state_and_events(worked)
    t = worked.reader(language)
    said = [(f"seq {e.seq} {e.kind}", describe(e, state, t)) for e in events]
    assert leaks(iter(said), language, typed(events, worked)) == []
    text = "\n".join(s for _, s in said)
    if language == "zh-CN":
        assert "集体访 35 人，达到 30 人的至少为「重大」" in text
        assert "（演示日志，" in text and "（log" not in text
        assert "该单位没有联系方式" in text
    else:
        assert "35 people" in text and "1 people" not in text and "report report" not in text
        assert "a collective visit of 35 people: 30 or more is at least Major" in text
        assert "(demo log, " in text


@pytest.mark.parametrize("language", ["zh-CN", "en"])
async def test_every_export_speaks_one_language(worked: Run, language: str) -> None:
    """CSV sentences, the Markdown report and the PDF's HTML hold no word of the other language."""
    assert worked.incident is not None
    t, units = worked.reader(language), unit_names(worked.library)
    texts: list[tuple[str, str]] = []
    for fmt in ("csv", "md"):
        done = await export_incident(
            worked.store,
            worked.incident,
            LEAD,
            fmt,
            full=True,
            key=uuid.uuid4().hex,
            t=t,
            units=units,
        )
        texts += list(export_texts(fmt, done.data.decode("utf-8")))
    _, events = await state_and_events(worked)
    report = build_report(view_of(events, redact=False), units)
    texts.append(("pdf", html_text(as_pdf.render_html(report, t, units))))
    assert leaks(iter(texts), language, typed(events, worked)) == []


def export_texts(fmt: str, data: str) -> Iterator[tuple[str, str]]:
    """What a person reads in an export: a CSV's sentences (its other columns are data),
    a Markdown report's text (its chart is SVG markup)."""
    if fmt == "csv":
        for row in csv.DictReader(io.StringIO(data.lstrip("\ufeff"))):
            yield f"csv seq {row['seq']}", row["text"]
    else:
        yield "md", html_text(data)


async def test_the_json_export_records_codes_and_no_sentences(worked: Run) -> None:
    """The JSON export carries the record itself: the level's rule as a code, never prose."""
    assert worked.incident is not None
    t, units = worked.reader("zh-CN"), unit_names(worked.library)
    done = await export_incident(
        worked.store,
        worked.incident,
        LEAD,
        "json",
        full=True,
        key=uuid.uuid4().hex,
        t=t,
        units=units,
    )
    rows = json.loads(done.data)["events"]
    raises = [r["payload"] for r in rows if r["kind"] == "level_changed"]
    assert raises[0] == {
        "from": "general",
        "to": "major",
        "rule": "headcount_floor",
        "headcount": 35,
        "threshold": 30,
    }
    assert raises[1]["reason"] == "人数继续增加"  # a commander's own words stay as typed
    failed = [r["payload"] for r in rows if r["kind"] == "notification_failed"]
    assert {(p["error_code"], p["error_status"]) for p in failed} == {("no_contact", None)}


@pytest.mark.parametrize("language", ["zh-CN", "en"])
async def test_notices_to_units_speak_the_contacts_language(worked: Run, language: str) -> None:
    """The subject and text a unit receives hold no word of the other language."""
    state, events = await state_and_events(worked)
    rows = await worked.pool.fetch(
        "SELECT * FROM notification_outbox WHERE incident_id = $1 ORDER BY id", worked.incident
    )
    composer = Composer(
        worked.catalogue(), "Asia/Shanghai", worked.library.units, "http://wf.test", b"k" * 32
    )
    texts = []
    for row in rows:
        d = replace(Delivery.from_row(row), language=language.partition("-")[0])
        message = composer.compose(state, d, worked.clock.now())
        texts.append((d.notification, f"{message.subject}\n{message.text}"))
    assert len(texts) > 5
    assert leaks(iter(texts), language, typed(events, worked)) == []
    if language == "en":
        assert any("36 visitors" in text for _, text in texts)
