"""One operation of the JSON API: its route, body and replies, and who may call it.

The table of operations (server/api_table.py) makes the routes and the OpenAPI document
both, so a route cannot exist without its description.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeVar

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from incidents.domain import Command
from incidents.errors import InvalidCommand, Refusal
from server.api.bodies import Body, convert, fields
from server.auth.protect import require_csrf, require_session
from server.incident.commands import incident_id, parse_object, run
from server.incident.input import Fields

B = TypeVar("B", bound=Body)
Endpoint = Callable[[Request], Awaitable[Response]]
Build = Callable[[Request, Fields], Awaitable[Command]]


class Auth(Enum):
    """What a caller shows: a console's session (its CSRF token on writes) or a system's
    API token; an acknowledgement's signed token in the body; or nothing."""

    READ = "read"
    WRITE = "write"
    ACK_TOKEN = "ack_token"
    PUBLIC = "public"


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    where: str  # "path", "query" or "header"
    schema: dict[str, Any]
    required: bool = True
    description: str = ""


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    path: str
    id: str
    summary: str
    endpoint: Endpoint
    auth: Auth
    reply: Any  # a Reply Struct or list[...] of one
    refusals: tuple[type[Refusal], ...]
    status: int = 200
    body: type[Body] | None = None
    params: tuple[Param, ...] = ()
    also: tuple[int, ...] = field(default=())  # other success statuses (a replay: 200)
    keyed: bool = True  # a write that takes an Idempotency-Key (the roster's do not)

    def route(self) -> Route:
        return Route(self.path, self.endpoint, methods=[self.method])


_AT = re.compile(r" - at `(\$[^`]*)`")
_FIELD = re.compile(r"field `([^`]+)`")


def schema_refusal(exc: msgspec.ValidationError) -> InvalidCommand:
    """msgspec's finding as a refusal naming the JSON path of the field ("$.fields.place")."""
    text = str(exc)
    at = (m[1] if (m := _AT.search(text)) else "$") + (
        f".{m[1]}" if (m := _FIELD.search(text)) else ""
    )
    name = at.rsplit(".", 1)[-1] if at != "$" else None
    return InvalidCommand("request.schema", text, field=name, at=at)


async def decoded(request: Request, kind: type[B]) -> B:
    """The body as `kind`, within the JSON limits every route keeps (size, depth, text)."""
    data = parse_object(await request.body())
    try:
        return convert(data, kind)
    except msgspec.ValidationError as exc:
        raise schema_refusal(exc) from None


def command(kind: type[Body], build: Build) -> Endpoint:
    """A write: the caller may, the body is `kind`, the command is run, committed, answered."""

    async def endpoint(request: Request) -> Response:
        require_session(request)
        await require_csrf(request)
        given = fields(await decoded(request, kind))
        found = incident_id(request) if "incident_id" in request.path_params else None
        return await run(request, found, await build(request, given), given)

    return endpoint


def checked(kind: type[Body], handler: Endpoint) -> Endpoint:
    """A console form's handler, on /api/ with its body decoded as `kind` first: a field of the
    wrong type or one the form never had is refused before the handler reads the body again."""

    async def endpoint(request: Request) -> Response:
        await decoded(request, kind)  # the body is kept: the handler reads the same bytes
        return await handler(request)

    return endpoint
