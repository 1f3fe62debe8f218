"""Reading a command from a form or a JSON body; a bad field is refused by name."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, TypeVar
from uuid import UUID

from incidents.checklist import BlockItem, SkipItem, TickItem, UntickItem
from incidents.domain import Command
from incidents.errors import InvalidCommand, Named
from incidents.kinds import IncidentType, Level, Status
from incidents.lifecycle import (
    AddNote,
    AssignCommander,
    ChangeLevel,
    ChangeStatus,
    CloseIncident,
    OpenIncident,
    ReopenIncident,
    ReportInjury,
    UpdateHeadcount,
)
from incidents.recusal import DeclareConflict
from incidents.reports import FIELDS as REPORT_FIELDS
from incidents.reports import FileReport, ReportKind
from incidents.resources import MoveResource, RequestResource, SetResourceEta

Fields = Mapping[str, Any]
E = TypeVar("E", bound=StrEnum)


def text(fields: Fields, name: str) -> str:
    value = fields.get(name, "")
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidCommand(
            "input.text", f"{name} must be text", field=name, name=Named("field", name)
        )
    return str(value)


def choice(kind: type[E], fields: Fields, name: str) -> E:
    try:
        return kind(text(fields, name))
    except ValueError:
        raise InvalidCommand(
            "input.choice",
            f"{name} must be one of {', '.join(kind)}",
            field=name,
            name=Named("field", name),
        ) from None


_WHOLE = re.compile(r"\s*[+-]?[0-9]+\s*", re.ASCII)


def integer(fields: Fields, name: str) -> int:
    """A whole number: a JSON integer, or a form's ASCII digits. A JSON 1.5, 1e400, a list or
    an object is refused by name, never rounded (the log would keep the guess forever)."""
    value = fields.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _WHOLE.fullmatch(value):
        with contextlib.suppress(ValueError):  # more digits than Python reads
            return int(value)
    raise InvalidCommand(
        "input.integer", f"{name} must be a whole number", field=name, name=Named("field", name)
    )


def optional_integer(fields: Fields, name: str) -> int | None:
    return None if fields.get(name) in (None, "") else integer(fields, name)


def names(fields: Fields, name: str) -> tuple[str, ...]:
    """A list of ids: a JSON list, or text separated by commas."""
    value = fields.get(name) or []
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise InvalidCommand(
            "input.list", f"{name} must be a list of ids", field=name, name=Named("field", name)
        )
    return tuple(i.strip() for i in items if i.strip())


def file_report(f: Fields) -> FileReport:
    nested = f.get("fields")
    given: Fields = nested if isinstance(nested, dict) else f
    body = {name: text(given, name) for name in REPORT_FIELDS}
    return FileReport(choice(ReportKind, f, "kind"), body, names(f, "to"))


def optional_uuid(fields: Fields, name: str) -> UUID | None:
    """An incident's id, or nothing when the field is empty; anything else refused by name."""
    value = text(fields, name).strip()
    if not value:
        return None
    try:
        return UUID(value)
    except ValueError:
        raise InvalidCommand(
            "input.uuid", f"{name} must be an incident id", field=name, name=Named("field", name)
        ) from None


def open_incident(f: Fields) -> OpenIncident:
    level = choice(Level, f, "level") if f.get("level") else None
    return OpenIncident(
        choice(IncidentType, f, "type"),
        text(f, "location"),
        integer(f, "headcount"),
        text(f, "summary"),
        text(f, "demands"),
        text(f, "reporter"),
        level,
        injured=f.get("injured") in (True, "on", "true", "1"),
        commander=text(f, "commander").strip(),
        linked_to=optional_uuid(f, "linked_to"),
    )


INCIDENT_COMMANDS: dict[str, Callable[[Fields], Command]] = {
    "level": lambda f: ChangeLevel(choice(Level, f, "to"), text(f, "reason")),
    "status": lambda f: ChangeStatus(choice(Status, f, "to"), text(f, "reason")),
    "close": lambda f: CloseIncident(text(f, "reason")),
    "reopen": lambda f: ReopenIncident(text(f, "reason")),
    "commander": lambda f: AssignCommander(text(f, "user_id")),
    "headcount": lambda f: UpdateHeadcount(integer(f, "headcount"), text(f, "reason")),
    "notes": lambda f: AddNote(text(f, "text")),
    "injury": lambda f: ReportInjury(text(f, "text")),
    "resources": lambda f: RequestResource(
        text(f, "resource"), text(f, "note"), optional_integer(f, "eta_minutes")
    ),
    "resource-move": lambda f: MoveResource(
        text(f, "dispatch"), text(f, "to"), optional_integer(f, "eta_minutes"), text(f, "note")
    ),
    "resource-eta": lambda f: SetResourceEta(text(f, "dispatch"), integer(f, "eta_minutes")),
    "reports": file_report,
    "conflict": lambda f: DeclareConflict(text(f, "reason"), text(f, "user_id")),
}

ITEM_COMMANDS: dict[str, Callable[[str, Fields], Command]] = {
    "tick": lambda item, f: TickItem(item, text(f, "note"), count=optional_integer(f, "count")),
    "untick": lambda item, f: UntickItem(item, text(f, "reason")),
    "skip": lambda item, f: SkipItem(item, text(f, "reason")),
    "block": lambda item, f: BlockItem(item, text(f, "reason")),
}
