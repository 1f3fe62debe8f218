"""What faces the outside, fuzzed: any body to any command is accepted or refused with a
clear 4xx, never a 500, and a refusal writes nothing."""

from __future__ import annotations

import uuid

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.live.conftest import Live

COMMANDS = [
    "level",
    "status",
    "close",
    "reopen",
    "commander",
    "headcount",
    "notes",
    "injury",
    "items/report_to_head/tick",
    "items/report_to_head/untick",
    "items/nope/skip",
    "nonsense",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),  # JSON has no NaN; raw=True sends odd text
    st.text(max_size=40),
)
fields = st.sampled_from(
    [
        "to",
        "reason",
        "user_id",
        "headcount",
        "text",
        "note",
        "type",
        "location",
        "summary",
        "level",
        "injured",
        "x",
    ]
)
bodies = st.one_of(
    st.dictionaries(fields, scalars | st.lists(scalars, max_size=3), max_size=6),
    st.lists(scalars, max_size=3),
    scalars,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(command=st.sampled_from(COMMANDS), body=bodies, raw=st.booleans())
async def test_any_body_to_any_command_is_never_a_server_error(
    live: Live, command: str, body: object, raw: bool
) -> None:
    """Whatever a client sends, the answer is a 2xx or a 4xx naming the problem."""
    client = await _client(live)
    incident = await _incident(live, client)
    before = len((await client.get(f"/api/incidents/{incident}/events")).json())
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    if raw:
        reply = await client.post(
            f"/incidents/{incident}/{command}",
            content=repr(body).encode(),
            headers={**headers, "Content-Type": "application/json"},
        )
    else:
        reply = await client.post(f"/incidents/{incident}/{command}", json=body, headers=headers)
    assert reply.status_code < 500, reply.text
    after = len((await client.get(f"/api/incidents/{incident}/events")).json())
    if reply.status_code >= 400:
        assert after == before
        assert reply.text.strip(), "a refusal says why"


_cache: dict[int, tuple[httpx.AsyncClient, str]] = {}


async def _client(live: Live) -> httpx.AsyncClient:
    if id(live) not in _cache:
        client = await live.client("commander1")
        _cache[id(live)] = (client, "")
    return _cache[id(live)][0]


async def _incident(live: Live, client: httpx.AsyncClient) -> str:
    cached = _cache[id(live)]
    if not cached[1]:
        reply = await client.post(
            "/incidents",
            json={"type": "medical", "location": "大厅", "headcount": 1, "summary": "fuzz"},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        _cache[id(live)] = (client, str(reply.json()["incident_id"]))
    return _cache[id(live)][1]
