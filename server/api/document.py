"""The OpenAPI 3.1 document of the JSON API, made from the table of operations: the bodies'
and replies' JSON Schema from their msgspec Structs, each refusal's status from the one
table (server/errors.py), the authentication from each operation's `Auth`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import msgspec

from incidents.errors import Refusal
from server.api.bodies import Refused
from server.api.operation import Auth, Operation, Param
from server.auth.cookies import PLAIN_COOKIE
from server.errors import RETRY_AFTER, status_of

REF = "#/components/schemas/{name}"
IDEMPOTENCY = Param(
    "Idempotency-Key",
    "header",
    {"type": "string", "minLength": 8, "maxLength": 200, "pattern": "^[\\x21-\\x7e]+$"},
    description="One key per command: the same key again answers the first result (200).",
)
SECURITY_SCHEMES = {
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": PLAIN_COOKIE,
        "description": "A console's sign-in (POST /login); `__Host-wf_session` over https.",
    },
    "csrf": {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRF-Token",
        "description": "The session's CSRF token (the page's csrf-token meta): every write.",
    },
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "A system's API token (`watchfloor tokens new NAME --role ROLE`): "
        "/api/ routes only, no CSRF token; its commands are on the timeline under its name.",
    },
}
SECURITY: dict[Auth, list[dict[str, list[str]]]] = {
    Auth.READ: [{"session": []}, {"bearer": []}],
    Auth.WRITE: [{"session": [], "csrf": []}, {"bearer": []}],
    Auth.ACK_TOKEN: [],  # the signed token of the acknowledgement link, in the body
    Auth.PUBLIC: [],
}


def _tree(classes: Iterable[type[Refusal]]) -> Iterator[type[Refusal]]:
    todo = list(classes)
    while todo:
        cls = todo.pop(0)
        yield cls
        todo += cls.__subclasses__()


def refusal_codes(classes: Iterable[type[Refusal]]) -> dict[int, list[str]]:
    """Each status the classes (and their subclasses) are answered with, and their codes."""
    by_status: dict[int, list[str]] = {}
    for cls in _tree(classes):
        codes = by_status.setdefault(status_of(cls), [])
        if cls.code not in codes:
            codes.append(cls.code)
    return dict(sorted(by_status.items()))


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _responses(op: Operation, reply: dict[str, Any], refused: dict[str, Any]) -> dict[str, Any]:
    done = {str(s): _json(reply, "Done") for s in (op.status, *op.also)}
    refusals = {
        str(status): _json(refused, "Refused: " + ", ".join(f"`{c}`" for c in codes))
        for status, codes in refusal_codes(op.refusals).items()
    }
    wait = {"Retry-After": {"schema": {"type": "string", "example": RETRY_AFTER}}}
    down = {**_json(refused, "The database is away: `unavailable`; retry"), "headers": wait}
    return {**done, **refusals, "503": down}


def _param(p: Param) -> dict[str, Any]:
    found = {"name": p.name, "in": p.where, "required": p.required, "schema": p.schema}
    return found | ({"description": p.description} if p.description else {})


def _operation(op: Operation, reply: dict[str, Any], body: dict[str, Any] | None) -> Any:
    refused = {"$ref": REF.format(name=Refused.__name__)}
    params = (*op.params, IDEMPOTENCY) if op.auth is Auth.WRITE and op.keyed else op.params
    found: dict[str, Any] = {
        "operationId": op.id,
        "summary": op.summary,
        "security": SECURITY[op.auth],
        "parameters": [_param(p) for p in params],
        "responses": _responses(op, reply, refused),
    }
    if body is not None:
        found["requestBody"] = {"required": True, **_json(body, op.summary)}
        del found["requestBody"]["description"]
    return found


def _version() -> str:
    try:
        return version("watchfloor")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "0"


def document(operations: Iterable[Operation]) -> dict[str, Any]:
    ops = list(operations)
    types = [Refused, *(op.reply for op in ops), *(op.body for op in ops if op.body)]
    schemas, components = msgspec.json.schema_components(types, ref_template=REF)
    replies = dict(zip(map(id, types), schemas, strict=True))
    paths: dict[str, dict[str, Any]] = {}
    for op in ops:
        body = replies[id(op.body)] if op.body else None
        found = _operation(op, replies[id(op.reply)], body)
        paths.setdefault(op.path, {})[op.method.lower()] = found
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Watchfloor",
            "version": _version(),
            "description": "The JSON API of the incident console: reads, commands, and "
            "acknowledgements of notifications. Every write takes an Idempotency-Key.",
        },
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": SECURITY_SCHEMES},
    }
