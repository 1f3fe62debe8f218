"""Group commit on a real PostgreSQL: commands that arrive together share one transaction,
each all-or-nothing, each answered only after the COMMIT that holds it.

No test waits on a clock: a batch is made by calling `run_batch` with it, or by queueing
commands behind a store that runs one batch at a time (asyncio runs ready tasks in order).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Sequence

import asyncpg
import pytest

from incidents.append import TransactionRolledBack
from incidents.clock import ManualClock
from incidents.errors import DomainError, IdempotencyConflict, NotFound
from incidents.events import Event
from incidents.group_commit import Batching
from incidents.kinds import Level
from incidents.lifecycle import AddNote, ChangeLevel
from incidents.state import IncidentState
from incidents.store import Conn, EventStore, Outcome, Projector, Request
from server.database import unavailable
from server.verify import verify_all
from tests.support import DUTY, LEAD, STAFF, open_cmd

TEXTS = ["代表已推选", "🚑 救护车已到", "Lao Wang 老王 → 3号窗口 ✅", "مرحبا 你好"]


def key() -> str:
    return uuid.uuid4().hex


class Batches(EventStore):
    """The real store, one batch at a time (as by default), noting each batch's size."""

    def __init__(
        self, pool: asyncpg.Pool, clock: ManualClock, projectors: Sequence[Projector] = ()
    ) -> None:
        super().__init__(pool, clock, projectors=projectors, batching=Batching(lanes=1))
        self.sizes: list[int] = []

    async def run_batch(self, requests: Sequence[Request]) -> list[Outcome | Exception]:
        self.sizes.append(len(requests))
        return await super().run_batch(requests)


async def opened(store: EventStore) -> uuid.UUID:
    return (await store.execute(None, open_cmd(), DUTY, key())).incident_id


async def chain_is_whole(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        verdict = await verify_all(conn)
    assert verdict.broken is None, verdict.broken


def note_texts(events: list[Event]) -> list[str]:
    return [e.payload["text"] for e in events if e.kind == "note_added"]


async def test_two_commands_on_one_incident_in_one_batch_chain_in_order(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    """Notes in one batch land in order, each chained onto the one before it."""
    iid = await opened(store)
    before = (await store.state(iid)).last_seq
    results = await store.run_batch([Request(iid, AddNote(t), STAFF, key()) for t in TEXTS])
    assert all(isinstance(r, Outcome) for r in results)
    events = await store.events(iid, before)
    assert note_texts(events) == TEXTS  # Chinese, emoji and mixed scripts, as sent
    assert [e.seq for e in events] == list(range(before + 1, before + 1 + len(TEXTS)))
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert (await store.state(iid)).head_hash == events[-1].hash
    await chain_is_whole(pool)


async def test_concurrent_commands_on_one_incident_and_on_many_all_land(
    pool: asyncpg.Pool, clock: ManualClock
) -> None:
    """60 notes on one incident and 60 over ten, sent at once: every one stored, no gap, in
    batches of more than one, and every chain verifies."""
    store = Batches(pool, clock)
    one = await opened(store)
    many = [await opened(store) for _ in range(10)]
    store.sizes.clear()
    sends = [(one, f"一 {n} 🚒") for n in range(60)] + [
        (many[n % 10], f"多 {n} ✅") for n in range(60)
    ]
    results = await asyncio.gather(
        *(store.execute(iid, AddNote(text), STAFF, key()) for iid, text in sends)
    )
    assert sum(len(r.events) for r in results) == 120
    assert max(store.sizes) > 1 and sum(store.sizes) == 120
    for iid in [one, *many]:
        events = await store.events(iid)
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert sorted(note_texts(await store.events(one))) == sorted(t for i, t in sends if i == one)
    await chain_is_whole(pool)


async def test_a_refused_command_in_a_batch_gets_its_own_error_the_others_land(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    """Staff may not change the level, and a missing incident is missing: those two get
    their own refusals; the notes on either side of them are stored and chained."""
    iid = await opened(store)
    results = await store.run_batch(
        [
            Request(iid, AddNote("第一条 📝"), STAFF, key()),
            Request(iid, ChangeLevel(Level.MAJOR, "升级"), STAFF, key()),
            Request(uuid.uuid4(), AddNote("无此事件"), STAFF, key()),
            Request(iid, AddNote("第二条 📝"), STAFF, key()),
            Request(iid, ChangeLevel(Level.MAJOR, "现场扩大"), LEAD, key()),
        ]
    )
    first, refused, missing, second, raised = results
    assert isinstance(refused, DomainError) and not isinstance(refused, NotFound)
    assert isinstance(missing, NotFound)
    assert isinstance(first, Outcome) and isinstance(second, Outcome)
    assert isinstance(raised, Outcome) and raised.state.level is Level.MAJOR
    assert note_texts(await store.events(iid)) == ["第一条 📝", "第二条 📝"]
    await chain_is_whole(pool)


class FailsOn:
    """A projector whose SQL fails, inside the command's transaction, for one note."""

    def __init__(self, text: str) -> None:
        self.text = text

    async def __call__(self, conn: Conn, state: IncidentState, events: Sequence[Event]) -> None:
        if self.text in note_texts(list(events)):
            await conn.execute("SELECT 1 / 0")


async def test_a_command_that_fails_in_the_database_is_undone_alone(
    pool: asyncpg.Pool, clock: ManualClock
) -> None:
    """A database error after a command's events were written takes back those events
    only: the notes before and after it in the batch stay, and the chain runs on."""
    store = EventStore(pool, clock, projectors=[FailsOn("坏")])
    iid = await opened(store)
    texts = ["前 ✅", "坏", "后 ✅"]
    results = await store.run_batch([Request(iid, AddNote(t), STAFF, key()) for t in texts])
    assert isinstance(results[1], asyncpg.DivisionByZeroError)
    assert isinstance(results[0], Outcome) and isinstance(results[2], Outcome)
    assert results[2].events[0].seq == results[0].events[0].seq + 1
    assert note_texts(await store.events(iid)) == ["前 ✅", "后 ✅"]
    await chain_is_whole(pool)


async def test_a_lone_command_that_fails_in_the_database_leaves_nothing(
    pool: asyncpg.Pool, clock: ManualClock
) -> None:
    """Alone in its transaction (no savepoint), a failed command is answered with its error
    and nothing of it is stored; its key is free for a retry."""
    store = EventStore(pool, clock, projectors=[FailsOn("坏")])
    iid = await opened(store)
    again = key()
    [failed] = await store.run_batch([Request(iid, AddNote("坏"), STAFF, again)])
    assert isinstance(failed, asyncpg.DivisionByZeroError)
    assert note_texts(await store.events(iid)) == []
    retried = await EventStore(pool, clock).execute(iid, AddNote("坏"), STAFF, again)
    assert not retried.replayed and note_texts(list(retried.events)) == ["坏"]


async def test_one_key_twice_in_a_batch_is_written_once(store: EventStore) -> None:
    """A request sent twice lands in one batch: one note, the copy replays its answer, and
    a different command under the same key is refused as a reused key."""
    iid = await opened(store)
    same = key()
    first, copy, other = await store.run_batch(
        [
            Request(iid, AddNote("只记一次 🔁"), STAFF, same),
            Request(iid, AddNote("只记一次 🔁"), STAFF, same),
            Request(iid, AddNote("别的内容"), STAFF, same),
        ]
    )
    assert isinstance(first, Outcome) and isinstance(copy, Outcome)
    assert copy.replayed and [e.seq for e in copy.events] == [e.seq for e in first.events]
    assert isinstance(other, IdempotencyConflict)
    assert note_texts(await store.events(iid)) == ["只记一次 🔁"]


async def test_a_retry_whose_command_would_now_be_refused_replays(store: EventStore) -> None:
    """Raising the level, retried after it committed: the retry replays the first answer
    (the level is already major, which would refuse the command afresh)."""
    iid = await opened(store)
    same = key()
    raised = await store.execute(iid, ChangeLevel(Level.MAJOR, "扩大"), LEAD, same)
    [again] = await store.run_batch([Request(iid, ChangeLevel(Level.MAJOR, "扩大"), LEAD, same)])
    assert isinstance(again, Outcome) and again.replayed
    assert [e.seq for e in again.events] == [e.seq for e in raised.events]


class KillsBeforeCommit:
    """After the batch's last note is written, an admin connection ends the batch's
    backend: the COMMIT that follows cannot happen."""

    def __init__(self, admin_url: str, text: str) -> None:
        self.admin_url, self.text = admin_url, text

    async def __call__(self, conn: Conn, state: IncidentState, events: Sequence[Event]) -> None:
        if self.text in note_texts(list(events)):
            pid = await conn.fetchval("SELECT pg_backend_pid()")
            admin = await asyncpg.connect(self.admin_url)
            try:  # waits (up to 10 s) until the backend is gone
                assert await admin.fetchval("SELECT pg_terminate_backend($1, 10000)", pid)
            finally:
                await admin.close()


async def test_a_failed_commit_acknowledges_none_of_the_batch(
    pool: asyncpg.Pool, clock: ManualClock, database_url: str
) -> None:
    """The backend is killed between the batch's last write and its COMMIT: every command
    of the batch gets the failure, none is stored, and each key is free for the retry."""
    store = Batches(pool, clock, projectors=[KillsBeforeCommit(database_url, "最后 🛑")])
    iid = await opened(store)
    texts = ["甲 ✅", "乙 ✅", "最后 🛑"]
    keys = [key() for _ in texts]
    store.sizes.clear()
    answers = await asyncio.gather(
        *(store.execute(iid, AddNote(t), STAFF, k) for t, k in zip(texts, keys, strict=True)),
        return_exceptions=True,
    )
    assert store.sizes == [3]
    assert all(isinstance(a, Exception) and unavailable(a) for a in answers), answers
    assert note_texts(await store.events(iid)) == []
    retry = EventStore(pool, clock)
    done = [
        await retry.execute(iid, AddNote(t), STAFF, k) for t, k in zip(texts, keys, strict=True)
    ]
    assert not any(d.replayed for d in done)
    assert note_texts(await store.events(iid)) == texts
    await chain_is_whole(pool)


async def test_a_caller_that_goes_away_before_its_batch_is_never_run(
    pool: asyncpg.Pool, clock: ManualClock
) -> None:
    """A request cancelled while it waits in the queue is not written; the others are."""
    store = Batches(pool, clock)
    iid = await opened(store)
    store.sizes.clear()
    kept = asyncio.ensure_future(store.execute(iid, AddNote("留下"), STAFF, key()))
    gone = asyncio.ensure_future(store.execute(iid, AddNote("走了"), STAFF, key()))
    await asyncio.sleep(0)  # both queued, the batch not yet begun
    gone.cancel()
    await kept
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert store.sizes == [1]
    assert note_texts(await store.events(iid)) == ["留下"]


async def test_two_nodes_writing_one_incident_each_build_on_the_others_head(
    pool: asyncpg.Pool, clock: ManualClock
) -> None:
    """Two stores (two app nodes) take turns on one incident: each note follows the other
    node's last one, although each node keeps the state it wrote last."""
    first, second = EventStore(pool, clock), EventStore(pool, clock)
    iid = await opened(first)
    texts = [f"{node} {n} 🔁" for n in range(3) for node in ("甲", "乙")]
    for n, text in enumerate(texts):
        await (first if n % 2 == 0 else second).execute(iid, AddNote(text), STAFF, key())
    events = await first.events(iid)
    assert note_texts(events) == texts
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    await chain_is_whole(pool)


async def test_a_batch_holding_an_answered_request_replays_it_and_writes_the_rest(
    store: EventStore,
) -> None:
    """A retry of a note already stored, batched with a new note: the retry gets its first
    answer back, the new note is stored once, after it."""
    iid = await opened(store)
    same = key()
    stored = await store.execute(iid, AddNote("已记录 ✅"), STAFF, same)
    retry, fresh = await store.run_batch(
        [
            Request(iid, AddNote("已记录 ✅"), STAFF, same),
            Request(iid, AddNote("新 🆕"), STAFF, key()),
        ]
    )
    assert isinstance(retry, Outcome) and retry.replayed
    assert [e.seq for e in retry.events] == [e.seq for e in stored.events]
    assert isinstance(fresh, Outcome) and not fresh.replayed
    assert note_texts(await store.events(iid)) == ["已记录 ✅", "新 🆕"]


class HidesAnError:
    """A projector that swallows its own database error: the transaction is left failed."""

    async def __call__(self, conn: Conn, state: IncidentState, events: Sequence[Event]) -> None:
        with contextlib.suppress(asyncpg.PostgresError):
            await conn.execute("SELECT 1 / 0")


async def test_a_transaction_the_server_rolled_back_at_commit_acknowledges_none(
    pool: asyncpg.Pool, clock: ManualClock
) -> None:
    """PostgreSQL answers COMMIT with ROLLBACK when a statement failed unseen: the store
    reports that failure to every command instead of acknowledging them."""
    store = EventStore(pool, clock, projectors=[HidesAnError()])
    iid = await opened(EventStore(pool, clock))
    with pytest.raises(TransactionRolledBack):
        await store.run_batch(
            [
                Request(iid, AddNote("甲 ✅"), STAFF, key()),
                Request(iid, AddNote("乙 ✅"), STAFF, key()),
            ]
        )
    assert note_texts(await store.events(iid)) == []
