"""A small plan: first report in 15 min, follow-ups every 30, a final to close."""

from __future__ import annotations

from incidents.kinds import IncidentType, Level
from incidents.plan import Bilingual, Plan, PlanResource
from incidents.reports import FileReport, ReportKind
from tests.support import DUTY, open_cmd
from tests.test_domain import Log

PLAN = Plan(
    "test",
    1,
    "b" * 64,
    Bilingual("测试", "test"),
    Level.GENERAL,
    (),
    (),
    (),
    first_report_within=15 * 60,
    followup_every=30 * 60,
    final_on_close=True,
    resources=(
        PlanResource("ambulance", Bilingual("救护车", "Ambulance")),
        PlanResource("first_aid_kit", Bilingual("急救箱", "First aid kit")),
    ),
)
REPORT = {"time": "09:00", "place": "一楼大厅", "scale": "1 人", "cause": "晕倒"}


def opened() -> Log:
    log = Log(PLAN)
    log.run(open_cmd(IncidentType.MEDICAL), DUTY)
    return log


def report(kind: ReportKind, *to: str) -> FileReport:
    return FileReport(kind, REPORT, to)
