"""How the golden files were made, once (see README.md): not a way to make a test pass.

    .venv/bin/python -m tests.golden.make OUTDIR

writes OUTDIR/incident.json (the events as data, each with its hash) and
OUTDIR/export-full.json (the same events through the real JSON exporter). The files
checked in are frozen: if running this gives other bytes, the chain format or the
export format changed, and old records must still verify (a migration question).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from incidents.commanders import Candidate
from incidents.domain import Command, process
from incidents.events import Event
from incidents.exports import ExportIncidentFull
from incidents.kinds import IncidentType, Level, Role, Status
from incidents.lifecycle import (
    AddNote,
    AssignCommander,
    ChangeLevel,
    ChangeStatus,
    OpenIncident,
    UpdateHeadcount,
)
from incidents.plan import no_plan
from incidents.state import Actor, IncidentState
from server.export.run import render
from server.export.view import view_of
from server.i18n import Catalogue, Translator

INCIDENT = UUID("00000000-0000-4000-8000-00000000601d")
START = datetime(2026, 11, 23, 0, 15, 0, 123456, tzinfo=UTC)  # 08:15 in the office
DUTY = Actor("duty1", Role.DUTY_OFFICER)
STAFF = Actor("staff1", Role.ONSITE_STAFF)
LEAD = Actor("commander1", Role.COMMANDER)
PHONE_NOTE = "来访代表张伟，联系电话 13912345678，已登记。"
# Right-to-left, Cyrillic, Hangul, kana, a combining accent (e + U+0301, not NFC),
# a CJK character beyond the BMP, emoji with ZWJ and a skin tone, a quote, a
# backslash and a newline: every way the canonical form could spell text twice.
MIXED_NOTE = (
    'Mixed: ئۇيغۇرچە русский 한국어 かな cafe\u0301 𠀋 👨\u200d👩\u200d👧 👍🏽 🚨 "q" \\ 完\n第二行'
)


def steps() -> list[tuple[Actor, Command, timedelta]]:
    m = timedelta(minutes=1)
    opened = OpenIncident(
        IncidentType.COLLECTIVE_VISIT,
        "一楼接待大厅",
        12,
        "群众集体来访，反映拆迁补偿问题",
        "要求见区领导",
        "门卫王师傅",
    )
    return [
        (DUTY, opened, 0 * m),
        (LEAD, AssignCommander("commander1", Candidate("commander1", Role.COMMANDER)), 1 * m),
        (STAFF, AddNote(PHONE_NOTE), 2 * m),
        (STAFF, AddNote(MIXED_NOTE), timedelta(minutes=3, microseconds=7)),
        (STAFF, UpdateHeadcount(35, "又到 23 人"), 4 * m),  # and the level floor: major
        (LEAD, ChangeLevel(Level.CRITICAL, "人员情绪激动，升为特别重大"), 5 * m),
        (LEAD, ChangeStatus(Status.RESPONDING, "已启动预案"), 6 * m),
        (LEAD, ExportIncidentFull("json"), 7 * m),  # as `watchfloor export --full` records it
    ]


def golden_events() -> list[Event]:
    state: IncidentState | None = None
    events: list[Event] = []
    for actor, command, offset in steps():
        done = process(
            state, command, actor, incident_id=INCIDENT, now=START + offset, plan=no_plan()
        )
        state, events = done.state, events + done.events
    return events


def incident_document(events: Sequence[Event]) -> dict[str, Any]:
    rows = [{**e.envelope(), "hash": e.hash} for e in events]
    return {"about": "golden incident: see tests/golden/README.md", "events": rows}


def main(out: Path) -> None:
    events = golden_events()
    text = json.dumps(incident_document(events), ensure_ascii=False, indent=1) + "\n"
    (out / "incident.json").write_text(text, encoding="utf-8")
    t = Translator(Catalogue.load(), "zh-CN", ZoneInfo("Asia/Shanghai"))
    data = render("json", view_of(events, redact=False), t, {}, exported_by=LEAD.user_id)
    (out / "export-full.json").write_bytes(data)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
