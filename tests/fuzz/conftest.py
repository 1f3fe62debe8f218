"""The fuzzed server: real, with an incident, its notifications, a shift and clients of every
role; and what counts as written (rows) and as a server error (a 5xx, a traceback)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest

from server.notify.tokens import AckClaim, issue
from tests.live.conftest import Live, serve_live

SECRET = "fuzz-secret-0123456789abcdef0123"
LOGINS = ("commander1", "duty1", "staff1", "viewer1", "admin1")
# Rows a refused request must not add. Sessions and login attempts are left out on purpose:
# a refused sign-in is counted (the limiter needs it), and a page view touches its session.
# Zero-report flags too: only the zero-report worker writes them, on its own clock, so after
# the office's reporting hour they appear between any two requests (no handler calls flag()).
WRITTEN = (
    "incidents",
    "events",
    "command_keys",
    "notification_outbox",
    "notification_timers",
    "duty_shifts",
    "zero_reports",
    "users",
)
TROUBLE = ("Traceback", "Exception in ASGI application", "status=500", '"status": 500')


@dataclass
class Target:
    live: Live
    clients: dict[str, httpx.AsyncClient]  # by login; "" has no session
    real: dict[str, list[str]]  # path parameter -> values that name real things

    async def rows(self) -> dict[str, int]:
        query = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {t}" for t in WRITTEN)
        return {name: n for name, n in await self.live.pool.fetch(query)}


async def _real_things(live: Live, duty: httpx.AsyncClient) -> dict[str, list[str]]:
    reply = await duty.post(
        "/incidents",
        json={"type": "self_harm", "location": "二楼走廊", "headcount": 1, "summary": "模糊测试"},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert reply.status_code == 201, reply.text
    incident = reply.json()["incident_id"]
    state = (await duty.get(f"/api/incidents/{incident}")).json()
    items = [i["id"] for i in state["items"]]
    notes = [n["id"] for n in state["notifications"]]
    outbox = await live.pool.fetch(
        "SELECT id, notification FROM notification_outbox WHERE incident_id = $1",
        uuid.UUID(incident),
    )
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    tokens = [
        issue(SECRET.encode(), AckClaim(uuid.UUID(incident), r["notification"], r["id"], expires))
        for r in outbox
    ]
    shift = await _a_shift(live.pool)
    return {
        "incident_id": [incident],
        "item": items,
        "notification": notes,
        "token": tokens or ["x"],
        "shift_id": [str(shift)],
        "follow": ["register_matter"],
        "check": ["risk_watch"],  # the self-harm playbook's welfare check, running from the opening
    }


async def _a_shift(pool: asyncpg.Pool) -> int:
    shift: int = await pool.fetchval(
        "INSERT INTO duty_shifts (user_id, role, starts_at, ends_at, created_by, created_at)"
        " VALUES ('duty1', 'officer', now(), now() + interval '8 hours', 'admin1', now())"
        " RETURNING id"
    )
    return shift


@pytest.fixture
async def target(database_url: str, free_port: int, tmp_path: Path) -> AsyncIterator[Target]:
    async with serve_live(database_url, free_port, tmp_path, WATCHFLOOR_SECRET_KEY=SECRET) as live:
        clients = {login: await live.client(login) for login in LOGINS}
        clients[""] = httpx.AsyncClient(base_url=live.url, headers={"Origin": live.url})
        live.opened.append(clients[""])
        yield Target(live, clients, await _real_things(live, clients["duty1"]))


def trouble(printed: str) -> list[str]:
    """Lines of the server's log that say it failed (not the client)."""
    return [line for line in printed.splitlines() if any(t in line for t in TROUBLE)]
