"""Refusals read in the reader's language: a reason key with parameters, translated at the edge."""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import cache
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from incidents import duty
from incidents.authz import Action
from incidents.checklist import TickItem, UntickItem
from incidents.commanders import Candidate
from incidents.domain import Command, decide, process
from incidents.drills import EndDrill, PauseDrill, PlayInject, ResumeDrill
from incidents.errors import DomainError
from incidents.evidence import Attachment
from incidents.evidence import EvidenceKind as Evidence
from incidents.exports import ExportIncident
from incidents.followup import CompleteFollowup, ExtendReply
from incidents.kinds import IncidentType, ItemStatus, Level, NotificationStatus, Role, Status
from incidents.lifecycle import (
    AddNote,
    AssignCommander,
    ChangeLevel,
    ChangeStatus,
    CloseIncident,
    ReopenIncident,
    UpdateHeadcount,
)
from incidents.links import RecordLink
from incidents.notifications import (
    AcknowledgeNotification,
    Escalate,
    RecordPhoneAcknowledgement,
    ResendNotification,
)
from incidents.plan import Plan
from incidents.recusal import DeclareConflict
from incidents.reports import FIELDS as REPORT_FIELDS
from incidents.reports import FileReport, MarkReportOverdue, ReportKind
from incidents.resources import STATUSES as RESOURCE_STATUSES
from incidents.resources import MoveResource, RequestResource, SetResourceEta
from incidents.state import Actor, DrillMark, IncidentState, Link
from incidents.welfare import MarkCheckMissed, RecordCheck, StartCheck
from playbooks.instantiate import to_plan
from playbooks.loader import default_dirs, load_library
from server.auth.errors import AuthRefused
from server.export import pdf_ready
from server.i18n import Catalogue, Translator
from server.incident import input as ci
from server.refusal import explain
from tests import refusal_scan
from tests.export.support import START
from tests.i18n_check import chinese_runs, english_words
from tests.support import DUTY, LEAD, STAFF, open_cmd

NAMES = {"duty1": "值班员 张", "staff1": "现场工作人员 李", "commander1": "现场指挥 王"}
INTEREST = "来访人系本人亲属"
REPORT = {"time": "09:30", "place": "大厅", "scale": "35 人", "cause": "集体反映征地补偿"}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@cache
def catalogue() -> Catalogue:
    units = load_library(default_dirs({})).units.values()
    return Catalogue.load().with_names("unit", {u.id: (u.name.zh, u.name.en) for u in units})


def reader(language: str) -> Translator:
    return Translator(catalogue(), language, ZoneInfo("Asia/Shanghai"), NAMES)


# --- every refusal in the source has its sentence -----------------------------------------


def test_every_refusal_the_code_raises_has_a_sentence_in_both_languages() -> None:
    """No refusal shows a key or English: each reason has two sentences, with its parameters."""
    texts = catalogue().texts
    wrong = []
    for r in refusal_scan.raised():
        key = f"refusal.{r.reason}"
        if r.reason is None or r.spread or key not in texts["zh-CN"] or key not in texts["en"]:
            wrong.append(f"{r.where}: {r.reason!r} has no sentence")
        elif not fields(texts["zh-CN"][key]) == fields(texts["en"][key]) == r.params:
            wrong.append(f"{r.where}: {key} fills {sorted(fields(texts['en'][key]))}")
    assert wrong == []
    assert len(refusal_scan.raised()) > 80  # the scan sees the raises


def test_every_sign_in_refusal_has_a_sentence() -> None:
    """A refused sign-in, CSRF, cross-site or API-token request reads in the reader's language
    too."""
    todo, codes = list(AuthRefused.__subclasses__()), set()
    while todo:
        cls = todo.pop()
        codes.add(cls.code)
        todo += cls.__subclasses__()
    assert codes == {
        "login_required",
        "forbidden",
        "csrf_failed",
        "cross_site",
        "bearer_invalid",
        "bearer_revoked",
        "bearer_not_accepted",
    }
    for code in codes:
        assert catalogue().has("en", f"refusal.auth.{code}"), code


NAMED: dict[str, set[str]] = {
    "level": set(Level),
    "status": set(Status),
    "item": set(ItemStatus),
    "notify.status": set(NotificationStatus),
    "resource.status": set(RESOURCE_STATUSES),
    "role": set(Role),
    "action": set(Action),
    "followup.rule": {"plan", "unit_result", "reply", "deliver", "check"},
    "evidence": {"photo", "audio", "document", "count", "text"},
    "field": set(refusal_scan.field_names()) | set(REPORT_FIELDS),
}


def test_every_id_a_refusal_names_has_a_name_in_both_languages() -> None:
    """Levels, statuses, roles, actions and input fields are shown by name, never by id."""
    kinds = {kind for kind, _ in refusal_scan.named()}
    assert kinds - {"user", "unit"} <= set(NAMED), kinds - set(NAMED)
    literal = {(kind, ident) for kind, ident in refusal_scan.named() if ident}
    wanted = {(kind, ident) for kind, ids in NAMED.items() for ident in ids} | literal
    texts = catalogue().texts
    missing = [f"{k}.{i}" for k, i in sorted(wanted) if f"{k}.{i}" not in texts["en"]]
    assert missing == []
    assert [f"{k}.{i}" for k, i in sorted(wanted) if f"{k}.{i}" not in texts["zh-CN"]] == []


def test_refusal_sentences_and_names_hold_no_word_of_the_other_language() -> None:
    """Each sentence, blanks aside, is Chinese in Chinese and English in English."""
    texts = catalogue().texts
    prefixes = ("refusal.", "role.", "action.", "field.", "notify.failure.", "level.rule.")
    for key, zh in texts["zh-CN"].items():
        if key.startswith(prefixes):
            assert english_words(zh.format_map(Blank())) == [], key
            assert chinese_runs(texts["en"].get(key, "")) == [], key


class Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return " "


# --- refusals the domain raises, as people read them ---------------------------------------


@cache
def plan() -> Plan:
    return to_plan(load_library(default_dirs({})).playbook(IncidentType.COLLECTIVE_VISIT))


@dataclass
class Visit:
    """A collective visit of 35 people, run through the pure domain."""

    state: IncidentState | None = None
    minutes: int = 0

    def run(self, command: Command, actor: Actor = LEAD) -> Visit:
        self.minutes += 1
        now = START + timedelta(minutes=self.minutes)
        done = process(self.state, command, actor, incident_id=ID, now=now, plan=plan())
        self.state = done.state
        return self

    @property
    def s(self) -> IncidentState:
        assert self.state is not None
        return self.state


ID = uuid4()


def visit() -> Visit:
    return Visit().run(open_cmd(IncidentType.COLLECTIVE_VISIT, 35), DUTY)


def contained() -> Visit:
    return visit().run(ChangeStatus(Status.RESPONDING)).run(ChangeStatus(Status.CONTAINED))


def closed() -> Visit:
    v = contained().run(FileReport(ReportKind.FIRST, REPORT), DUTY)
    return v.run(FileReport(ReportKind.FINAL, REPORT)).run(CloseIncident("处置完毕"))


def recused() -> Visit:
    return visit().run(DeclareConflict(INTEREST, "staff1"))


def acknowledged() -> Visit:
    ack = AcknowledgeNotification("tell_police", "link", "派出所值班室")
    return visit().run(ack, Actor("unit:police", Role.SYSTEM))


def dispatched() -> Visit:
    v = visit().run(RequestResource("police_car"))
    return v.run(MoveResource("police_car-1", "on_scene"), STAFF)


def drill() -> Visit:
    mark = DrillMark("collective_visit_grows", "run-😀", speed=60)
    return Visit().run(replace(open_cmd(IncidentType.COLLECTIVE_VISIT), drill=mark), LEAD)


Refusal = Callable[[], object]
SYSTEM = Actor("system:worker", Role.SYSTEM)
PHOTO = Evidence.PHOTO


def domain(make: Callable[[], Visit], command: Command, actor: Actor = LEAD) -> Refusal:
    return lambda: make().run(command, actor)


def named(user: str, role: Role | None, *, disabled: bool = False) -> AssignCommander:
    """Make `user` commander, with what the user directory says of them."""
    return AssignCommander(user, Candidate(user, role, disabled))


LEADS = named("commander1", Role.COMMANDER)


VERBATIM = ("command", "packages")  # a command and Debian package names: the longer first


def no_pdf() -> None:
    """A server without Pango and without a Chinese font (server/export/pdf_ready.py)."""
    raise pdf_ready.unavailable(pdf_ready.PANGO + pdf_ready.CJK_FONT)


CASES: dict[str, Refusal] = {
    "export.pdf_unavailable": no_pdf,
    "checklist.unmet": domain(visit, TickItem("departments_on_scene"), STAFF),
    "checklist.dependents": lambda: (
        visit()
        .run(TickItem("identify_department"), STAFF)
        .run(TickItem("departments_on_scene"), STAFF)
        .run(UntickItem("identify_department", "点错了"), STAFF)
    ),
    "checklist.move": lambda: (
        visit().run(TickItem("keep_order"), STAFF).run(TickItem("keep_order"), STAFF)
    ),
    "checklist.unknown_item": domain(visit, TickItem("nope"), STAFF),
    "checklist.evidence_missing": domain(visit, TickItem("record_hearing"), STAFF),
    "upload.invalid": domain(
        visit, AddNote("", Attachment("0" * 64, PHOTO, "image/png", 0)), STAFF
    ),
    "level.floor": domain(visit, ChangeLevel(Level.GENERAL, "人数减少")),
    "level.same": domain(visit, ChangeLevel(Level.MAJOR, "确认")),
    "status.illegal": domain(contained, ChangeStatus(Status.REPORTED)),
    "close.not_allowed": lambda: (
        visit()
        .run(FileReport(ReportKind.FIRST, REPORT), DUTY)
        .run(FileReport(ReportKind.FINAL, REPORT))
        .run(CloseIncident("处置完毕"))
    ),
    "report.final_first": domain(contained, CloseIncident("处置完毕")),
    "reopen.not_closed": domain(visit, ReopenIncident("再次到访")),
    "headcount.same": domain(visit, UpdateHeadcount(35), STAFF),
    "commander.same": lambda: visit().run(LEADS).run(LEADS),
    "commander.unknown": domain(visit, named("nosuchuser", None)),
    "commander.disabled": domain(visit, named("commander3", Role.COMMANDER, disabled=True)),
    "commander.role": domain(visit, named("staff1", Role.ONSITE_STAFF)),
    "recusal.actor": domain(recused, AddNote("我来处理"), STAFF),
    "recusal.commander": domain(recused, AssignCommander("staff1")),
    "recusal.already": domain(recused, DeclareConflict(INTEREST, "staff1")),
    "recusal.for_others": domain(visit, DeclareConflict(INTEREST, "duty1"), STAFF),
    "role.forbidden": domain(visit, ChangeLevel(Level.CRITICAL, "升级"), STAFF),
    "input.required": domain(visit, AddNote("  "), STAFF),
    "input.too_long": domain(visit, AddNote("字" * 5000), STAFF),
    "text.control_character": domain(visit, AddNote("a\x00b"), STAFF),
    "text.control_character:escape": domain(visit, ChangeLevel(Level.CRITICAL, "升\x1b[2J级")),
    "text.bidi_control": domain(visit, ReopenIncident("再次\u202e到访")),
    "input.range": domain(visit, RequestResource("ambulance", eta_minutes=-5)),
    "report.first_missing": domain(visit, FileReport(ReportKind.FOLLOWUP, REPORT), DUTY),
    "report.first_filed": lambda: (
        visit()
        .run(FileReport(ReportKind.FIRST, REPORT), DUTY)
        .run(FileReport(ReportKind.FIRST, REPORT), DUTY)
    ),
    "report.final_filed": lambda: (
        contained()
        .run(FileReport(ReportKind.FIRST, REPORT), DUTY)
        .run(FileReport(ReportKind.FINAL, REPORT))
        .run(FileReport(ReportKind.FOLLOWUP, REPORT))
    ),
    "report.too_many_units": domain(
        visit, FileReport(ReportKind.FIRST, REPORT, tuple(f"u{i}" for i in range(11))), DUTY
    ),
    "report.unknown_fields": domain(visit, FileReport(ReportKind.FIRST, {"mood": "好"}), DUTY),
    "report.no_deadline": domain(visit, MarkReportOverdue("followup:9"), SYSTEM),
    "incident.closed": domain(closed, AddNote("补记"), STAFF),
    "incident.already_open": lambda: decide(
        visit().s, open_cmd(IncidentType.COLLECTIVE_VISIT), DUTY
    ),
    "incident.not_found": lambda: decide(None, AddNote("记录"), DUTY),
    "resource.unknown": domain(visit, RequestResource("helicopter")),
    "resource.dispatch_unknown": domain(visit, MoveResource("ambulance-7", "on_scene"), STAFF),
    "resource.move": domain(dispatched, MoveResource("police_car-1", "en_route"), STAFF),
    "resource.no_eta": domain(dispatched, SetResourceEta("police_car-1", 5), STAFF),
    "input.choice": domain(visit, ExportIncident("docx"), DUTY),
    "notification.unknown": domain(visit, RecordPhoneAcknowledgement("tell_nobody", "张三"), DUTY),
    "notification.move": domain(acknowledged, RecordPhoneAcknowledgement("tell_police"), DUTY),
    "notification.acknowledged": domain(acknowledged, ResendNotification("tell_police"), DUTY),
    "notification.acknowledged:escalate": domain(
        acknowledged, Escalate("tell_police", "renotify"), SYSTEM
    ),
    "followup.no_reply_due": domain(visit, ExtendReply(10, "需会商")),
    "followup.extended_once": lambda: (
        closed().run(ExtendReply(10, "需会商")).run(ExtendReply(5, "再议"))
    ),
    "followup.unknown_item": domain(closed, CompleteFollowup("nope", "已办"), DUTY),
    "followup.already_done": lambda: (
        closed()
        .run(CompleteFollowup("reply_to_visitor", "已书面答复"), DUTY)
        .run(CompleteFollowup("reply_to_visitor", "再次答复"), DUTY)
    ),
    "zero.situation_text": lambda: duty.check_report(duty.ZeroStatus.SITUATION, " "),
    "zero.unit_not_listed": lambda: duty.make_report(
        duty.ZeroReportRules(("police",)),
        "health",
        duty.ZeroStatus.ALL_CLEAR,
        "",
        "duty1",
        START,
    ),
    "shift.no_user": lambda: duty.check_shift(" ", START, START),
    "shift.ends_first": lambda: duty.check_shift("duty1", START, START),
    "input.integer": lambda: ci.INCIDENT_COMMANDS["headcount"]({"headcount": "三十五"}),
    "input.choice:form": lambda: ci.INCIDENT_COMMANDS["level"]({"to": "huge", "reason": "x"}),
    "input.text": lambda: ci.INCIDENT_COMMANDS["notes"]({"text": ["a", "b"]}),
    "input.list": lambda: ci.INCIDENT_COMMANDS["reports"]({"kind": "first", "to": 3}),
    "input.uuid": lambda: ci.open_incident({"type": "medical", "headcount": 1, "linked_to": "一"}),
    "link.unknown": domain(Visit, replace(open_cmd(), linked_to=ID), DUTY),
    "link.self": domain(visit, RecordLink(Link(ID, IncidentType.MEDICAL, "一楼")), DUTY),
    "link.exists": lambda: visit().run(RecordLink(LINK), DUTY).run(RecordLink(LINK), DUTY),
    "drill.not_a_drill": domain(visit, PauseDrill()),
    "drill.inject_order": domain(drill, PlayInject(3, "note", True)),
    "drill.paused": lambda: drill().run(PauseDrill()).run(PauseDrill()),
    "drill.not_paused": domain(drill, ResumeDrill()),
    "drill.ended": lambda: drill().run(EndDrill()).run(EndDrill()),  # ended, it is closed too
}


@cache
def disruption_plan() -> Plan:
    return to_plan(load_library(default_dirs({})).playbook(IncidentType.DISRUPTION))


@dataclass
class HungerStrike(Visit):
    """A hunger strike with its welfare check running (incidents/welfare.py)."""

    def run(self, command: Command, actor: Actor = LEAD) -> Visit:
        self.minutes += 1
        now = START + timedelta(minutes=self.minutes)
        done = process(self.state, command, actor, incident_id=ID, now=now, plan=disruption_plan())
        self.state = done.state
        return self


def hunger_strike() -> Visit:
    opened = HungerStrike().run(open_cmd(IncidentType.DISRUPTION), DUTY)
    return opened.run(TickItem("medical_standby"), STAFF)


def record(answers: dict[str, str], check: str = "hunger_watch") -> RecordCheck:
    return RecordCheck(check, answers)


CASES |= {
    "welfare.unknown": domain(hunger_strike, record({}, "pulse_watch"), STAFF),
    "welfare.not_running": domain(hunger_strike, record({}, "sit_in_watch"), STAFF),
    "welfare.running": domain(hunger_strike, StartCheck("hunger_watch"), STAFF),
    "welfare.not_missed": domain(hunger_strike, MarkCheckMissed("hunger_watch", 1), SYSTEM),
    "welfare.answer_missing": domain(hunger_strike, record({}), STAFF),
    "welfare.answer_invalid": domain(hunger_strike, record({"conscious": "也许"}), STAFF),
    "welfare.unknown_observation": domain(hunger_strike, record({"pulse": "快"}), STAFF),
}
LINK = Link(uuid4(), IncidentType.MEDICAL, "二楼 😟")
# Refused before or around the domain, or only by the workers: their sentences are checked
# above (test_refusal_sentences_and_names_hold_no_word_of_the_other_language).
ELSEWHERE = {
    "checklist.added_twice",  # a corrupt record, refused while folding
    "evidence.not_found",  # the file's route, and the upload's checks before the command
    "upload.empty",  # (tests/live/test_evidence.py)
    "upload.kind_too_large",
    "upload.one_file",
    "upload.too_large",
    "upload.type",
    "drill.unknown_script",  # the drill runner's, over HTTP: tests/drills/test_pages.py
    "followup.board_forbidden",
    "followup.reply_given",
    "followup.zone_unknown",
    "input.moment",
    "report.not_due",
    "report.overdue_recorded",
    "shift.unknown",
    "user.unknown",
} | {r.reason for r in refusal_scan.raised() if r.reason and r.reason.startswith("request.")}


def refused(case: str) -> DomainError:
    with pytest.raises(DomainError) as caught:
        CASES[case]()
    assert caught.value.reason == case.partition(":")[0]
    return caught.value


def test_the_cases_cover_every_refusal_the_domain_raises() -> None:
    """Each refusal a person can meet is read below, in both languages."""
    seen = {case.partition(":")[0] for case in CASES}
    raised = {r.reason for r in refusal_scan.raised() if r.reason}
    assert raised - ELSEWHERE - seen == set()


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_refusal_reads_in_chinese_without_english_and_in_english_without_chinese(
    case: str,
) -> None:
    """What the flash, the page and the JSON `text` say, in each reader's language."""
    exc = refused(case)
    zh, en = explain(reader("zh-CN"), exc), explain(reader("en"), exc)
    for verbatim in VERBATIM:  # what is typed into a terminal reads the same in any language
        zh = zh.replace(str(exc.params.get(verbatim, "")) or "\0", " ")
    assert english_words(zh) == [], zh
    assert chinese_runs(en, typed=[INTEREST, *NAMES.values()]) == [], en
    assert zh != reader("zh-CN")("refusal.unknown")


def test_ids_in_a_refusal_are_shown_by_their_names() -> None:
    """Items by the plan's words, people by display name, levels and roles by their names."""
    zh = reader("zh-CN")
    unmet = explain(zh, refused("checklist.unmet"))
    assert unmet.startswith("请先完成：") and "identify_department" not in unmet
    assert plan().item("identify_department").text.zh in unmet  # type: ignore[union-attr]
    assert explain(zh, refused("recusal.actor")) == (
        f"现场工作人员 李 与本事件有直接利害关系（{INTEREST}），已回避，不能操作"
    )
    assert explain(zh, refused("level.floor")) == (
        "集体访达到 30 人的至少为「重大」（现有 35 人），不能调低"
    )
    assert explain(zh, refused("role.forbidden")) == "您的角色（现场工作人员）无权调整级别"
    assert explain(zh, refused("report.final_first")) == "关闭事件前请先报送终报"
    assert explain(reader("en"), refused("notification.move")) == (
        "The notice to Police (local station) is Acknowledged: this cannot be done now"
    )


def test_a_refusal_without_a_sentence_reads_could_not_be_done_never_its_key() -> None:
    """Should one slip past the tests above, the person reads a plain sentence, not a key."""
    lost = DomainError("nowhere.to_be_found", "an English message", item="call_120")
    assert explain(reader("zh-CN"), lost) == "操作未能完成，请重试或联系值班室"
    assert explain(reader("en"), lost) == "This could not be done: try again or call the duty desk"
    unfilled = DomainError("checklist.unmet", "first finish: call_120")  # no `items`
    assert explain(reader("zh-CN"), unfilled) == "操作未能完成，请重试或联系值班室"
