"""What the incident page offers for situation reports: the kind due and a prefilled form."""

from __future__ import annotations

from typing import Any

from incidents.authz import Action, is_allowed
from incidents.kinds import Role, Status
from incidents.reports import FIELDS, ReportKind, filed, next_due
from incidents.state import IncidentState
from server.i18n import Translator
from server.notify.message import FIELDS as NOTICE_FIELDS


def suggested_kind(state: IncidentState) -> ReportKind:
    """The kind the form offers first: the one due, or the final once things are calm."""
    if not filed(state, ReportKind.FIRST):
        return ReportKind.FIRST
    if state.status is Status.CONTAINED:
        return ReportKind.FINAL
    due = next_due(state)
    return due.kind if due else ReportKind.FOLLOWUP


def prefill(state: IncidentState, t: Translator) -> dict[str, str]:
    """The report's fields as the incident's state and timeline already tell them."""
    told = {name: NOTICE_FIELDS[name](state, t) for name in FIELDS if name != "other"}
    return told | {"other": ""}


def report_form(state: IncidentState, role: Role, chain: tuple[str, ...]) -> dict[str, Any]:
    """The template context of the report form (the page's translator fills the fields)."""
    return {
        "can_report": is_allowed(role, Action.FILE_REPORT) and state.is_open,
        "report_kind": suggested_kind(state),
        "report_chain": ",".join(chain),
        "report_prefill": prefill,
    }
