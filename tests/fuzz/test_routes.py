"""Every route, fuzzed: whatever a client sends, the answer is a 2xx, a 3xx or a 4xx that says
why; never a 5xx, never a traceback in the log, never a hang; a refusal writes nothing.

Half the cases are aimed (tests/fuzz/aimed.py): one bad field in an otherwise sound request.
Budget: HTTP_CASES random requests; with the sweep (test_sweep.py, about 9,000) and the
sockets (test_sockets.py, 1,000), over 16,000 cases in all.
"""

from __future__ import annotations

import os
import re
import uuid

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import BaseRoute, Mount, Route

from server.incident.input import INCIDENT_COMMANDS, ITEM_COMMANDS
from server.welfare.routes import COMMANDS as CHECK_COMMANDS
from tests.fuzz.aimed import aimed_body, slots
from tests.fuzz.conftest import LOGINS, Target, trouble
from tests.fuzz.inputs import PATH_GARBAGE, Body, bodies

HTTP_CASES = int(os.environ.get("WATCHFLOOR_FUZZ_HTTP", "6000"))
PARAM = re.compile(r"{(\w+)}")
STATIC = ["app.css", "console.js", "../../server/app.py", "%2e%2e/%2e%2e/pyproject.toml", "无"]


def endpoints(routes: list[BaseRoute]) -> list[tuple[str, str]]:
    """(method, path template) of every route the app serves, HEAD aside."""
    found = []
    for route in routes:
        if isinstance(route, Mount):
            found.append(("GET", route.path + "/{static}"))
        elif isinstance(route, Route):
            found += [(m, route.path) for m in sorted(route.methods or ()) if m != "HEAD"]
    return found


def choices(target: Target, path: str, name: str) -> list[str]:
    if name == "command":
        known = ITEM_COMMANDS if "/items/" in path else INCIDENT_COMMANDS
        known = CHECK_COMMANDS if "/checks/" in path else known
        return [*known, "nonsense"]
    if name == "static":
        return STATIC
    return target.real.get(name, []) + target.real["item"] * (name == "item")


def often(usual: st.SearchStrategy[str], odd: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Mostly `usual` (so most requests get past the first check), sometimes `odd`."""
    return st.integers(0, 9).flatmap(lambda n: odd if n == 0 else usual)


def param(real: list[str]) -> st.SearchStrategy[str]:
    return (
        often(st.sampled_from(real), st.sampled_from(PATH_GARBAGE))
        if real
        else st.sampled_from(PATH_GARBAGE)
    )


@st.composite
def requests(draw: st.DrawFn, target: Target) -> tuple[str, str, str, Body, dict[str, str]]:
    every = endpoints(target.live.app.routes)
    writes = [e for e in every if e[0] == "POST"]  # where input is read: drawn more often
    method, template = draw(st.sampled_from(every) | st.sampled_from(writes))
    if draw(st.integers(0, 19)) == 0:
        method = draw(st.sampled_from(["PUT", "DELETE", "PATCH", "GET", "POST"]))
    path = PARAM.sub(lambda m: draw(param(choices(target, template, m[1]))), template)
    query = draw(st.sampled_from(["", "?view=board", "?next=%2F%E4%B8", "?lang=xx", "?a=%FF"]))
    who = draw(often(st.sampled_from(LOGINS), st.just("")))
    headers = {"Idempotency-Key": draw(st.sampled_from([uuid.uuid4().hex, "", "k" * 300]))}
    csrf = draw(often(st.just("mine"), st.sampled_from(["none", "wrong"])))
    if csrf == "none":
        headers["X-CSRF-Token"] = ""
    elif csrf == "wrong":
        headers["X-CSRF-Token"] = "forged"
    headers |= draw(
        st.sampled_from([{}, {"HX-Request": "true"}, {"Accept": "text/html"}, {"Accept": "*/*"}])
    )
    return method, path + query, who, draw(bodies), headers


@st.composite
def aimed(draw: st.DrawFn, target: Target) -> tuple[str, str, str, Body, dict[str, str]]:
    """A sound request from a signed-in person, but for one bad field."""
    template, fields = draw(st.sampled_from(slots(target.live.app.routes)))
    path = PARAM.sub(lambda m: draw(st.sampled_from(choices(target, template, m[1]))), template)
    who = draw(st.sampled_from(LOGINS))
    if draw(st.booleans()):  # the key from the header; else the form's own field, fuzzed too
        return "POST", path, who, draw(aimed_body(fields)), {"Idempotency-Key": uuid.uuid4().hex}
    return "POST", path, who, draw(aimed_body([*fields, "idempotency_key"])), {}


async def send(target: Target, case: tuple[str, str, str, Body, dict[str, str]]) -> httpx.Response:
    method, path, who, body, headers = case
    client = target.clients[who]
    if body.content_type:
        headers = {**headers, "Content-Type": body.content_type}
    if path.startswith("/logout") and who:  # signing a fuzzing client out would end its coverage
        headers["X-CSRF-Token"] = "forged"
    data = body.data if method in ("POST", "PUT", "PATCH", "DELETE") else None
    return await client.request(method, path, content=data, headers=headers, timeout=15)


@settings(
    max_examples=HTTP_CASES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)
@given(data=st.data())
async def test_every_route_answers_any_request_without_a_server_error(
    target: Target, capfd: pytest.CaptureFixture[str], data: st.DataObject
) -> None:
    case = data.draw(aimed(target) | requests(target), label="request")
    before = await target.rows()
    reply = await send(target, case)
    printed = capfd.readouterr()
    assert reply.status_code < 500, reply.text[:300]
    assert not trouble(printed.out + printed.err), trouble(printed.out + printed.err)
    if reply.status_code >= 400:
        assert reply.text.strip(), "a refusal says why"
        assert await target.rows() == before, "a refused request wrote"
