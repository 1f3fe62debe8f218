"""Exporting a 10,000-event incident: JSON (full and redacted), offline verify, Markdown, PDF.

Baseline, same run, same events: a plain `json.dumps` of the envelopes and hashes.
The events are made with the pure domain (no database): this measures the export itself.
Targets (issue 7): JSON <= 300 ms, PDF <= 10 s. Prints JSON; never fails on a timing.

    .venv/bin/python -m bench.export [EVENTS]
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bench.common import progress, write_result
from incidents.checklist import TickItem
from incidents.commanders import Candidate
from incidents.domain import Command
from incidents.events import Event
from incidents.kinds import Role, Status
from incidents.lifecycle import (
    AddNote,
    AssignCommander,
    ChangeStatus,
    CloseIncident,
    UpdateHeadcount,
)
from incidents.reports import FileReport, ReportKind
from incidents.state import Actor
from server.export.as_json import export_document, to_bytes
from server.export.run import render
from server.export.verify_json import verify_bytes
from server.export.view import view_of
from tests.export.support import FIRST_REPORT, OPEN, run, translator
from tests.support import DUTY, LEAD, STAFF

Step = tuple[Actor, Command, timedelta]
TICKS = ["report_to_head", "call_ambulance", "first_aid", "clear_the_way", "report_to_leadership"]


def steps_for(total: int) -> list[Step]:
    """Open, then notes (some with personal details), ticks and headcounts, then close."""
    second = timedelta(seconds=1)
    steps: list[Step] = [
        (DUTY, OPEN, 0 * second),
        (LEAD, AssignCommander("commander1", Candidate("commander1", Role.COMMANDER)), second),
    ]
    for n in range(total - 60):  # opening and closing bring about 60 events of their own
        at = (n + 2) * second
        if n < len(TICKS):
            steps.append((STAFF, TickItem(TICKS[n], "已完成"), at))
        elif n % 500 == 0:
            steps.append((STAFF, UpdateHeadcount(2 + n // 500, "又到一人"), at))
        else:
            text = f"现场记录 {n}：来访人王小明情绪平稳，家属电话 13812345678"
            steps.append((STAFF, AddNote(text), at))
    end = (total + 2) * second
    steps += [
        (LEAD, ChangeStatus(Status.RESPONDING, ""), end),
        (LEAD, ChangeStatus(Status.CONTAINED, "已送医"), end + second),
        (DUTY, FileReport(ReportKind.FIRST, FIRST_REPORT), end + second),
        (DUTY, FileReport(ReportKind.FINAL, FIRST_REPORT), end + second),
        (LEAD, CloseIncident("处置完毕"), end + 2 * second),
    ]
    return steps


def timed(what: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = what()
    return round(time.perf_counter() - start, 4), out


def json_export(events: list[Event], *, redact: bool) -> bytes:
    view = view_of(events, redact=redact)
    doc = export_document(view, exported_at=events[-1].occurred_at, exported_by="bench")
    return to_bytes(doc)


def main(total: int = 10_000) -> dict[str, Any]:
    progress(f"making {total} events with the pure domain")
    _, events = run([s for s in steps_for(total) if s is not None])
    zh = translator("zh-CN")
    progress("baseline json.dumps")
    baseline, _ = timed(
        lambda: json.dumps([{**e.envelope(), "hash": e.hash} for e in events], ensure_ascii=False)
    )
    json_full, data = timed(lambda: json_export(events, redact=False))
    json_redacted, _ = timed(lambda: json_export(events, redact=True))
    verify, verdict = timed(lambda: verify_bytes(data))
    assert verdict.broken is None
    progress("markdown")
    markdown, _ = timed(lambda: render("md", view_of(events, redact=True), zh, {}, exported_by="b"))
    progress("pdf (imports WeasyPrint once first)")
    render("pdf", view_of(events[:60], redact=True), zh, {}, exported_by="bench")
    pdf, pdf_bytes = timed(
        lambda: render("pdf", view_of(events, redact=True), zh, {}, exported_by="bench")
    )
    result = {
        "events": len(events),
        "seconds": {
            "baseline_json_dumps": baseline,
            "json_full": json_full,
            "json_redacted": json_redacted,
            "verify_offline": verify,
            "markdown_redacted": markdown,
            "pdf_redacted": pdf,
        },
        "bytes": {"json": len(data), "pdf": len(pdf_bytes)},
        "targets_seconds": {"json": 0.3, "pdf": 10.0},
    }
    write_result("export", result)
    return result


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
