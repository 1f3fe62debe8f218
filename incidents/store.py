"""The PostgreSQL event store: one transaction per command, nothing acknowledged before COMMIT.

The only module of the domain that talks to the database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol, TypeAlias
from uuid import UUID, uuid4

import asyncpg
import msgspec
from asyncpg.pool import PoolConnectionProxy

from incidents.canonical import canonical_bytes
from incidents.clock import Clock
from incidents.domain import Command, process
from incidents.errors import IdempotencyConflict, InvalidCommand, NotFound
from incidents.events import Event
from incidents.followup import OFFICE_ZONE
from incidents.kinds import IncidentType
from incidents.lifecycle import OpenIncident
from incidents.plan import Plan, no_plan
from incidents.state import Actor, IncidentState, decode_state, encode_state
from incidents.text import check

Conn: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"


@dataclass(frozen=True, slots=True)
class Outcome:
    incident_id: UUID
    events: tuple[Event, ...]
    state: IncidentState
    replayed: bool = False


class Projector(Protocol):
    """Writes a read model or an outbox in the command's own transaction."""

    async def __call__(self, conn: Conn, state: IncidentState, events: Sequence[Event]) -> None: ...


def fingerprint(incident_id: UUID | None, command: Command, actor: Actor) -> str:
    fields = msgspec.to_builtins(command)
    for name in getattr(command, "server_filled", lambda: ())():  # not what the client asked
        fields.pop(name, None)
    body = {
        "command": type(command).__name__,
        "fields": fields,
        "incident_id": str(incident_id) if incident_id else None,
        "actor": actor.user_id,
    }
    # Not the chain's canonical form: any stable encoding will do, even of invalid input.
    return hashlib.sha256(msgspec.json.encode(body, order="sorted")).hexdigest()


def event_from_row(row: asyncpg.Record) -> Event:
    return Event(
        incident_id=row["incident_id"],
        seq=row["seq"],
        occurred_at=row["occurred_at"],
        recorded_by=row["recorded_by"],
        kind=row["kind"],
        payload=json.loads(row["payload"]),
        prev_hash=row["prev_hash"],
        hash=row["hash"],
        salt=row["salt"],
    )


_EVENT_COLUMNS = "incident_id, seq, occurred_at, recorded_by, kind, payload, prev_hash, hash, salt"
# One round trip claims the idempotency key and locks the incident's row. Copies of one
# request run this same statement, so they take the key and the row in the same order.
_CLAIM_AND_LOCK = """
WITH claim AS (
    INSERT INTO command_keys (key, fingerprint) VALUES ($1, $2)
    ON CONFLICT (key) DO NOTHING RETURNING key
)
SELECT (SELECT key FROM claim) AS claimed, state, plan_hash
FROM incidents WHERE id = $3 FOR UPDATE
"""

# One round trip writes a command's result: the board's row, the events, the key's answer.
# (The events' foreign key is checked at the end of the statement, after the row exists.)
_WRITE = f"""
WITH incident AS (
    INSERT INTO incidents (id, type, level, status, location, headcount, opened_at, updated_at,
                           last_seq, head_hash, state, plan_hash)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
    ON CONFLICT (id) DO UPDATE SET type = $2, level = $3, status = $4, location = $5,
        headcount = $6, updated_at = $8, last_seq = $9, head_hash = $10, state = $11,
        touched_at = clock_timestamp()
), appended AS (
    INSERT INTO events ({_EVENT_COLUMNS})
    SELECT $1, * FROM unnest($13::int[], $14::timestamptz[], $15::text[], $16::text[],
                             $17::jsonb[], $18::text[], $19::text[], $22::bytea[])
)
UPDATE command_keys SET incident_id = $1, result = $20 WHERE key = $21
"""


_HEADS = """
WITH t AS (SELECT clock_timestamp() AS now)
SELECT t.now, i.id, i.last_seq FROM t LEFT JOIN incidents i ON i.touched_at >= $1
"""


class EventStore:
    def __init__(
        self,
        pool: asyncpg.Pool,
        clock: Clock,
        *,
        plans: Callable[[IncidentType], Plan] = lambda _: no_plan(),
        projectors: Sequence[Projector] = (),
        zone: str = OFFICE_ZONE,  # the office's, for deadlines counted on its calendar
    ) -> None:
        self._pool = pool
        self._zone = zone
        self._clock = clock
        self._plans = plans
        self._projectors = tuple(projectors)
        self._plan_cache: dict[str, Plan] = {}

    async def execute(
        self, incident_id: UUID | None, command: Command, actor: Actor, key: str
    ) -> Outcome:
        """Decide, append and project in one transaction; a retried key returns its first result."""
        if not 8 <= len(key) <= 200:
            raise InvalidCommand(
                "request.key_length",
                "the idempotency key must be 8 to 200 characters",
                field="key",
            )
        check(key, "idempotency_key")  # stored as text: PostgreSQL refuses a NUL (a 500)
        print_ = fingerprint(incident_id, command, actor)
        async with self._pool.acquire() as conn, conn.transaction():
            if isinstance(command, OpenIncident) or incident_id is None:
                prior, before = await self._claim(conn, key, print_), None
            else:
                prior, before = await self._claim_and_lock(conn, key, print_, incident_id)
            if prior is not None:
                return await self._replay(conn, prior)
            return await self._append(conn, incident_id, command, actor, key, before)

    async def _claim_and_lock(
        self, conn: Conn, key: str, print_: str, incident_id: UUID
    ) -> tuple[Any, IncidentState | None]:
        """Claim the key and lock the incident's row in one round trip."""
        row = await conn.fetchrow(_CLAIM_AND_LOCK, key, print_, incident_id)
        if row is None:
            raise NotFound("incident.not_found", f"no incident {incident_id}")
        if row["claimed"] is None:
            return await self._prior(conn, key, print_), None
        return None, await self._with_plan(conn, decode_state(row["state"]), row["plan_hash"])

    async def _claim(self, conn: Conn, key: str, print_: str) -> Any:
        claimed = await conn.fetchval(
            "INSERT INTO command_keys (key, fingerprint) VALUES ($1, $2) "
            "ON CONFLICT (key) DO NOTHING RETURNING key",
            key,
            print_,
        )
        if claimed is not None:
            return None
        return await self._prior(conn, key, print_)

    async def _prior(self, conn: Conn, key: str, print_: str) -> Any:
        """The first answer given under this key, if it was for the same command."""
        row = await conn.fetchrow(
            "SELECT fingerprint, result FROM command_keys WHERE key = $1", key
        )
        assert row is not None  # a key is never deleted
        if row["fingerprint"] != print_:
            raise IdempotencyConflict(
                "request.key_reused", "this idempotency key was used for a different command"
            )
        return json.loads(row["result"])

    async def _replay(self, conn: Conn, prior: dict[str, Any]) -> Outcome:
        incident_id = UUID(prior["incident_id"])
        seqs: list[int] = prior["seqs"]
        rows = await conn.fetch(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE incident_id = $1 "
            "AND seq = ANY($2::int[]) ORDER BY seq",
            incident_id,
            seqs,
        )
        state = await self._state(conn, incident_id)
        return Outcome(incident_id, tuple(map(event_from_row, rows)), state, replayed=True)

    async def _append(
        self,
        conn: Conn,
        incident_id: UUID | None,
        command: Command,
        actor: Actor,
        key: str,
        before: IncidentState | None,
    ) -> Outcome:
        if isinstance(command, OpenIncident):
            incident_id = uuid4()
        elif incident_id is None:
            raise NotFound("incident.not_found", "no incident named")
        plan = self._plans(command.type) if isinstance(command, OpenIncident) else None
        now = self._clock.now() if before is None else max(self._clock.now(), before.updated_at)
        done = process(
            before, command, actor, incident_id=incident_id, now=now, plan=plan, zone=self._zone
        )
        if before is None:
            await self._save_plan(conn, done.state.plan)
        await self._write(conn, done.state, done.events, key)
        return Outcome(incident_id, tuple(done.events), done.state)

    async def _write(self, conn: Conn, state: IncidentState, events: list[Event], key: str) -> None:
        answer = json.dumps({"incident_id": str(state.id), "seqs": [e.seq for e in events]})
        await conn.execute(
            _WRITE,
            state.id,
            state.type.value,
            state.level.value,
            state.status.value,
            state.location,
            state.headcount,
            state.opened_at,
            state.updated_at,
            state.last_seq,
            state.head_hash,
            encode_state(replace(state, plan=None)),
            state.plan.hash if state.plan else None,
            [e.seq for e in events],
            [e.occurred_at for e in events],
            [e.recorded_by for e in events],
            [e.kind for e in events],
            [canonical_bytes(e.payload).decode() for e in events],
            [e.prev_hash for e in events],
            [e.hash for e in events],
            answer,
            key,
            [e.salt for e in events],
        )
        for project in self._projectors:
            await project(conn, state, events)

    async def _state(self, conn: Conn, incident_id: UUID) -> IncidentState:
        sql = "SELECT state, plan_hash FROM incidents WHERE id = $1"
        row = await conn.fetchrow(sql, incident_id)
        if row is None:
            raise NotFound("incident.not_found", f"no incident {incident_id}")
        return await self._with_plan(conn, decode_state(row["state"]), row["plan_hash"])

    async def _with_plan(
        self, conn: Conn, state: IncidentState, plan_hash: str | None
    ) -> IncidentState:
        """Attach the plan, kept once per hash (in the table, and cached here)."""
        if plan_hash is None:
            return state
        if plan_hash not in self._plan_cache:
            text = await conn.fetchval("SELECT plan FROM plans WHERE hash = $1", plan_hash)
            self._plan_cache[plan_hash] = Plan.from_payload(json.loads(text))
        return replace(state, plan=self._plan_cache[plan_hash])

    async def _save_plan(self, conn: Conn, plan: Plan | None) -> None:
        """Store the plan of a newly opened incident (once per hash, in this transaction)."""
        if plan is not None:
            await conn.execute(
                "INSERT INTO plans (hash, plan) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING",
                plan.hash,
                canonical_bytes(plan.to_payload()).decode(),
            )

    async def state(self, incident_id: UUID) -> IncidentState:
        async with self._pool.acquire() as conn:
            return await self._state(conn, incident_id)

    async def events(self, incident_id: UUID, after_seq: int = 0) -> list[Event]:
        rows = await self._pool.fetch(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE incident_id = $1 AND seq > $2 ORDER BY seq",
            incident_id,
            after_seq,
        )
        return [event_from_row(r) for r in rows]

    async def changes(
        self, incident_id: UUID, *, after_seq: int = 0, limit: int | None = None
    ) -> tuple[IncidentState, list[Event]]:
        """The state and the events after `after_seq` (the last `limit`), read consistently."""
        async with (
            self._pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            state = await self._state(conn, incident_id)
            since = max(after_seq, state.last_seq - limit) if limit else after_seq
            rows = await conn.fetch(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE incident_id = $1 AND seq > $2 "
                "ORDER BY seq",
                incident_id,
                since,
            )
        return state, [event_from_row(r) for r in rows]

    async def heads(self, since: datetime | None) -> tuple[datetime, list[tuple[UUID, int]]]:
        """The database's time now, and (incident, last seq) of the incidents written since
        `since` by that clock (none when None): for nodes to heal, whatever their own clocks."""
        rows = await self._pool.fetch(_HEADS, since)
        heads = [(r["id"], r["last_seq"]) for r in rows if r["id"] is not None]
        return rows[0]["now"], heads

    async def incidents(self, *, include_closed: bool = False) -> list[IncidentState]:
        where = "" if include_closed else " WHERE status <> 'closed'"
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT state, plan_hash FROM incidents{where} ORDER BY opened_at DESC"
            )
            return [
                await self._with_plan(conn, decode_state(r["state"]), r["plan_hash"]) for r in rows
            ]


async def chain_heads(conn: Conn, only: UUID | None = None) -> list[asyncpg.Record]:
    """Each incident's (id, last_seq, head_hash) and, when chain format 2 sealed it again,
    its format-1 head (events, old_head_hash); oldest first."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT i.id, i.last_seq, i.head_hash, r.events, r.old_head_hash FROM incidents i "
        "LEFT JOIN chain_reseals r ON r.incident_id = i.id "
        "WHERE $1::uuid IS NULL OR i.id = $1 ORDER BY i.opened_at, i.id",
        only,
    )
    return rows


async def stream_events(conn: Conn, incident_id: UUID) -> AsyncIterator[Event]:
    """Every event of one incident in seq order, read with a cursor (call inside a transaction)."""
    async for row in conn.cursor(
        f"SELECT {_EVENT_COLUMNS} FROM events WHERE incident_id = $1 ORDER BY seq", incident_id
    ):
        yield event_from_row(row)
