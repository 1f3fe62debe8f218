"""Malformed input on the real server: a clear 4xx naming the problem, nothing written."""

from __future__ import annotations

import uuid

import pytest

from tests.live.conftest import Live

BODIES = [
    (b'{"type":"medical","location":"x","headcount":1e400,"summary":"s"}', "input.integer"),
    (b'{"type":"medical","location":"x","headcount":1.5,"summary":"s"}', "input.integer"),
    (b'{"type":"medical","location":"x","headcount":[1],"summary":"s"}', "input.integer"),
    (b'{"type":"medical","location":"x","headcount":Infinity,"summary":"s"}', "request.not_json"),
    (b'{"type":"medical","location":"x","headcount":1,"summary":"\\ud800"}', "request.bad_text"),
    (b"[" * 50_000, "request.not_json"),
]


@pytest.mark.parametrize(("body", "reason"), BODIES, ids=[r for _, r in BODIES])
async def test_a_malformed_open_is_refused_and_writes_nothing(
    live: Live, body: bytes, reason: str
) -> None:
    """Opening with 1e400 people, 1.5 people or broken text: 422 with its reason, no incident."""
    duty = await live.client("duty1")
    headers = {"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex}
    reply = await duty.post("/incidents", content=body, headers=headers)
    assert reply.status_code == 422, reply.text
    assert reply.json()["reason"] == reason
    assert (await duty.get("/api/incidents")).json() == []


async def test_a_shift_id_past_the_integer_range_is_not_found(live: Live) -> None:
    """Ending shift 9999…9 says there is no such shift (404), not a server error."""
    commander = await live.client("commander1")
    reply = await commander.post(
        "/roster/" + "9" * 30 + "/end", headers={"Accept": "application/json"}
    )
    assert reply.status_code == 404, reply.text
