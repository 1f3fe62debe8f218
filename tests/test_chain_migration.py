"""Chain format 2's migration: events written by format 1 are sealed again, never laundered.

A database is migrated up to 0006, a format-1 incident written into it as the old code
wrote it, then every migration runs: each event gets a salt and a format-2 hash, the
payloads stay byte for byte, the projection's head follows, and the format-1 head is
kept, so an export handed out before still has its anchor. A format-1 chain that is
already broken is refused, naming incident and seq, and nothing is half-written.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from incidents.canonical import canonical_bytes
from incidents.clock import ManualClock
from incidents.events import Event, verify_chain
from incidents.migrate import MigrationError, bundled, migrate
from incidents.state import IncidentState, decode_state, encode_state
from incidents.store import EventStore
from server.export.as_json import FORMAT_1
from server.export.run import export_incident
from server.export.verify_json import verify_document
from server.verify import verify_all
from tests.conftest import with_database
from tests.export.support import ADMIN, closed_medical, translator

FORMAT_2_FROM = 7


@pytest.fixture
async def old_url(pg_server_url: str) -> AsyncIterator[str]:
    """A database migrated only as far as chain format 1 went."""
    name = f"wf_old_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(pg_server_url)
    await admin.execute(f"CREATE DATABASE {name}")
    url = with_database(pg_server_url, name)
    conn = await asyncpg.connect(url)
    await migrate(conn, [m for m in bundled() if m.version < FORMAT_2_FROM])
    await conn.close()
    yield url
    await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await admin.close()


@pytest.fixture
async def old_db(old_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(old_url)
    yield conn
    await conn.close()


async def write_format_1(
    conn: asyncpg.Connection, state: IncidentState, events: list[Event]
) -> None:
    """The rows the store wrote before salts existed."""
    assert state.plan is not None
    await conn.execute(
        "INSERT INTO plans (hash, plan) VALUES ($1, $2)",
        state.plan.hash,
        canonical_bytes(state.plan.to_payload()).decode(),
    )
    await conn.execute(
        "INSERT INTO incidents (id, type, level, status, location, headcount, opened_at, "
        "updated_at, last_seq, head_hash, state, plan_hash) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
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
        state.plan.hash,
    )
    await conn.executemany(
        "INSERT INTO events (incident_id, seq, occurred_at, recorded_by, kind, payload, "
        "prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        [
            (
                e.incident_id,
                e.seq,
                e.occurred_at,
                e.recorded_by,
                e.kind,
                canonical_bytes(e.payload).decode(),
                e.prev_hash,
                e.hash,
            )
            for e in events
        ],
    )


def format_1() -> tuple[IncidentState, list[Event]]:
    state, events = closed_medical(salts=lambda: None)
    assert all(e.salt is None for e in events) and verify_chain(events) is None
    return state, events


def format_1_export(events: list[Event]) -> dict[str, Any]:
    """A full export as it was written before format 2."""
    rows = [{**e.envelope(), "hash": e.hash} for e in events]
    manifest = {
        "incident_id": str(events[0].incident_id),
        "events": len(rows),
        "last_seq": events[-1].seq,
        "head_hash": events[-1].hash,
        "redacted": False,
    }
    return {"format": FORMAT_1, "manifest": manifest, "events": rows}


async def test_format_1_events_are_sealed_again_and_keep_their_old_head(
    old_db: asyncpg.Connection,
) -> None:
    """Salts and format-2 hashes; payloads unchanged; the old head kept; the chain verifies."""
    state, events = format_1()
    await write_format_1(old_db, state, events)
    before = await old_db.fetch("SELECT seq, payload FROM events ORDER BY seq")
    old_export = format_1_export(events)
    assert verify_document(old_export).broken is None

    assert FORMAT_2_FROM in await migrate(old_db)

    rows = await old_db.fetch("SELECT seq, payload, salt, hash FROM events ORDER BY seq")
    assert [(r["seq"], r["payload"]) for r in rows] == [(r["seq"], r["payload"]) for r in before]
    assert all(len(r["salt"]) == 32 for r in rows)
    assert len({r["salt"] for r in rows}) == len(rows)
    assert not {r["hash"] for r in rows} & {e.hash for e in events}
    reseal = await old_db.fetchrow("SELECT * FROM chain_reseals WHERE incident_id = $1", state.id)
    assert reseal["old_head_hash"] == old_export["manifest"]["head_hash"] == events[-1].hash
    assert reseal["events"] == len(events) and reseal["new_head_hash"] == rows[-1]["hash"]
    head = await old_db.fetchrow("SELECT head_hash, state FROM incidents WHERE id = $1", state.id)
    assert head["head_hash"] == decode_state(head["state"]).head_hash == rows[-1]["hash"]
    verdict = await verify_all(old_db)
    assert verdict.broken is None and verdict.events == len(events)


async def test_the_sealed_incident_exports_and_appends_by_format_2(
    old_db: asyncpg.Connection, old_url: str, clock: ManualClock
) -> None:
    """After the migration the store appends onto the new head; both exports verify."""
    state, events = format_1()
    await write_format_1(old_db, state, events)
    await migrate(old_db)
    clock.set(events[-1].occurred_at + timedelta(hours=1))
    async with asyncpg.create_pool(old_url, min_size=1, max_size=2) as pool:
        store = EventStore(pool, clock)
        heads = []
        for full in (True, False):
            done = await export_incident(
                store,
                state.id,
                ADMIN,
                "json",
                full=full,
                key=uuid.uuid4().hex,
                t=translator("zh-CN"),
                units={},
            )
            verdict = verify_document(json.loads(done.data))
            assert verdict.broken is None
            assert bool(verdict.redacted) is not full  # the redacted one masks the notes
            heads.append(verdict.head_hash)
        stored = await store.events(state.id)
    assert [e.kind for e in stored[-2:]] == ["exported", "exported"]
    assert all(e.salt is not None for e in stored) and verify_chain(stored) is None
    assert heads[1] == stored[-1].hash


async def test_the_old_head_is_checked_by_verify(old_db: asyncpg.Connection) -> None:
    """If the kept format-1 head no longer recomputes, verify says so, naming the range."""
    state, events = format_1()
    await write_format_1(old_db, state, events)
    await migrate(old_db)
    await old_db.execute("UPDATE chain_reseals SET old_head_hash = $1", "0" * 64)
    verdict = await verify_all(old_db)
    assert verdict.broken is not None
    incident_id, broken = verdict.broken
    assert incident_id == state.id and broken.seq == len(events)
    assert "before chain format 2" in broken.reason


async def test_a_broken_format_1_chain_is_refused_and_nothing_changes(
    old_db: asyncpg.Connection,
) -> None:
    """A changed event stops the migration, named by incident and seq; no salt is written."""
    state, events = format_1()
    seq = next(e.seq for e in events if e.kind == "note_added")
    forged = [
        replace(e, payload={**e.payload, "text": "改过"}) if e.seq == seq else e for e in events
    ]
    await write_format_1(old_db, state, forged)
    with pytest.raises(MigrationError, match=f"incident {state.id}, seq {seq}: hash"):
        await migrate(old_db)
    applied = await old_db.fetchval("SELECT max(version) FROM schema_migrations")
    assert applied < FORMAT_2_FROM
    columns = await old_db.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'events'"
    )
    assert "salt" not in {c["column_name"] for c in columns}
