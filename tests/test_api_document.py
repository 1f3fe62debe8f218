"""The OpenAPI document: valid OpenAPI 3.1, made from the table the routes are made from,
with every /api/ route of the app in it, and the bodies' schemas the decoders' own."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from openapi_spec_validator import validate
from starlette.routing import Route

from server.api import bodies
from server.api.document import REF
from server.api_table import api_document, operations
from server.app import create_app
from server.auth.errors import BearerRevoked
from server.errors import status_of
from server.settings import Settings


def app_api_routes() -> set[tuple[str, str]]:
    """Every (method, path) of an /api/ route the app serves, walked from its router."""
    app = create_app(Settings.from_env({}))
    found = set()
    for route in app.routes:
        if isinstance(route, Route) and route.path.startswith("/api/"):
            found |= {(m, route.path) for m in route.methods or () if m != "HEAD"}
    return found


def test_the_document_is_valid_openapi_3_1() -> None:
    doc = api_document()
    assert doc["openapi"] == "3.1.0"
    validate(doc)  # raises, naming the place, when it is not


def test_every_api_route_of_the_app_is_described() -> None:
    """A route added under /api/ without a row in the table fails here."""
    described = {
        (method.upper(), path) for path, ops in api_document()["paths"].items() for method in ops
    }
    routes = app_api_routes()
    assert len(routes) > 25
    assert routes - described == set()
    assert described - routes == set()


def test_the_console_json_commands_have_their_api_twin() -> None:
    """Each command the console's forms accept as JSON is also an /api/ operation."""
    paths = api_document()["paths"]
    for name in ("notes", "level", "reports", "resource-move", "conflict", "instruction"):
        assert f"/api/incidents/{{incident_id}}/{name}" in paths
    for name in ("tick", "untick", "skip", "block"):
        assert f"/api/incidents/{{incident_id}}/items/{{item}}/{name}" in paths
    assert "/api/incidents/{incident_id}/notifications/{notification}/resend" in paths


def test_a_body_schema_is_its_decoders_struct() -> None:
    """The document's body schema is msgspec's schema of the Struct the route decodes with."""
    doc = api_document()
    level = doc["paths"]["/api/incidents/{incident_id}/level"]["post"]
    ref = level["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/ChangeLevel"
    _, mine = msgspec.json.schema_components([bodies.ChangeLevel], ref_template=REF)
    assert doc["components"]["schemas"]["ChangeLevel"] == mine["ChangeLevel"]
    assert doc["components"]["schemas"]["ChangeLevel"]["required"] == ["to"]


@pytest.mark.parametrize("op", operations(), ids=lambda op: f"{op.method} {op.path}")
def test_each_operation_says_how_it_authenticates_and_refuses(op: Any) -> None:
    described = api_document()["paths"][op.path][op.method.lower()]
    responses = described["responses"]
    assert str(op.status) in responses and "503" in responses
    if op.path == "/api/openapi.json" or op.path == "/api/ack":
        assert described["security"] == []  # anyone; the ack's signed token is in the body
        return
    schemes = [set(s) for s in described["security"]]
    assert {"bearer"} in schemes
    assert ({"session", "csrf"} if op.method == "POST" else {"session"}) in schemes
    revoked = responses[str(status_of(BearerRevoked))]
    assert "`bearer_revoked`" in revoked["description"]
    assert revoked["content"]["application/json"]["schema"]["$ref"].endswith("/Refused")
    names = [p["name"] for p in described["parameters"]]
    assert ("Idempotency-Key" in names) == (op.method == "POST" and op.keyed)
