"""The write path's SQL: lock a batch's incidents, write its commands in one statement, and
a COMMIT that is checked. Called by the event store (incidents/store.py) only.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, replace
from typing import TypeAlias
from uuid import UUID

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from incidents.canonical import canonical_bytes
from incidents.events import Event
from incidents.state import IncidentState, encode_state

Conn: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"

EVENT_COLUMNS = "incident_id, seq, occurred_at, recorded_by, kind, payload, prev_hash, hash, salt"

# A batch locks every incident it touches in one round trip, in id order: two batches (on
# this node or another) that share incidents take them in the same order, so never deadlock.
# The state comes back only when it is not the one this store last wrote (the head tells):
# decoding it is most of a command's work in Python.
_LOCK = """
SELECT i.id, i.plan_hash, CASE WHEN i.head_hash = k.head THEN NULL ELSE i.state END AS state
FROM incidents i JOIN unnest($1::uuid[], $2::text[]) AS k (id, head) ON k.id = i.id
ORDER BY i.id FOR UPDATE OF i
"""

# One round trip writes any number of commands: it claims their idempotency keys, and only
# if every key was free does it write the board's rows (each incident's last state) and the
# events. A copy of a request that committed first (its key taken) leaves nothing written:
# the caller runs the commands one by one, and that one replays its copy's answer.
# (The events' foreign key is checked at the end of the statement, after the rows exist.)
_WRITE = f"""
WITH claim AS (
    INSERT INTO command_keys (key, fingerprint, incident_id, result)
    SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::jsonb[])
    ON CONFLICT (key) DO NOTHING RETURNING key
), free AS (
    SELECT count(*) = cardinality($1::text[]) AS every_key FROM claim
), incident AS (
    INSERT INTO incidents (id, type, level, status, location, headcount, opened_at, updated_at,
                           last_seq, head_hash, state, plan_hash)
    SELECT u.* FROM free, unnest($5::uuid[], $6::text[], $7::text[], $8::text[], $9::text[],
        $10::int[], $11::timestamptz[], $12::timestamptz[], $13::int[], $14::text[],
        $15::jsonb[], $16::text[]) AS u WHERE free.every_key
    ON CONFLICT (id) DO UPDATE SET type = excluded.type, level = excluded.level,
        status = excluded.status, location = excluded.location, headcount = excluded.headcount,
        updated_at = excluded.updated_at, last_seq = excluded.last_seq,
        head_hash = excluded.head_hash, state = excluded.state, touched_at = clock_timestamp()
), appended AS (
    INSERT INTO events ({EVENT_COLUMNS})
    SELECT u.* FROM free, unnest($17::uuid[], $18::int[], $19::timestamptz[], $20::text[],
        $21::text[], $22::jsonb[], $23::text[], $24::text[], $25::bytea[]) AS u
    WHERE free.every_key
)
SELECT every_key FROM free
"""

_SAVE_PLANS = """
INSERT INTO plans (hash, plan) SELECT * FROM unnest($1::text[], $2::jsonb[]) ORDER BY 1
ON CONFLICT (hash) DO NOTHING
"""


@dataclass(frozen=True, slots=True)
class Claim:
    """A command's idempotency key, and the answer stored under it."""

    key: str
    fingerprint: str
    incident_id: UUID
    seqs: list[int]

    @property
    def answer(self) -> str:
        return json.dumps({"incident_id": str(self.incident_id), "seqs": self.seqs})


async def lock(conn: Conn, ids: list[UUID], heads: list[str]) -> list[asyncpg.Record]:
    """Lock the incidents (in id order); the state of each whose head is not in `heads`."""
    rows: list[asyncpg.Record] = await conn.fetch(_LOCK, ids, heads)
    return rows


async def save_plans(conn: Conn, hashes: list[str], texts: list[str]) -> None:
    await conn.execute(_SAVE_PLANS, hashes, texts)


async def write(
    conn: Conn, claims: Sequence[Claim], states: Sequence[IncidentState], events: list[Event]
) -> bool:
    """Write the commands if every key is free; whether they were."""
    every_key = await conn.fetchval(
        _WRITE,
        [c.key for c in claims],
        [c.fingerprint for c in claims],
        [c.incident_id for c in claims],
        [c.answer for c in claims],
        [s.id for s in states],
        [s.type.value for s in states],
        [s.level.value for s in states],
        [s.status.value for s in states],
        [s.location for s in states],
        [s.headcount for s in states],
        [s.opened_at for s in states],
        [s.updated_at for s in states],
        [s.last_seq for s in states],
        [s.head_hash for s in states],
        [encode_state(replace(s, plan=None)) for s in states],
        [s.plan.hash if s.plan else None for s in states],
        [e.incident_id for e in events],
        [e.seq for e in events],
        [e.occurred_at for e in events],
        [e.recorded_by for e in events],
        [e.kind for e in events],
        [canonical_bytes(e.payload).decode() for e in events],
        [e.prev_hash for e in events],
        [e.hash for e in events],
        [e.salt for e in events],
    )
    return bool(every_key)


@dataclass(slots=True)
class Commit:
    undo: bool = False  # roll back instead: a lone command failed


@asynccontextmanager
async def transaction(conn: Conn) -> AsyncIterator[Commit]:
    """BEGIN, then COMMIT or ROLLBACK; a COMMIT the server turned into a ROLLBACK (the
    transaction had failed) raises, so no command is acknowledged that did not commit."""
    await conn.execute("BEGIN")
    commit = Commit()
    try:
        yield commit
    except BaseException:
        with suppress(Exception):  # a broken connection is dropped by the pool anyway
            await conn.execute("ROLLBACK")
        raise
    if commit.undo:
        await conn.execute("ROLLBACK")
    elif (tag := await conn.execute("COMMIT")) != "COMMIT":
        raise TransactionRolledBack(f"the transaction ended in {tag}, not COMMIT")


class TransactionRolledBack(Exception):
    """PostgreSQL rolled back at COMMIT: a statement had failed and was not undone."""
