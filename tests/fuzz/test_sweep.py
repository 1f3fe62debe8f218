"""Every field of every POST route, given every bad value of every class, as JSON and as a
form, the rest of the request sound: no 5xx, no traceback, a refusal writes nothing.

Not random: each (route, field, value) is sent once, so no class is left to chance (a NUL in
a long enough idempotency key, say, which one random case in a thousand might reach).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from tests.fuzz.aimed import PLAUSIBLE, slots
from tests.fuzz.conftest import Target, trouble
from tests.fuzz.inputs import BAD_PERCENT, HOSTILE_TEXT, LONE_SURROGATES, NUMBERS, TYPED, Raw, dump

PARAM = re.compile(r"{(\w+)}")
WHO = ("commander1", "duty1", "admin1", "staff1")
AS_JSON: list[object] = [
    *NUMBERS,
    *LONE_SURROGATES,
    *HOSTILE_TEXT,
    *TYPED,
    Raw("[" * 40 + "]" * 40),
    [1, "二"],
    {"a": {"b": None}},
    2**63,
    -(2**63) - 1,
    float("inf"),
    float("nan"),
    True,
    None,
]
AS_FORM = [*BAD_PERCENT, *(quote(t, safe="") for t in HOSTILE_TEXT + TYPED)]


def who(n: int, path: str) -> str:
    return "" if path == "/login" else WHO[n % len(WHO)]  # signing in: no session yet


def requests(target: Target) -> Iterator[tuple[str, str, str, str, bytes]]:
    """(who, path, field, content type, body) for every case of the sweep."""
    n = 0
    for template, fields in slots(target.live.app.routes):
        if template == "/logout":  # it would sign the sweeping clients out; it reads no field
            continue
        path = PARAM.sub(lambda m: target.real.get(m[1], target.real["item"])[0], template)
        for field in dict.fromkeys([*fields, "idempotency_key"]):
            sound = {f: PLAUSIBLE.get(f, "测试内容 ✅") for f in fields}
            sound["idempotency_key"] = uuid.uuid4().hex
            for value in AS_JSON:
                n += 1
                body = dump(
                    {**sound, field: value, "idempotency_key": uuid.uuid4().hex}
                    | ({field: value} if field == "idempotency_key" else {})
                )
                yield (
                    WHO[n % 4],
                    path,
                    field,
                    "application/json",
                    body.encode("utf-8", "surrogatepass"),
                )
            for encoded in AS_FORM:
                n += 1
                rest = {k: v for k, v in sound.items() if k != field}
                rest.setdefault("idempotency_key", uuid.uuid4().hex)
                text = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in rest.items())
                yield (
                    WHO[n % 4],
                    path,
                    field,
                    "application/x-www-form-urlencoded",
                    f"{text}&{field}={encoded}".encode(),
                )


async def test_every_field_takes_every_bad_value_without_a_server_error(
    target: Target, capfd: pytest.CaptureFixture[str]
) -> None:
    failed: list[str] = []
    cases = 0
    for who, path, field, kind, body in requests(target):
        cases += 1
        before = await target.rows()
        reply = await target.clients[who].post(
            path, content=body, headers={"Content-Type": kind}, timeout=15
        )
        printed = capfd.readouterr()
        where = f"{who} POST {path} {field}={body[-60:]!r} ({kind}) -> {reply.status_code}"
        if reply.status_code >= 500 or trouble(printed.out + printed.err):
            failed.append(where)
        elif reply.status_code >= 400 and await target.rows() != before:
            failed.append(where + ": a refusal wrote")
    with capfd.disabled():
        print(json.dumps({"sweep_cases": cases, "server_errors": len(failed)}))
    assert not failed, "\n".join(failed[:20])
