"""What the Markdown and PDF reports share: the template environment and its helpers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

import web
from incidents.followup import is_overdue
from incidents.plan import Bilingual
from server.export.chart import CheckMark, Milestone, timeline_svg
from server.export.model import KeyTime, Report
from server.export.welfare import check_rows
from server.i18n import Translator
from server.incident.timeline import describe, file_size

TEMPLATES = Path(web.__file__).parent / "templates" / "export"


@cache
def environment() -> jinja2.Environment:
    """HTML escaped, Markdown not (its tables escape `|` with the `cell` filter).

    One per process: it keeps the compiled templates (compiling report.md took longer
    than the rest of a small export), and reloads one whose file changed.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"], default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cell"] = cell
    return env


def cell(value: object) -> str:
    """A Markdown table cell: one line, pipes escaped."""
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def when(t: Translator, at: datetime | None) -> str:
    return at.astimezone(t.zone).strftime("%Y-%m-%d %H:%M:%S") if at else "—"


def duration(t: Translator, span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    return t("export.duration", d=days, h=rest // 60, m=rest % 60)


def key_label(k: KeyTime, t: Translator, units: Mapping[str, Bilingual]) -> str:
    """What a key time is about, by name: its unit, item or resource."""
    if k.unit:
        return units[k.unit].get(t.language) if k.unit in units else t.name("unit", k.unit)
    return k.label.get(t.language)


def milestones(report: Report, t: Translator, units: Mapping[str, Bilingual]) -> list[Milestone]:
    found = []
    for k in report.key_times:
        if k.at is not None:
            found.append(Milestone(k.at, t(k.key, label=key_label(k, t, units)), k.late))
    return found


def chart(report: Report, t: Translator, units: Mapping[str, Bilingual]) -> str:
    start = report.state.opened_at
    return timeline_svg(
        start,
        report.ended_at,
        milestones(report, t, units),
        report.progress,
        time_label=lambda at: at.astimezone(t.zone).strftime("%H:%M"),
        title=t("export.chart.title"),
        progress_label=t("export.chart.progress"),
        checks=check_marks(report),
        checks_label=t("export.chart.checks"),
    )


def check_marks(report: Report) -> list[CheckMark]:
    """Every welfare check recorded, at its time, and every one missed, at its due time."""
    marks = []
    for check in report.state.welfare:
        marks += [CheckMark(r.at) for r in check.records]
        marks += [CheckMark(due, missed=True) for _, due in check.missed]
    return marks


def context(report: Report, t: Translator, units: Mapping[str, Bilingual]) -> dict[str, Any]:
    lang = t.language
    return {
        "r": report,
        "s": report.state,
        "t": t,
        "lang": lang,
        "when": lambda at: when(t, at),
        "bi": lambda b: b.get(lang) if b else "",
        "unit": lambda u: units[u].get(lang) if u in units else t.name("unit", u),
        "who": t.who,
        "key_label": lambda k: key_label(k, t, units),
        "notify_status": lambda n: t(f"notify.status.{n.status.value}"),
        "describe": lambda e: describe(e, report.state, t),
        "size": lambda n: file_size(t, n),
        "duration": duration(t, report.duration),
        "overdue": lambda f: is_overdue(f, report.as_of),
        "followup_text": lambda f: followup_text(report, f.id, f.rule, t),
        "chart": Markup(chart(report, t, units)),
        "checks": check_rows(report.state, t),
    }


def followup_text(report: Report, item_id: str, rule: str, t: Translator) -> str:
    plan_item = report.state.plan_item(item_id)
    if plan_item is not None:
        return plan_item.text.get(t.language)
    return t(f"followup.rule.{rule}")
