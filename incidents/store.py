"""The PostgreSQL event store: commands that arrive together share one transaction (a
savepoint each), and none is acknowledged before the COMMIT that holds it.

The only module of the domain that talks to the database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import Any, Protocol
from uuid import UUID, uuid4

import asyncpg
import msgspec

from incidents.append import EVENT_COLUMNS, Claim, Commit, lock, save_plans, transaction, write
from incidents.append import Conn as Conn
from incidents.canonical import canonical_bytes
from incidents.clock import Clock
from incidents.domain import Command, Processed, process
from incidents.drills import plan_for
from incidents.errors import IdempotencyConflict, InvalidCommand, NotFound
from incidents.events import Event
from incidents.followup import OFFICE_ZONE
from incidents.group_commit import GROUP_COMMIT, Batching, GroupCommit
from incidents.kinds import IncidentType
from incidents.lifecycle import OpenIncident
from incidents.plan import Plan, no_plan
from incidents.recent import Recent
from incidents.state import Actor, IncidentState, decode_state
from incidents.text import check


@dataclass(frozen=True, slots=True)
class Outcome:
    incident_id: UUID
    events: tuple[Event, ...]
    state: IncidentState
    replayed: bool = False


class Projector(Protocol):
    """Writes a read model or an outbox in the command's own transaction (begun with a plain
    BEGIN, so not `conn.transaction()`: asyncpg refuses that inside it; use SQL savepoints)."""

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


_HEADS = """
WITH t AS (SELECT clock_timestamp() AS now)
SELECT t.now, i.id, i.last_seq FROM t LEFT JOIN incidents i ON i.touched_at >= $1
"""

KNOWN_STATES = 4096  # incidents whose last written state is kept, not read back


@dataclass(frozen=True, slots=True)
class Request:
    """One command as the store runs it, its idempotency key checked."""

    incident_id: UUID | None
    command: Command
    actor: Actor
    key: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.incident_id, self.command, self.actor)


@dataclass(slots=True)
class _Batch:
    """One transaction's commands: the states they build on, and how a failure is undone."""

    conn: Conn
    states: dict[UUID, IncidentState]  # each incident as the batch's last command left it
    savepoints: bool  # one command alone needs none: its failure undoes the transaction
    undo: bool = False  # a lone command failed: roll back rather than commit


class _OneByOne(Exception):
    """The batch cannot be written in one statement: run its commands one by one."""


def checked_key(key: str) -> str:
    if not 8 <= len(key) <= 200:
        raise InvalidCommand(
            "request.key_length",
            "the idempotency key must be 8 to 200 characters",
            field="key",
        )
    check(key, "idempotency_key")  # stored as text: PostgreSQL refuses a NUL (a 500)
    return key


class EventStore:
    def __init__(
        self,
        pool: asyncpg.Pool,
        clock: Clock,
        *,
        plans: Callable[[IncidentType], Plan] = lambda _: no_plan(),
        projectors: Sequence[Projector] = (),
        zone: str = OFFICE_ZONE,  # the office's, for deadlines counted on its calendar
        batching: Batching = GROUP_COMMIT,
    ) -> None:
        self._pool = pool
        self._zone = zone
        self._clock = clock
        self._plans = plans
        self._projectors = tuple(projectors)
        self._plan_cache: dict[str, Plan] = {}
        self._known: dict[UUID, IncidentState] = {}  # by last write, oldest first
        self._recent = Recent()  # committed here: the hub pushes it without reading it back
        # An incident always in the same lane: a node's lanes never wait on each other's locks.
        self._lanes = [
            GroupCommit(self.run_batch, in_flight=batching.in_flight, max_batch=batching.max_batch)
            for _ in range(batching.lanes)
        ]

    async def execute(
        self, incident_id: UUID | None, command: Command, actor: Actor, key: str
    ) -> Outcome:
        """Decide, append and project, answered after the COMMIT that holds it; commands that
        arrive together share that transaction. A retried key returns its first result."""
        request = Request(incident_id, command, actor, checked_key(key))
        lane = hash(incident_id or key) % len(self._lanes)  # an opening: any lane will do
        outcome = await self._lanes[lane].submit(request)
        if not outcome.replayed:
            self._recent.keep(outcome.state, outcome.events)
        return outcome

    def committed(
        self, incident_id: UUID, after_seq: int, head: int
    ) -> tuple[IncidentState, list[Event]] | None:
        """What `changes` would read, when this node committed it last (no database read)."""
        return self._recent.changes(incident_id, after_seq, head)

    async def run_batch(self, requests: Sequence[Request]) -> list[Outcome | Exception]:
        """Run the commands in order in one transaction, each all-or-nothing: an answer each,
        or raises when the transaction itself failed (then none of them holds).

        First all of them in one statement; when that cannot be (a key already taken, a
        database error), one by one from the same start, a savepoint each."""
        async with self._pool.acquire() as conn, transaction(conn) as commit:
            locked = await self._lock(conn, requests)
            await self._save_plans(conn, requests)
            results = await self._together(conn, commit, locked, requests)
            if results is None:
                batch = _Batch(conn, dict(locked), savepoints=len(requests) > 1)
                results = [await self._one(batch, r) for r in requests]
                commit.undo = batch.undo
            return results

    async def _together(
        self,
        conn: Conn,
        commit: Commit,
        locked: dict[UUID, IncidentState],
        requests: Sequence[Request],
    ) -> list[Outcome | Exception] | None:
        """Every command decided in turn and written in one round trip; None when they must
        be run one by one (nothing of this attempt is left)."""
        if len({r.key for r in requests}) < len(requests):
            return None  # a request sent twice: the copy replays the first, one by one
        states = dict(locked)
        decided: list[Processed | Exception] = []
        for request in requests:
            try:
                done = self._decide(states, request)
            except Exception as refused:
                decided.append(refused)
            else:
                states[done.state.id] = done.state
                decided.append(done)
        alone = len(requests) == 1
        if not alone:
            await conn.execute("SAVEPOINT together")
        try:
            return await self._answers(conn, requests, decided)
        except _OneByOne:
            pass  # nothing was written: the same transaction runs them one by one
        except Exception as failed:
            if alone:  # its transaction is its savepoint
                commit.undo = True
                return [failed]
        if not alone:
            await conn.execute("ROLLBACK TO SAVEPOINT together; RELEASE SAVEPOINT together")
        return None

    async def _answers(
        self, conn: Conn, requests: Sequence[Request], decided: list[Processed | Exception]
    ) -> list[Outcome | Exception]:
        pairs = list(zip(requests, decided, strict=True))
        written = [(r, d) for r, d in pairs if isinstance(d, Processed)]
        if written and not await self._write(conn, written):
            raise _OneByOne
        for _, done in written:
            for project in self._projectors:
                await project(conn, done.state, done.events)
        return [
            Outcome(d.state.id, tuple(d.events), d.state)
            if isinstance(d, Processed)
            else await self._answer_refused(conn, r, d)
            for r, d in pairs
        ]

    async def _answer_refused(
        self, conn: Conn, request: Request, refused: Exception
    ) -> Outcome | Exception:
        """A refused command's answer: its copy's first answer, a reused key, or the refusal."""
        try:
            return await self._refused(conn, request, refused)
        except IdempotencyConflict as conflict:
            return conflict
        except Exception as raised:
            if raised is refused:
                return refused
            raise  # the database failed: the attempt is undone

    async def _lock(self, conn: Conn, requests: Sequence[Request]) -> dict[UUID, IncidentState]:
        """Lock the incidents the batch changes; their states, read once for the batch."""
        ids = sorted({r.incident_id for r in requests if r.incident_id is not None})
        if not ids:
            return {}
        known = [self._known.get(i) for i in ids]
        rows = await lock(conn, ids, [k.head_hash if k else "" for k in known])
        states = {i: k for i, k in zip(ids, known, strict=True) if k is not None}
        return {
            row["id"]: states[row["id"]]
            if row["state"] is None
            else await self._with_plan(conn, decode_state(row["state"]), row["plan_hash"])
            for row in rows
        }

    def _remember(self, states: Iterable[IncidentState]) -> None:
        """Keep the states just written (whether or not they commit: the head checks)."""
        for state in states:
            self._known.pop(state.id, None)
            self._known[state.id] = state
        while len(self._known) > KNOWN_STATES:
            del self._known[next(iter(self._known))]  # the least recently written

    async def _save_plans(self, conn: Conn, requests: Sequence[Request]) -> None:
        """Store the plans of the incidents the batch opens (once per hash, in hash order)."""
        plans = {
            plan.hash: plan
            for r in requests
            if isinstance(r.command, OpenIncident)
            and (plan := self._plan_of(r.command)) is not None
            and plan.hash not in self._plan_cache
        }
        if plans:
            texts = [canonical_bytes(plans[h].to_payload()).decode() for h in sorted(plans)]
            await save_plans(conn, sorted(plans), texts)

    def _plan_of(self, command: OpenIncident) -> Plan:
        """The plan an opening pins: its type's, compressed for a drill."""
        return plan_for(self._plans(command.type), command.drill)

    async def _one(self, batch: _Batch, request: Request) -> Outcome | Exception:
        """One command: decided on the state the batch has built so far, then written."""
        try:
            done = self._decide(batch.states, request)
        except Exception as refused:  # a copy of it may have been answered already
            refusal = partial(self._refused, batch.conn, request, refused)
            return await self._guarded(batch, refusal)
        return await self._guarded(batch, partial(self._commit, batch, request, done))

    async def _guarded(
        self, batch: _Batch, step: Callable[[], Awaitable[Outcome]]
    ) -> Outcome | Exception:
        """The step, undone to its savepoint when it fails, with the others kept."""
        if not batch.savepoints:
            try:
                return await step()
            except Exception as failed:
                batch.undo = True
                return failed
        await batch.conn.execute("SAVEPOINT command")  # a later one hides this one
        try:
            return await step()
        except Exception as failed:
            await batch.conn.execute("ROLLBACK TO SAVEPOINT command")
            return failed

    def _decide(self, states: dict[UUID, IncidentState], request: Request) -> Processed:
        command = request.command
        if isinstance(command, OpenIncident):
            incident_id, before, plan = uuid4(), None, self._plan_of(command)
        elif request.incident_id is None or request.incident_id not in states:
            raise NotFound("incident.not_found", f"no incident {request.incident_id}")
        else:
            incident_id, before, plan = request.incident_id, states[request.incident_id], None
        now = self._clock.now() if before is None else max(self._clock.now(), before.updated_at)
        return process(
            before,
            command,
            request.actor,
            incident_id=incident_id,
            now=now,
            plan=plan,
            zone=self._zone,
        )

    async def _commit(self, batch: _Batch, request: Request, done: Processed) -> Outcome:
        state, events = done.state, done.events
        if not await self._write(batch.conn, [(request, done)]):
            return await self._replay(batch.conn, await self._prior(batch.conn, request))
        for project in self._projectors:
            await project(batch.conn, state, events)
        batch.states[state.id] = state
        return Outcome(state.id, tuple(events), state)

    async def _refused(self, conn: Conn, request: Request, refused: Exception) -> Outcome:
        """The first answer under this key if there is one (the refusal may come from the
        state that answer left), else the refusal."""
        return await self._replay(conn, await self._prior(conn, request, missing=refused))

    async def _prior(
        self, conn: Conn, request: Request, *, missing: Exception | None = None
    ) -> Any:
        """The first answer given under this key, if it was for the same command."""
        row = await conn.fetchrow(
            "SELECT fingerprint, result FROM command_keys WHERE key = $1", request.key
        )
        if row is None:
            assert missing is not None  # a write found the key taken: it is there to read
            raise missing
        if row["fingerprint"] != request.fingerprint:
            raise IdempotencyConflict(
                "request.key_reused", "this idempotency key was used for a different command"
            )
        return json.loads(row["result"])

    async def _replay(self, conn: Conn, prior: dict[str, Any]) -> Outcome:
        incident_id = UUID(prior["incident_id"])
        seqs: list[int] = prior["seqs"]
        rows = await conn.fetch(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = $1 "
            "AND seq = ANY($2::int[]) ORDER BY seq",
            incident_id,
            seqs,
        )
        state = await self._state(conn, incident_id)
        return Outcome(incident_id, tuple(map(event_from_row, rows)), state, replayed=True)

    async def _write(self, conn: Conn, written: Sequence[tuple[Request, Processed]]) -> bool:
        """Write the commands if every key is free; whether they were."""
        states = list({done.state.id: done.state for _, done in written}.values())  # the last
        self._remember(states)
        keys = [
            Claim(r.key, r.fingerprint, d.state.id, [e.seq for e in d.events]) for r, d in written
        ]
        return await write(conn, keys, states, [e for _, d in written for e in d.events])

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

    async def state(self, incident_id: UUID) -> IncidentState:
        async with self._pool.acquire() as conn:
            return await self._state(conn, incident_id)

    async def events(self, incident_id: UUID, after_seq: int = 0) -> list[Event]:
        rows = await self._pool.fetch(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = $1 AND seq > $2 ORDER BY seq",
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
                f"SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = $1 AND seq > $2 "
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
        f"SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = $1 ORDER BY seq", incident_id
    ):
        yield event_from_row(row)
