"""The JSON API's table: every /api/ route, made from its `Operation`, and the document.

One row an operation; the routes and GET /api/openapi.json are both made from this table
(tests/test_api_document.py fails when an /api/ route has no row).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from incidents.domain import Command
from incidents.errors import (
    IdempotencyConflict,
    IllegalTransition,
    InvalidCommand,
    NotAuthorized,
    NotFound,
    Refusal,
)
from incidents.followup import CompleteFollowup, ExtendReply, RecordInstruction
from incidents.notifications import RecordPhoneAcknowledgement, ResendNotification
from server.api import bodies
from server.api.document import document
from server.api.operation import (
    Auth,
    Build,
    Endpoint,
    Operation,
    Param,
    checked,
    command,
    decoded,
)
from server.auth.errors import BearerInvalid, CrossSite, CsrfFailed, Forbidden, LoginRequired
from server.auth.protect import require_csrf, require_session
from server.duty.commander import with_roster
from server.duty.pages import add_shift, end_shift, file_zero_report
from server.incident.commands import open_route
from server.incident.input import INCIDENT_COMMANDS, ITEM_COMMANDS, Fields, text
from server.incident.routes import MAX_SEQ, api_events, api_incident, api_incidents
from server.notify.routes import _notification, api_ack
from server.notify.tokens import AckRefused
from server.services import services

SIGNED_IN: tuple[type[Refusal], ...] = (LoginRequired, BearerInvalid)
READ = (*SIGNED_IN, NotFound, InvalidCommand)
WRITE = (
    *SIGNED_IN,
    CsrfFailed,
    CrossSite,
    Forbidden,
    NotAuthorized,
    NotFound,
    InvalidCommand,
    IllegalTransition,
    IdempotencyConflict,
)
UUID_SCHEMA = {"type": "string", "format": "uuid"}
ID_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[^/]+$"}
INCIDENT = Param("incident_id", "path", UUID_SCHEMA)
ITEM = Param("item", "path", ID_SCHEMA, description="a checklist or follow-up item's id")
NOTIFICATION = Param("notification", "path", ID_SCHEMA, description="a notification's id")

# The incident commands: the body each takes, and what it does (POST .../{name}).
INCIDENT_BODIES: dict[str, tuple[type[bodies.Body], str]] = {
    "level": (bodies.ChangeLevel, "Raise or lower the level (commander)"),
    "status": (bodies.ChangeStatus, "Move the incident's status"),
    "close": (bodies.Reason, "Close the incident"),
    "reopen": (bodies.Reason, "Reopen a closed incident"),
    "commander": (bodies.AssignCommander, "Assign the commander"),
    "headcount": (bodies.UpdateHeadcount, "Update how many people are involved"),
    "notes": (bodies.Text, "Add a note to the timeline"),
    "injury": (bodies.Text, "Report an injury"),
    "resources": (bodies.RequestResource, "Request a resource (ambulance, police, ...)"),
    "resource-move": (bodies.MoveResource, "Move a dispatched resource along"),
    "resource-eta": (bodies.SetResourceEta, "Set a dispatched resource's ETA"),
    "reports": (bodies.FileReport, "File a report (first, follow-up, final)"),
    "conflict": (bodies.DeclareConflict, "Declare a conflict of interest (回避)"),
}
ITEM_BODIES: dict[str, tuple[type[bodies.Body], str]] = {
    "tick": (bodies.Note, "Tick a checklist item"),
    "untick": (bodies.Reason, "Untick a checklist item"),
    "skip": (bodies.Reason, "Skip a checklist item"),
    "block": (bodies.Reason, "Mark a checklist item blocked"),
}


def _incident_command(name: str) -> Build:
    async def build(request: Request, f: Fields) -> Command:
        return await with_roster(services(request), INCIDENT_COMMANDS[name](f))

    return build


def _item_command(name: str) -> Build:
    async def build(request: Request, f: Fields) -> Command:
        return ITEM_COMMANDS[name](request.path_params["item"], f)

    return build


def _build(make: Callable[[Request, Fields], Command]) -> Build:
    async def build(request: Request, f: Fields) -> Command:
        return make(request, f)

    return build


def _opening() -> Endpoint:
    """The console's own route, on /api/ with its body decoded first (after the session and
    CSRF checks): it also records the link on the incident an opening comes from."""

    async def endpoint(request: Request) -> Response:
        require_session(request)
        await require_csrf(request)
        await decoded(request, bodies.OpenIncident)  # the body is kept for open_route
        return await open_route(request)

    return endpoint


def _write(
    path: str, id: str, summary: str, kind: type[bodies.Body], build: Build, *params: Param
) -> Operation:
    return _posted(path, id, summary, kind, command(kind, build), *params)


def _posted(
    path: str, id: str, summary: str, kind: type[bodies.Body], endpoint: Endpoint, *params: Param
) -> Operation:
    return Operation(
        "POST",
        path,
        id,
        summary,
        endpoint,
        Auth.WRITE,
        bodies.CommandResult,
        WRITE,
        status=201,
        also=(200,),
        body=kind,
        params=(INCIDENT, *params) if "{incident_id}" in path else params,
    )


def _reads() -> list[Operation]:
    every = Param("all", "query", {"type": "string", "enum": ["0", "1"]}, required=False)
    after = Param("after", "query", {"type": "integer", "minimum": 0, "maximum": MAX_SEQ}, False)
    one = "/api/incidents/{incident_id}"
    incidents = list[bodies.Incident]
    return [
        Operation(
            "GET", "/api/incidents", "listIncidents", "Open incidents (all=1: closed too)",
            api_incidents, Auth.READ, incidents, SIGNED_IN, params=(every,),
        ),
        Operation(
            "GET", one, "getIncident", "One incident", api_incident, Auth.READ,
            bodies.Incident, READ, params=(INCIDENT,),
        ),
        Operation(
            "GET", f"{one}/events", "listEvents", "The incident's events after a seq",
            api_events, Auth.READ, list[bodies.Event], READ, params=(INCIDENT, after),
        ),
    ]  # fmt: skip


def _commands() -> list[Operation]:
    one = "/api/incidents/{incident_id}"
    opening = _opening()
    ops = [
        _posted("/api/incidents", "openIncident", "Open an incident", bodies.OpenIncident, opening)
    ]
    ops += [
        _write(f"{one}/{name}", f"incident-{name}", summary, kind, _incident_command(name))
        for name, (kind, summary) in INCIDENT_BODIES.items()
    ]
    ops += [
        _write(f"{one}/items/{{item}}/{name}", f"item-{name}", s, k, _item_command(name), ITEM)
        for name, (k, s) in ITEM_BODIES.items()
    ]
    return ops


def _after() -> list[Operation]:
    """Follow-up after the incident, and the console's side of notifications."""
    one = "/api/incidents/{incident_id}"
    notice = f"{one}/notifications/{{notification}}"
    return [
        _write(
            f"{one}/followup/{{item}}/complete", "followup-complete", "Complete a follow-up item",
            bodies.CompleteFollowup,
            _build(lambda r, f: CompleteFollowup(r.path_params["item"], text(f, "evidence"))),
            ITEM,
        ),
        _write(
            f"{one}/extend-reply", "extend-reply", "Extend the statutory reply deadline",
            bodies.ExtendReply,
            _build(lambda r, f: ExtendReply(f["days"], text(f, "reason"))),
        ),
        _write(
            f"{one}/instruction", "instruction", "Record a leader's instruction (批示)",
            bodies.Text,
            _build(lambda r, f: RecordInstruction(text(f, "text"), services(r).settings.timezone)),
        ),
        _write(
            f"{notice}/acknowledge", "notification-phone-ack",
            "Record an acknowledgement taken by phone", bodies.PhoneAcknowledgement,
            _build(lambda r, f: RecordPhoneAcknowledgement(_notification(r), f["by"], f["note"])),
            NOTIFICATION,
        ),
        _write(
            f"{notice}/resend", "notification-resend", "Send a notification again",
            bodies.Reason,
            _build(lambda r, f: ResendNotification(_notification(r), text(f, "reason"))),
            NOTIFICATION,
        ),
        Operation(
            "POST", "/api/ack", "acknowledge",
            "A unit's system acknowledges a notification with its link's signed token",
            api_ack, Auth.ACK_TOKEN, bodies.Acknowledged, (InvalidCommand, AckRefused),
            status=201, body=bodies.Acknowledge,
        ),
    ]  # fmt: skip


def _duty() -> list[Operation]:
    """The roster and the zero reports: the console's handlers, their bodies checked first."""
    shift = Param("shift_id", "path", {"type": "integer", "minimum": 1, "maximum": MAX_SEQ})
    return [
        Operation(
            "POST", "/api/roster", "addShift", "Add a shift to the duty roster",
            checked(bodies.AddShift, add_shift), Auth.WRITE, bodies.Shift, WRITE, status=201,
            body=bodies.AddShift, keyed=False,
        ),
        Operation(
            "POST", "/api/roster/{shift_id}/end", "endShift", "End a shift now",
            end_shift, Auth.WRITE, bodies.Shift, WRITE, status=201, params=(shift,), keyed=False,
        ),
        Operation(
            "POST", "/api/zero-reports", "fileZeroReport", "File a unit's zero report",
            checked(bodies.FileZeroReport, file_zero_report), Auth.WRITE, bodies.ZeroFiled,
            WRITE, status=201, body=bodies.FileZeroReport, keyed=False,
        ),
    ]  # fmt: skip


async def openapi_json(request: Request) -> Response:
    return JSONResponse(api_document())


DOCUMENT = Operation(
    "GET", "/api/openapi.json", "openapi", "This document", openapi_json, Auth.PUBLIC,
    dict[str, Any], (),
)  # fmt: skip


@cache
def operations() -> tuple[Operation, ...]:
    return (*_reads(), *_commands(), *_after(), *_duty(), DOCUMENT)


@cache
def api_document() -> dict[str, Any]:
    return document(operations())


def api_routes() -> list[Route]:
    return [op.route() for op in operations()]
