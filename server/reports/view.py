"""What the incident page offers for situation reports: the kind due and a prefilled form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from incidents.authz import Action, is_allowed
from incidents.kinds import Role, Status
from incidents.recusal import MAY_DECLARE_FOR_OTHERS
from incidents.reports import FIELDS, ReportKind, filed, next_due
from incidents.state import IncidentState
from playbooks.schema import Channel, Unit, UnitKind
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


@dataclass(frozen=True, slots=True)
class Recipient:
    """A unit the report form offers to send to (shown by its name), ticked when in the chain."""

    unit: str
    checked: bool


def recipients(chain: tuple[str, ...], units: Mapping[str, Unit]) -> tuple[Recipient, ...]:
    """The configured chain first (ticked), then every other unit a report can reach: not the
    family, and not a unit whose only contact is the duty log."""

    def reachable(u: Unit) -> bool:
        return u.kind is not UnitKind.FAMILY and any(
            c.channel is not Channel.LOG for c in u.contacts
        )

    others = [uid for uid, u in units.items() if uid not in chain and reachable(u)]
    return (*(Recipient(u, True) for u in chain), *(Recipient(u, False) for u in others))


def report_form(
    state: IncidentState, role: Role, chain: tuple[str, ...], units: Mapping[str, Unit]
) -> dict[str, Any]:
    """The template context of the report form (the page's translator fills the fields)."""
    return {
        "can_report": is_allowed(role, Action.FILE_REPORT) and state.is_open,
        "report_kind": suggested_kind(state),
        "report_recipients": recipients(chain, units),
        "report_prefill": prefill,
        "may_recuse_others": role in MAY_DECLARE_FOR_OTHERS,  # the rule's own list
    }
