"""Exporting a 10,000-event incident: JSON (full and redacted), offline verify, Markdown, PDF.

Baseline, same run, same events: a plain `json.dumps` of the envelopes and hashes.
The events are made with the pure domain (no database): this measures the export itself.
Targets (issue 7): JSON <= 300 ms, PDF <= 10 s. Prints JSON; never fails on a timing.

    .venv/bin/python -m bench.export [EVENTS]
    .venv/bin/python -m bench.export [EVENTS] --stages   # one PDF, stage by stage

`--stages` times our own stages (redaction, the report, Jinja) and WeasyPrint's, told apart
by its progress log's steps; with BENCH_PROFILE=FILE it also writes cProfile's stats of the
same PDF there (read them with `python -m pstats FILE`).
"""

from __future__ import annotations

import cProfile
import gc
import json
import logging
import os
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
from server.export import as_pdf
from server.export.as_json import export_document, to_bytes
from server.export.model import build_report
from server.export.paused_gc import paused_gc
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


# WeasyPrint's progress log: the first message of each step starts that stage
WEASY_STEPS = {
    "Step 1": "weasyprint: parse HTML",
    "Step 2": "weasyprint: parse CSS",
    "Step 3": "weasyprint: cascade styles",
    "Step 4": "weasyprint: build boxes",
    "Step 5": "weasyprint: lay out pages",
    "Step 6": "weasyprint: draw pages",
    "Step 7": "weasyprint: fonts, metadata, write",
}


class _Steps(logging.Handler):
    """Notes when each of WeasyPrint's steps begins."""

    def __init__(self) -> None:
        super().__init__()
        self.starts: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        step = WEASY_STEPS.get(str(record.msg)[:6])
        if step is not None and step not in self.starts:
            self.starts[step] = time.perf_counter()


class _GcTime:
    """The time the garbage collector ran, summed, while it is installed."""

    def __init__(self) -> None:
        self.seconds, self._began = 0.0, 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._began


def pdf_stages(events: list[Event]) -> dict[str, float]:
    """One redacted Chinese PDF, in seconds per stage (WeasyPrint already imported)."""
    import weasyprint  # type: ignore[import-untyped]  # heavy: loaded for PDFs only

    zh, marks = translator("zh-CN"), {"start": time.perf_counter()}
    view = view_of(events, redact=True)
    marks["redaction"] = time.perf_counter()
    steps, log = _Steps(), logging.getLogger("weasyprint.progress")
    level = log.level
    log.setLevel(logging.INFO)
    log.addHandler(steps)
    try:
        with paused_gc():  # as server.export.run.render does
            report = build_report(view, {})
            marks["report model (fold, rows)"] = time.perf_counter()
            html = as_pdf.render_html(report, zh, {})
            marks["jinja render"] = time.perf_counter()
            weasyprint.HTML(string=html).write_pdf()
    finally:
        log.removeHandler(steps)
        log.setLevel(level)
    ends = [*list(steps.starts.values())[1:], time.perf_counter()]  # a step ends as the next begins
    spans = {**marks, **dict(zip(steps.starts, ends, strict=True))}  # stage -> when it ended
    names, times = list(spans), list(spans.values())
    return {names[i]: round(times[i] - times[i - 1], 4) for i in range(1, len(names))}


def stages(total: int) -> dict[str, Any]:
    _, events = run(steps_for(total))
    pdf_stages(events[:60])  # imports WeasyPrint, compiles the template, warms the fonts
    gc_time = _GcTime()
    gc.callbacks.append(gc_time)
    profile = os.environ.get("BENCH_PROFILE")
    profiler = cProfile.Profile() if profile else None
    try:
        if profiler:
            profiler.enable()
        seconds = pdf_stages(events)
    finally:
        gc.callbacks.remove(gc_time)
    if profiler and profile:
        profiler.disable()
        profiler.dump_stats(profile)
    whole = sum(seconds.values())
    table = {k: {"seconds": v, "share": round(v / whole, 3)} for k, v in seconds.items()}
    result = {"events": len(events), "stages": table, "total_seconds": round(whole, 3)}
    result["gc_seconds"] = round(gc_time.seconds, 4)
    write_result("export_stages", result)
    return result


if __name__ == "__main__":
    count = next((int(a) for a in sys.argv[1:] if a.isdigit()), 10_000)
    stages(count) if "--stages" in sys.argv else main(count)
