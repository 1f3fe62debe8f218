"""Exporting an incident is itself on the record: who, which format, redacted or full."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from incidents.authz import Action
from incidents.errors import InvalidCommand, Named
from incidents.events import EventDraft
from incidents.state import IncidentState

FORMATS = ("json", "csv", "md", "pdf")


@dataclass(frozen=True, slots=True)
class ExportIncident:
    """An export with the visitor's personal details redacted."""

    action: ClassVar[Action] = Action.EXPORT
    allowed_when_closed: ClassVar[bool] = True
    redacted: ClassVar[bool] = True
    format: str


@dataclass(frozen=True, slots=True)
class ExportIncidentFull:
    """An export with the visitor's personal details, for the roles allowed to ask for it."""

    action: ClassVar[Action] = Action.EXPORT_FULL
    allowed_when_closed: ClassVar[bool] = True
    redacted: ClassVar[bool] = False
    format: str


def decide_export(
    state: IncidentState, cmd: ExportIncident | ExportIncidentFull
) -> list[EventDraft]:
    if cmd.format not in FORMATS:
        raise InvalidCommand(
            "input.choice",
            f"format must be one of {', '.join(FORMATS)}",
            field="format",
            name=Named("field", "format"),
        )
    return [EventDraft("exported", {"format": cmd.format, "redacted": cmd.redacted})]


HANDLERS: dict[type[Any], Callable[[IncidentState, Any], list[EventDraft]]] = {
    ExportIncident: decide_export,
    ExportIncidentFull: decide_export,
}
APPLIERS: dict[str, Callable[[IncidentState, Any], IncidentState]] = {
    "exported": lambda s, e: s,
}
