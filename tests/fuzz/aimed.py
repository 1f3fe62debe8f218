"""Aimed cases: one field of one route given one bad value, the rest of the request sound,
so the bad value reaches the code that reads it (random bodies mostly stop at the door).

A route's fields are read from its handler's source, a command's from its line in
server/incident/input.py: a field added there is fuzzed without a change here.
"""

from __future__ import annotations

import inspect
import re
import uuid
from urllib.parse import quote

from hypothesis import strategies as st
from starlette.routing import BaseRoute, Route

import server.incident.input as command_input
import server.welfare.routes as welfare_routes
from tests.fuzz.inputs import (
    BAD_PERCENT,
    BIG_INTS,
    DEEP,
    HOSTILE_TEXT,
    LONE_SURROGATES,
    NUMBERS,
    TYPED,
    Body,
    Raw,
    dump,
    values,
)

FIELD = re.compile(r'\b(?:f|fields|form|body)(?:\.get\(|, |\[)"([a-z_]+)"')
CLASSES = {
    "numbers": st.sampled_from(NUMBERS) | BIG_INTS | st.floats(),
    "surrogates": st.sampled_from(LONE_SURROGATES),
    "controls": st.sampled_from(HOSTILE_TEXT),
    "deep": DEEP,
    "structures": st.lists(values, max_size=3)
    | st.dictionaries(st.text(max_size=8), values, max_size=3),
    "typed": st.sampled_from(TYPED),
    "not_utf8": st.sampled_from(BAD_PERCENT),  # a form's percent-encoding of bytes
}
PLAUSIBLE = {
    "to": "major",
    "headcount": 12,
    "type": "medical",
    "level": "major",
    "eta_minutes": 5,
    "user_id": "commander1",
    "format": "md",
    "kind": "first",
    "role": "officer",
    "starts_at": "2026-12-01T08:00",
    "ends_at": "2026-12-01T18:00",
    "days": 10,
    "username": "来访者",  # never a real login: its failures would lock that person out
}


def command_fields() -> dict[str, list[str]]:
    """Each command's fields, from its entry in INCIDENT_COMMANDS / ITEM_COMMANDS."""
    source = inspect.getsource(command_input)
    chunks = re.split(r'\n    "([a-z-]+)": ', source)
    found = {
        name: FIELD.findall(body) for name, body in zip(chunks[1::2], chunks[2::2], strict=True)
    }
    found["reports"] = ["kind", *command_input.REPORT_FIELDS]
    return found


def slots(routes: list[BaseRoute]) -> list[tuple[str, list[str]]]:
    """(path template with the command filled in, the fields read there) for each POST."""
    commands = command_fields()
    found = []
    for route in routes:
        if not isinstance(route, Route) or "POST" not in (route.methods or ()):
            continue
        if "/checks/" in route.path:  # a welfare check's commands read their fields in one module
            module = sorted(set(FIELD.findall(inspect.getsource(welfare_routes))))
            names = welfare_routes.COMMANDS
            found += [(route.path.replace("{command}", c), module) for c in names]
        elif "{command}" in route.path:
            names = (
                command_input.ITEM_COMMANDS
                if "/items/" in route.path
                else command_input.INCIDENT_COMMANDS
            )
            found += [(route.path.replace("{command}", c), commands.get(c, [])) for c in names]
        elif route.path == "/incidents":
            found.append(
                (route.path, FIELD.findall(inspect.getsource(command_input.open_incident)))
            )
        else:
            module = inspect.getsource(inspect.getmodule(route.endpoint))  # type: ignore[arg-type]
            found.append((route.path, sorted(set(FIELD.findall(module)))))
    return [(path, names or ["text"]) for path, names in found]


def _sound(name: str) -> object:
    return PLAUSIBLE.get(name, "测试内容 ✅")


@st.composite
def aimed_body(draw: st.DrawFn, fields: list[str]) -> Body:
    focus = draw(st.sampled_from(fields))
    kind = draw(st.sampled_from(sorted(CLASSES)))
    bad = draw(CLASSES[kind])
    body = {name: _sound(name) for name in fields} | {"idempotency_key": uuid.uuid4().hex}
    if kind == "not_utf8" or draw(st.booleans()):  # as a form
        plain = {k: v for k, v in body.items() if k != focus}
        text = "&".join(f"{k}={_percent(v)}" for k, v in plain.items())
        value = bad if kind == "not_utf8" else _percent(bad)
        return Body("application/x-www-form-urlencoded", f"{text}&{focus}={value}".encode())
    body[focus] = bad
    return Body("application/json", dump(body).encode("utf-8", "surrogatepass"))


def _percent(value: object) -> str:
    text = value.text if isinstance(value, Raw) else str(value)
    return quote(text, safe="", errors="surrogatepass")
