"""The event store on a real PostgreSQL: one transaction a command, append-only, chained."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from dataclasses import replace

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidents.domain import fold
from incidents.errors import DomainError, IdempotencyConflict, InvalidCommand, NotFound
from incidents.events import verify_chain
from incidents.kinds import IncidentType, Level
from incidents.lifecycle import AddNote, ChangeLevel, UpdateHeadcount
from incidents.migrate import migrate
from incidents.store import EventStore
from server.verify import verify_all
from tests.support import DUTY, LEAD, STAFF, open_cmd
from tests.test_domain import actors, commands


def key() -> str:
    return uuid.uuid4().hex


async def test_open_and_act_gives_seq_in_order_with_a_valid_chain(store: EventStore) -> None:
    """Events come back numbered 1..n and chained; the board row matches the fold."""
    opened = await store.execute(None, open_cmd(IncidentType.COLLECTIVE_VISIT, 12), DUTY, key())
    iid = opened.incident_id
    await store.execute(iid, UpdateHeadcount(31), STAFF, key())
    await store.execute(iid, AddNote("代表已推选"), STAFF, key())
    events = await store.events(iid)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert [e.kind for e in events] == [
        "opened",
        "timer_set",
        "headcount_updated",
        "level_changed",
        "note_added",
    ]
    assert verify_chain(events) is None
    assert fold(events) == await store.state(iid)
    assert (await store.state(iid)).level is Level.MAJOR


async def test_fifty_concurrent_writers_leave_no_gap(store: EventStore) -> None:
    """50 staff adding notes at once: seq 1..51, no gap, no duplicate, one valid chain."""
    iid = (await store.execute(None, open_cmd(), DUTY, key())).incident_id
    await asyncio.gather(
        *(store.execute(iid, AddNote(f"note {n}"), STAFF, key()) for n in range(50))
    )
    events = await store.events(iid)
    assert [e.seq for e in events] == list(range(1, 53))
    assert verify_chain(events) is None
    notes = [e.payload["text"] for e in events if e.kind == "note_added"]
    assert sorted(notes) == sorted(f"note {n}" for n in range(50))


async def test_retry_with_same_key_returns_first_result_and_writes_nothing(
    store: EventStore,
) -> None:
    """A retried command (same key) gets the first answer; the log does not grow."""
    k = key()
    first = await store.execute(None, open_cmd(), DUTY, k)
    again = await store.execute(None, open_cmd(), DUTY, k)
    assert again.replayed and again.incident_id == first.incident_id
    assert [e.hash for e in again.events] == [e.hash for e in first.events]
    assert len(await store.incidents()) == 1


async def test_concurrent_retries_apply_once(store: EventStore) -> None:
    """Five copies of one request racing each other write the note once."""
    iid = (await store.execute(None, open_cmd(), DUTY, key())).incident_id
    k = key()
    outcomes = await asyncio.gather(
        *(store.execute(iid, AddNote("一次"), STAFF, k) for _ in range(5))
    )
    assert sum(not o.replayed for o in outcomes) == 1
    assert len(await store.events(iid)) == 3


async def test_same_key_with_other_payload_is_refused(store: EventStore) -> None:
    """Reusing a key for a different command is refused and writes nothing."""
    iid = (await store.execute(None, open_cmd(), DUTY, key())).incident_id
    k = key()
    await store.execute(iid, AddNote("first"), STAFF, k)
    with pytest.raises(IdempotencyConflict):
        await store.execute(iid, AddNote("second"), STAFF, k)
    notes = [e.payload["text"] for e in await store.events(iid) if e.kind == "note_added"]
    assert notes == ["first"]


async def test_refused_command_writes_nothing(store: EventStore) -> None:
    """A refused command leaves neither events nor a claimed key behind."""
    iid = (await store.execute(None, open_cmd(), DUTY, key())).incident_id
    k = key()
    with pytest.raises(DomainError):
        await store.execute(iid, ChangeLevel(Level.MAJOR, "worse"), STAFF, k)
    await store.execute(iid, ChangeLevel(Level.MAJOR, "worse"), LEAD, k)
    assert [e.kind for e in await store.events(iid)][-1] == "level_changed"
    assert len(await store.events(iid)) == 3


async def test_unknown_incident_and_bad_key_are_refused(store: EventStore) -> None:
    """Acting on an incident that does not exist, or with a too-short key, is refused."""
    with pytest.raises(NotFound):
        await store.execute(uuid.uuid4(), AddNote("x"), STAFF, key())
    with pytest.raises(InvalidCommand):
        await store.execute(None, open_cmd(), DUTY, "short")


async def test_app_role_cannot_change_or_delete_events(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    """The application's role has no right to UPDATE, DELETE or TRUNCATE events."""
    await store.execute(None, open_cmd(), DUTY, key())
    for sql in ("UPDATE events SET kind = 'x'", "DELETE FROM events", "TRUNCATE events"):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await pool.execute(sql)


async def test_trigger_refuses_even_the_owner(store: EventStore, database_url: str) -> None:
    """Even the table's owner is refused an UPDATE, DELETE or TRUNCATE by the trigger."""
    await store.execute(None, open_cmd(), DUTY, key())
    conn = await asyncpg.connect(database_url)
    try:
        for sql in ("UPDATE events SET kind = 'x'", "DELETE FROM events", "TRUNCATE events"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
                await conn.execute(sql)
    finally:
        await conn.close()


async def tamper(database_url: str, sql: str) -> None:
    """Change stored events behind the triggers' back, as an attacker with superuser would."""
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("SET session_replication_role = replica")
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.mark.parametrize(
    ("sql", "seq"),
    [
        ('UPDATE events SET payload = \'{"text": "forged"}\' WHERE seq = 3', 3),
        ("DELETE FROM events WHERE seq = 2", 2),
        ("DELETE FROM events WHERE seq = 5", 5),  # the tail cut off
        ("UPDATE events SET recorded_by = 'someone' WHERE seq = 1", 1),
    ],
)
async def test_tampering_is_named_by_incident_and_seq(
    store: EventStore, pool: asyncpg.Pool, database_url: str, sql: str, seq: int
) -> None:
    """An edited, removed or cut-off event is found, naming its incident and seq."""
    other = (await store.execute(None, open_cmd(), DUTY, key())).incident_id
    iid = (await store.execute(None, open_cmd(), DUTY, key())).incident_id
    for n in range(3):
        await store.execute(iid, AddNote(f"n{n}"), STAFF, key())
    async with pool.acquire() as conn:
        assert (await verify_all(conn)).broken is None
    await tamper(database_url, sql.replace("WHERE", f"WHERE incident_id = '{iid}' AND"))
    async with pool.acquire() as conn:
        verdict = await verify_all(conn)
    assert verdict.broken is not None and verdict.broken[0] == iid != other
    assert verdict.broken[1].seq == seq


async def test_migrations_rerun_as_a_no_op(database_url: str) -> None:
    """Running the migrations again applies nothing."""
    conn = await asyncpg.connect(database_url)
    try:
        assert await migrate(conn) == []
    finally:
        await conn.close()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(1, 40), st.lists(st.tuples(commands, actors), max_size=12))
async def test_stored_projection_equals_replay(
    store: EventStore,
    headcount: int,
    steps: list,  # type: ignore[type-arg]
) -> None:
    """Any sequence of accepted commands replays to exactly the state the board reads."""
    opened = await store.execute(
        None, open_cmd(IncidentType.COLLECTIVE_VISIT, headcount), DUTY, key()
    )
    for command, actor in steps:
        with contextlib.suppress(DomainError):
            await store.execute(opened.incident_id, command, actor, key())
    events = await store.events(opened.incident_id)
    assert verify_chain(events) is None
    assert fold(events) == await store.state(opened.incident_id)


async def test_retry_across_a_shift_handover_replays(store: EventStore) -> None:
    """The leader on duty changed between a request and its retry: the retry still replays."""
    k = key()
    first = await store.execute(
        None, replace(open_cmd(), commander="commander1", commander_source="roster"), DUTY, k
    )
    again = await store.execute(
        None, replace(open_cmd(), commander="commander2", commander_source="roster"), DUTY, k
    )
    assert again.replayed
    assert again.incident_id == first.incident_id
    assert again.state.commander == "commander1"


async def test_many_copies_of_many_requests_race_without_deadlock(store: EventStore) -> None:
    """Twenty requests, each sent four times at once on one incident: each applies once."""
    iid = (await store.execute(None, open_cmd(), DUTY, key())).incident_id
    keys = [key() for _ in range(20)]
    outcomes = await asyncio.gather(
        *(store.execute(iid, AddNote(f"note {k}"), STAFF, k) for k in keys for _ in range(4))
    )
    assert sum(not o.replayed for o in outcomes) == 20
    events = await store.events(iid)
    assert [e.kind for e in events].count("note_added") == 20
    assert verify_chain(events) is None
