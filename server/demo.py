"""Demo incidents of several types with some history; seeding twice adds nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

import asyncpg

from incidents.commanders import Candidate
from incidents.domain import Command
from incidents.duty import ZeroReportRules
from incidents.kinds import IncidentType, Level, Role, Status
from incidents.lifecycle import (
    AddNote,
    AssignCommander,
    ChangeLevel,
    ChangeStatus,
    CloseIncident,
    OpenIncident,
    UpdateHeadcount,
)
from incidents.reports import FileReport, ReportKind
from incidents.state import Actor
from incidents.store import EventStore
from server.auth.cli import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users
from server.duty.demo import seed_duty
from server.duty.store import DutyStore

DUTY = Actor("duty1", Role.DUTY_OFFICER)
STAFF = Actor("staff1", Role.ONSITE_STAFF)
LEAD = Actor("commander1", Role.COMMANDER)
SIT_IN = {"time": "上午", "place": "正门入口", "scale": "3 人", "cause": "静坐，阻塞通道"}

Script = tuple[OpenIncident, Sequence[tuple[Actor, Command]]]

SCRIPTS: list[Script] = [
    (
        OpenIncident(
            IncidentType.MEDICAL,
            "一楼接待大厅 3 号窗口",
            1,
            "来访人突发胸痛倒地，意识清醒",
            "反映拖欠工资问题",
            "接访窗口 3 号",
        ),
        [
            (LEAD, AssignCommander("commander1", Candidate("commander1", Role.COMMANDER))),
            (LEAD, ChangeStatus(Status.RESPONDING, "120 已在途")),
            (STAFF, AddNote("已进行初步急救，家属已通知")),
        ],
    ),
    (
        OpenIncident(
            IncidentType.COLLECTIVE_VISIT,
            "二楼集体接待室",
            18,
            "同一小区业主集体反映物业问题",
            "要求更换物业公司",
            "值班室",
        ),
        [
            (LEAD, ChangeStatus(Status.RESPONDING, "已请来访人推选代表")),
            (STAFF, UpdateHeadcount(34, "大厅又到 16 人")),
            (STAFF, AddNote("已推选 5 名代表进入接谈室")),
        ],
    ),
    (
        OpenIncident(
            IncidentType.DISRUPTION,
            "正门入口",
            3,
            "来访人在门口静坐，阻塞通道",
            "要求领导接见",
            "安保岗",
        ),
        [
            (LEAD, ChangeStatus(Status.RESPONDING, "安保到场维持秩序")),
            (LEAD, ChangeStatus(Status.CONTAINED, "来访人已同意进入接待室")),
            (DUTY, FileReport(ReportKind.FIRST, SIT_IN)),
            (DUTY, FileReport(ReportKind.FINAL, {**SIT_IN, "impact": "已平息"})),
            (LEAD, CloseIncident("已登记诉求，依法转办")),
        ],
    ),
    (
        OpenIncident(
            IncidentType.HAZARDOUS_ITEMS,
            "安检口",
            1,
            "安检发现来访人携带管制刀具，情绪激动",
            "",
            "安检岗",
            Level.MAJOR,
        ),
        [
            (LEAD, ChangeLevel(Level.CRITICAL, "来访人拒绝放下刀具")),
            (DUTY, AddNote("已报警，110 在途；周边人员已疏散")),
        ],
    ),
]


async def seed(store: EventStore) -> list[UUID]:
    """Open the demo incidents; fixed idempotency keys make a second run a no-op."""
    opened = []
    for n, (open_cmd, steps) in enumerate(SCRIPTS):
        outcome = await store.execute(None, open_cmd, DUTY, f"demo-seed-{n}-open")
        for m, (actor, command) in enumerate(steps):
            await store.execute(outcome.incident_id, command, actor, f"demo-seed-{n}-{m}")
        opened.append(outcome.incident_id)
    return opened


async def seed_all(
    store: EventStore, pool: asyncpg.Pool, rules: ZeroReportRules | None = None
) -> list[UUID]:
    """The demo users, the day's duty roster and zero reports, then the demo incidents."""
    await ensure_demo_users(pool)
    if rules is not None:
        await seed_duty(DutyStore(pool), rules, datetime.now(UTC))
    return await seed(store)


def logins_text() -> str:
    rows = [
        f"  {login:12} {password}   ({role.value})"
        for login, _, role, _ in DEMO_USERS
        for password in [DEMO_PASSWORD]
    ]
    return "Demo logins (user, password, role):\n" + "\n".join(rows)
