"""How the golden files were made, once (see README.md): not a way to make a test pass.

    .venv/bin/python -m tests.golden.make OUTDIR

writes OUTDIR/incident.json (chain format 1: the events as data, each with its hash),
OUTDIR/incident-2.json (the same commands by chain format 2, each event with a fixed
salt), and OUTDIR/export-full-2.json, export-redacted-2.json (format 2 through the real
JSON exporter). export-full.json was written by the format-1 exporter, which no longer
exists. The files checked in are frozen: if running this gives other bytes, the chain
format or the export format changed, and old records must still verify.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sys
from collections.abc import Callable, Sequence
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


def golden_salts() -> Callable[[], bytes]:
    """Fixed, so the files can be made again; a store draws salts at random."""
    count = itertools.count(1)
    return lambda: hashlib.sha256(f"golden salt {next(count)}".encode()).digest()


def golden_events(salts: Callable[[], bytes | None] = lambda: None) -> list[Event]:
    state: IncidentState | None = None
    events: list[Event] = []
    for actor, command, offset in steps():
        now = START + offset
        done = process(
            state, command, actor, incident_id=INCIDENT, now=now, plan=no_plan(), salts=salts
        )
        state, events = done.state, events + done.events
    return events


def incident_document(events: Sequence[Event]) -> dict[str, Any]:
    rows = [
        {**e.envelope(), **({"salt": e.salt.hex()} if e.salt else {}), "hash": e.hash}
        for e in events
    ]
    return {"about": "golden incident: see tests/golden/README.md", "events": rows}


def write_incident(path: Path, events: Sequence[Event]) -> None:
    text = json.dumps(incident_document(events), ensure_ascii=False, indent=1) + "\n"
    path.write_text(text, encoding="utf-8")


def main(out: Path) -> None:
    write_incident(out / "incident.json", golden_events())
    events = golden_events(golden_salts())
    write_incident(out / "incident-2.json", events)
    t = Translator(Catalogue.load(), "zh-CN", ZoneInfo("Asia/Shanghai"))
    for kind, redact in (("full", False), ("redacted", True)):
        data = render("json", view_of(events, redact=redact), t, {}, exported_by=LEAD.user_id)
        (out / f"export-{kind}-2.json").write_bytes(data)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
