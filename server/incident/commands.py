"""The write path over HTTP: authorize, check CSRF, run the command, commit, publish, answer.

The same routes take an htmx form, a plain form or a JSON body. The response goes out
after COMMIT; the broker sends the notice in the background (a frozen Redis never holds
the answer up) and the fan-out itself runs in the hub's own task.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any
from uuid import UUID

import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from incidents.domain import Command
from incidents.errors import DomainError, InvalidCommand, NotFound
from incidents.state import IncidentState
from incidents.store import EventStore, Outcome
from server.auth.protect import require_csrf, require_session
from server.duty.commander import with_roster
from server.errors import wants_json
from server.evidence.upload import Upload, cap_body, read_upload
from server.forms import read_form
from server.incident.input import INCIDENT_COMMANDS, ITEM_COMMANDS, Fields, open_incident
from server.incident.links import link_command, link_key, with_link
from server.live.broker import Broker, Notice
from server.services import services

log = structlog.get_logger(__name__)
MAX_BODY = 64 * 1024


MAX_DEPTH = 16  # objects and lists inside one another; a command needs two or three


async def json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object, or a refusal saying what is wrong with it."""
    return parse_object(await request.body())


def parse_object(body: bytes) -> dict[str, Any]:
    """A JSON object within the size and depth limits, all of its text valid Unicode; else a
    refusal (NaN and Infinity are not JSON, and a lone surrogate cannot be stored)."""
    if len(body) > MAX_BODY:
        raise InvalidCommand("request.too_large", "the request body is too large")
    try:
        data = json.loads(body or b"{}", parse_constant=_not_json)
    except (ValueError, RecursionError):
        raise InvalidCommand("request.not_json", "the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise InvalidCommand("request.not_object", "the body must be a JSON object")
    _check_tree(data)
    return data


def _not_json(constant: str) -> None:
    raise ValueError(constant)


def _check_tree(data: object) -> None:
    """Depth and encoding of every value, walked without recursion."""
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH and isinstance(value, dict | list):
            raise InvalidCommand("request.too_deep", f"nested deeper than {MAX_DEPTH}")
        if isinstance(value, dict):
            stack += [(k, depth) for k in value] + [(v, depth + 1) for v in value.values()]
        elif isinstance(value, list):
            stack += [(v, depth + 1) for v in value]
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidCommand("request.bad_text", "text holds a lone surrogate") from None


async def read_fields(request: Request) -> Fields:
    """The body as fields: a JSON object, or a form. (No text is taken from headers: a
    header cannot carry Chinese faithfully, and htmx percent-encodes prompt answers.)"""
    if request.headers.get("content-type", "").startswith("application/json"):
        fields: dict[str, Any] = await json_object(request)
    else:
        form = await read_form(request)  # a field sent more than once (checkboxes): its list
        fields = {k: vs[0] if len(vs) == 1 else vs for k, vs in form.items()}
    return fields


def idempotency_key(request: Request, fields: Fields) -> str:
    key = request.headers.get("idempotency-key") or fields.get("idempotency_key")
    if not isinstance(key, str) or not key:
        raise InvalidCommand(
            "request.key_missing",
            "an Idempotency-Key header is required",
            field="idempotency_key",
        )
    return key


async def run(
    request: Request, incident_id: UUID | None, command: Command, fields: Fields
) -> Response:
    return answer(
        request, await execute(request, incident_id, command, idempotency_key(request, fields))
    )


async def execute(
    request: Request, incident_id: UUID | None, command: Command, key: str
) -> Outcome:
    """The command committed under its key, and the hubs told."""
    session = require_session(request)
    store: EventStore = services(request).store
    outcome = await store.execute(incident_id, command, session.user.actor, key)
    broker: Broker = services(request).broker
    seqs = [e.seq for e in outcome.events]
    structlog.contextvars.bind_contextvars(
        incident_id=str(outcome.incident_id)
    )  # the request line too
    log.info(  # kinds and ids only: never a visitor's details
        "command",
        incident_id=str(outcome.incident_id),
        command=type(command).__name__,
        seqs=seqs,
        replayed=outcome.replayed,
        kinds=[e.kind for e in outcome.events],
    )  # kinds and ids only: no visitor details
    if seqs:  # also on a replay: a lost first publish is made good; returns without waiting
        await broker.publish(Notice(outcome.incident_id, seqs[0], seqs[-1]))
    return outcome


def answer(request: Request, outcome: Outcome) -> Response:
    if wants_json(request):
        body = {
            "incident_id": str(outcome.incident_id),
            "seqs": [e.seq for e in outcome.events],
            "replayed": outcome.replayed,
            "last_seq": outcome.state.last_seq,
        }
        return JSONResponse(body, 200 if outcome.replayed else 201)
    if "hx-request" in request.headers:
        return Response(status_code=204, headers={"HX-Trigger": "wf-done"})
    return RedirectResponse(f"/incidents/{outcome.incident_id}", 303)


def incident_id(request: Request) -> UUID:
    try:
        return UUID(request.path_params["incident_id"])
    except ValueError:
        raise NotFound("incident.not_found", "no such incident") from None


async def open_route(request: Request) -> Response:
    require_session(request)
    await require_csrf(request)
    fields = await read_fields(request)
    key = idempotency_key(request, fields)
    command = await with_roster(services(request), open_incident(fields))
    command = await with_link(services(request).store, command)
    outcome = await execute(request, None, command, key)
    await record_link(request, outcome.state, key)  # also on a retry: a lost one is made good
    return answer(request, outcome)


async def record_link(request: Request, opened: IncidentState, key: str) -> None:
    """The first incident records the one opened from it (pushed to its consoles too). A
    refusal there leaves the new incident, already committed, as it is."""
    if (link := link_command(opened)) is None:
        return
    try:
        await execute(request, link[0], link[1], link_key(key))
    except DomainError as refused:
        log.warning("link_not_recorded", incident_id=str(link[0]), reason=refused.reason)


async def incident_command(request: Request) -> Response:
    require_session(request)
    await cap_body(request)
    await require_csrf(request)
    name = request.path_params["command"]
    if name not in INCIDENT_COMMANDS:
        raise NotFound("request.unknown_command", f"no command {name!r}")
    fields = await read_fields(request)
    upload = await read_upload(request) if name in WITH_FILE else None
    command = await with_roster(services(request), INCIDENT_COMMANDS[name](fields))
    return await run_attached(request, incident_id(request), command, fields, upload)


async def item_command(request: Request) -> Response:
    return await part_command(request, ITEM_COMMANDS, "item")


async def part_command(
    request: Request, table: Mapping[str, Callable[[str, Fields], Command]], part: str
) -> Response:
    """POST …/{part}/{command}: a command on one part of the incident (an item, a check),
    made from the table by its name, the part's id and the fields."""
    require_session(request)
    await cap_body(request)
    await require_csrf(request)
    name = request.path_params["command"]
    if name not in table:
        raise NotFound("request.unknown_command", f"no command {name!r}")
    fields = await read_fields(request)
    upload = await read_upload(request) if part == "item" and name in WITH_FILE else None
    command = table[name](request.path_params[part], fields)
    return await run_attached(request, incident_id(request), command, fields, upload)


WITH_FILE = frozenset({"tick", "notes"})  # the item commands a file may come with (evidence)


async def run_attached(
    request: Request, incident: UUID, command: Command, fields: Fields, upload: Upload | None
) -> Response:
    """The command with its file: the bytes are kept in the command's own transaction."""
    if upload is None:
        return await run(request, incident, command, fields)
    a = upload.attachment
    with services(request).staging.hold(a.sha256, a.content_type, upload.content):
        attached: Any = replace(command, attachment=a)  # type: ignore[type-var]
        return await run(request, incident, attached, fields)


def command_routes() -> list[Route]:
    return [
        Route("/incidents", open_route, methods=["POST"]),
        Route("/incidents/{incident_id}/items/{item}/{command}", item_command, methods=["POST"]),
        Route("/incidents/{incident_id}/{command}", incident_command, methods=["POST"]),
    ]
