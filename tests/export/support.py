"""A closed medical incident built with the pure domain, with personal details planted."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from uuid import UUID, uuid4

from incidents.checklist import TickItem
from incidents.commanders import Candidate
from incidents.domain import Command, process
from incidents.events import Event
from incidents.kinds import IncidentType, Role, Status
from incidents.lifecycle import (
    AddNote,
    AssignCommander,
    ChangeStatus,
    CloseIncident,
    OpenIncident,
)
from incidents.plan import Plan
from incidents.reports import FileReport, ReportKind
from incidents.state import Actor, IncidentState
from incidents.store import EventStore
from playbooks.instantiate import to_plan
from playbooks.loader import default_dirs, load_library
from server.i18n import Catalogue, Translator
from tests.support import DUTY, LEAD, STAFF, open_cmd

ADMIN = Actor("admin1", Role.ADMIN)
START = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 09:30 in the office
INCIDENT = UUID("00000000-0000-4000-8000-000000000007")

# What must never leave in a redacted export.
PLANTED = {
    "name": "王小明",
    "id_number": "11010519491231002X",
    "mobile": "13812345678",
    "landline": "010-62345678",
    "email": "wangxm@example.com",
    "address": "朝阳区建国路88号",
    "family": "李秀英",
    "english_name": "John Carter",
}

FIRST_REPORT = {
    "time": "09:30",
    "place": "一楼接待大厅",
    "scale": "1 人",
    "cause": f"来访人{PLANTED['name']}突发胸痛，联系电话 {PLANTED['mobile']}",
}

OPEN = OpenIncident(
    IncidentType.MEDICAL,
    "一楼接待大厅 3 号窗口",
    1,
    f"来访人{PLANTED['name']}（身份证 {PLANTED['id_number']}）突发胸痛倒地",
    f"反映拖欠工资问题，住{PLANTED['address']}",
    "接访窗口 3 号",
)


@cache
def medical_plan() -> Plan:
    return to_plan(load_library(default_dirs({})).playbook(IncidentType.MEDICAL))


def fixed_salts(start: int = 0) -> Callable[[], bytes]:
    """Salts that are the same on every run, so that building the incident twice gives one
    chain (a real store draws them at random: incidents/commitments.py)."""
    count = itertools.count(start)
    return lambda: hashlib.sha256(f"test salt {next(count)}".encode()).digest()


def run(
    steps: Sequence[tuple[Actor, Command, timedelta]],
    *,
    events: Sequence[Event] = (),
    start: datetime = START,
    salts: Callable[[], bytes | None] | None = None,
) -> tuple[IncidentState, list[Event]]:
    """Apply each command at its offset from `start` through the pure domain."""
    from incidents.domain import fold

    state, out = fold(events), list(events)
    salts = salts or fixed_salts(len(out))
    for actor, command, offset in steps:
        now = start + offset
        done = process(
            state, command, actor, incident_id=INCIDENT, now=now, plan=medical_plan(), salts=salts
        )
        state, out = done.state, out + done.events
    assert state is not None
    return state, out


def closed_medical(
    notes: int = 0, salts: Callable[[], bytes | None] | None = None
) -> tuple[IncidentState, list[Event]]:
    """Opened, worked, closed; `notes` extra notes for size."""
    m = timedelta(minutes=1)
    steps: list[tuple[Actor, Command, timedelta]] = [
        (DUTY, OPEN, 0 * m),
        (LEAD, AssignCommander("commander1", Candidate("commander1", Role.COMMANDER)), 1 * m),
        (STAFF, TickItem("report_to_head", "已电话报告"), 2 * m),
        (LEAD, ChangeStatus(Status.RESPONDING, "120 已在途"), 3 * m),
        (STAFF, AddNote(f"家属{PLANTED['family']}电话 {PLANTED['mobile']}，已通知"), 4 * m),
        (DUTY, AddNote(f"单位座机 {PLANTED['landline']}，邮箱 {PLANTED['email']}"), 5 * m),
        (STAFF, AddNote(f"Visitor: {PLANTED['english_name']} speaks some English"), 6 * m),
        (STAFF, AddNote(f"{PLANTED['name']}情绪已平稳"), 7 * m),
        (DUTY, FileReport(ReportKind.FIRST, FIRST_REPORT), 8 * m),
    ]
    steps += [(STAFF, AddNote(f"现场记录 {n}"), (8 + n) * m) for n in range(notes)]
    end = (9 + notes) * m
    steps += [
        (LEAD, ChangeStatus(Status.CONTAINED, "已送医"), end),
        (LEAD, FileReport(ReportKind.FINAL, FIRST_REPORT), end + m),
        (LEAD, CloseIncident("处置完毕"), end + m),
    ]
    return run(steps, salts=salts)


async def close_through(store: EventStore) -> UUID:
    """A medical incident opened, contained, reported and closed through `store`, at once."""
    opened = await store.execute(None, open_cmd(IncidentType.MEDICAL), DUTY, uuid4().hex)
    iid = opened.incident_id
    await store.execute(iid, ChangeStatus(Status.CONTAINED, ""), LEAD, uuid4().hex)
    for kind in (ReportKind.FIRST, ReportKind.FINAL):
        await store.execute(iid, FileReport(kind, FIRST_REPORT), DUTY, uuid4().hex)
    await store.execute(iid, CloseIncident("处置完毕"), LEAD, uuid4().hex)
    return iid


def translator(language: str) -> Translator:
    return Translator(Catalogue.load(), language, __import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
