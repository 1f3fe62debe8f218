"""Situation reports up the chain (首报, 续报, 终报) and their deadlines.

The first report is due `first_report_within` after opening; then a follow-up is due
`followup_every` after the last report filed, for as long as the incident is open and no
final report is filed. Closing needs a final report when the plan says `final_on_close`.
A report filed after its deadline is late, and its event says so for good; a deadline that
passes unfiled is recorded once, as `report_overdue`, by the deadline worker.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar

from incidents import lifecycle as lc
from incidents import validate
from incidents.authz import Action
from incidents.canonical import format_time, parse_time
from incidents.errors import IllegalTransition, InvalidCommand
from incidents.events import Event, EventDraft
from incidents.state import Actor, IncidentState, OverdueReport, ReportState

MAX_FIELD, MAX_UNITS, MAX_UNIT_ID = 4000, 10, 64


class ReportKind(StrEnum):
    FIRST = "first"
    FOLLOWUP = "followup"
    FINAL = "final"


# What a report must hold (信息报告内容, DOMAIN.md), in the plans' order.
FIELDS = (
    "time",
    "place",
    "scale",
    "people",
    "cause",
    "demands",
    "actions_taken",
    "impact",
    "other",
)
REQUIRED = frozenset({"time", "place", "scale", "cause"})


@dataclass(frozen=True, slots=True)
class FileReport:
    """A report, signed by whoever files it, sent to the units in `to`."""

    action: ClassVar[Action] = Action.FILE_REPORT
    kind: ReportKind
    fields: Mapping[str, str]
    to: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MarkReportOverdue:
    """The deadline worker: the report `key` was not filed in time (the system issues it)."""

    action: ClassVar[Action] = Action.RECORD_DELIVERY
    key: str


@dataclass(frozen=True, slots=True)
class Due:
    key: str  # "first" or "followup:<n>"
    kind: ReportKind
    at: datetime


def filed(state: IncidentState, kind: ReportKind) -> list[ReportState]:
    return [r for r in state.reports if r.kind == kind]


def next_due(state: IncidentState) -> Due | None:
    """The one report deadline pending now, if any."""
    plan = state.plan
    if plan is None or not state.is_open or filed(state, ReportKind.FINAL):
        return None
    if not filed(state, ReportKind.FIRST):
        first = state.opened_at + timedelta(seconds=plan.first_report_within)
        return Due("first", ReportKind.FIRST, first)
    last = max(r.filed_at for r in state.reports)
    number = len(filed(state, ReportKind.FOLLOWUP)) + 1
    due = last + timedelta(seconds=plan.followup_every)
    return Due(f"followup:{number}", ReportKind.FOLLOWUP, due)


def is_late(state: IncidentState, now: datetime) -> bool:
    """The pending report is past its deadline (whether or not the worker has flagged it)."""
    due = next_due(state)
    return due is not None and now > due.at


def _fields(given: Mapping[str, str]) -> dict[str, str]:
    unknown = sorted(set(given) - set(FIELDS))
    if unknown:
        raise InvalidCommand(
            "report.unknown_fields",
            f"unknown report fields: {', '.join(unknown)}",
            field=unknown[0],
        )
    return {
        f: validate.text(
            str(given.get(f, "")), f, max_len=MAX_FIELD, required=f in REQUIRED, multiline=True
        )
        for f in FIELDS
    }


def _units(to: tuple[str, ...]) -> list[str]:
    units = [validate.text(u, "to", max_len=MAX_UNIT_ID) for u in to]
    if len(units) > MAX_UNITS:
        raise InvalidCommand(
            "report.too_many_units", f"at most {MAX_UNITS} units", field="to", max=MAX_UNITS
        )
    return list(dict.fromkeys(units))


def _deadline(state: IncidentState, kind: ReportKind) -> datetime | None:
    if kind is not ReportKind.FIRST and not filed(state, ReportKind.FIRST):
        raise IllegalTransition(
            "report.first_missing", "the first report must be filed first", field="kind"
        )
    if kind is ReportKind.FIRST and filed(state, ReportKind.FIRST):
        raise IllegalTransition(
            "report.first_filed", "the first report is already filed", field="kind"
        )
    if filed(state, ReportKind.FINAL):
        raise IllegalTransition(
            "report.final_filed", "the final report is already filed", field="kind"
        )
    due = next_due(state)
    return due.at if due and due.kind is kind else None


def decide_file(
    state: IncidentState, cmd: FileReport, actor: Actor, now: datetime
) -> list[EventDraft]:
    due = _deadline(state, cmd.kind)
    number = len(state.reports) + 1
    units = _units(cmd.to)
    payload = {
        "number": number,
        "kind": cmd.kind.value,
        "fields": _fields(cmd.fields),
        "signed_by": actor.user_id,
        "filed_at": format_time(now),
        "due_at": format_time(due) if due else None,
        "late": due is not None and now > due,
        "to": units,
    }
    notices = [
        EventDraft(
            "notification_planned",
            {"notification": f"report-{number}-{u}", "unit": u, "on": f"report:{cmd.kind}"},
        )
        for u in units
    ]
    return [EventDraft("report_filed", payload), *notices]


def decide_overdue(
    state: IncidentState, cmd: MarkReportOverdue, actor: Actor, now: datetime
) -> list[EventDraft]:
    due = next_due(state)
    if due is None or due.key != cmd.key:
        raise IllegalTransition(
            "report.no_deadline", f"no report deadline {cmd.key!r} is pending", field="key"
        )
    if any(o.key == cmd.key for o in state.reports_overdue):
        raise IllegalTransition(
            "report.overdue_recorded",
            f"report {cmd.key} is already recorded as overdue",
            field="key",
        )
    if now <= due.at:
        raise IllegalTransition(
            "report.not_due", f"report {cmd.key} is not due until {format_time(due.at)}"
        )
    payload = {"report": due.key, "kind": due.kind.value, "due_at": format_time(due.at)}
    return [EventDraft("report_overdue", payload)]


def decide_close(state: IncidentState, cmd: lc.CloseIncident) -> list[EventDraft]:
    """Closing needs a final report when the pinned plan says so."""
    needs_final = state.plan is not None and state.plan.final_on_close
    if needs_final and not filed(state, ReportKind.FINAL):
        raise IllegalTransition(
            "report.final_first", "file the final report before closing", field="report"
        )
    return lc.decide_close(state, cmd)


# --- the fold ---------------------------------------------------------------


def apply_filed(s: IncidentState, e: Event) -> IncidentState:
    p = e.payload
    due = parse_time(p["due_at"]) if p.get("due_at") else None
    report = ReportState(
        p["number"], p["kind"], e.occurred_at, p["signed_by"], due, p["late"], dict(p["fields"])
    )
    return replace(s, reports=(*s.reports, report))


def apply_overdue(s: IncidentState, e: Event) -> IncidentState:
    p = e.payload
    late = OverdueReport(p["report"], p["kind"], parse_time(p["due_at"]), e.occurred_at)
    return replace(s, reports_overdue=(*s.reports_overdue, late))


ContextHandler = Callable[[IncidentState, Any, Actor, datetime], list[EventDraft]]

HANDLERS: dict[type[Any], ContextHandler] = {
    FileReport: decide_file,
    MarkReportOverdue: decide_overdue,
}
APPLIERS = {"report_filed": apply_filed, "report_overdue": apply_overdue}
