"""Sustained appends: one incident, and 100 incidents, hash chain on, synchronous_commit on.

Baseline, same run, same server: a plain single-row INSERT loop through asyncpg.
Prints JSON; never fails on a timing.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable

import asyncpg

from bench.common import drop_database, fresh_database, percentiles, progress, write_result
from incidents.clock import SystemClock
from incidents.kinds import IncidentType, Role
from incidents.lifecycle import AddNote, OpenIncident
from incidents.state import Actor
from incidents.store import EventStore
from playbooks.loader import default_dirs, load_library
from server.database import release
from server.services import incident_store

STAFF = Actor("staff1", Role.ONSITE_STAFF)
DUTY = Actor("duty1", Role.DUTY_OFFICER)
SECONDS = 6.0


async def drive(workers: int, step: Callable[[int, int], Awaitable[int]]) -> dict[str, float]:
    """Run `workers` loops of `step` for SECONDS; events/s and per-call latency."""
    latencies: list[float] = []
    events = 0
    deadline = time.perf_counter() + SECONDS

    async def loop(worker: int) -> None:
        nonlocal events
        n = 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            added = await step(worker, n)
            events += added
            latencies.append(time.perf_counter() - started)
            n += 1

    started = time.perf_counter()
    await asyncio.gather(*(loop(w) for w in range(workers)))
    elapsed = time.perf_counter() - started
    return {
        "events_per_s": round(events / elapsed, 1),
        "calls": len(latencies),
        **percentiles(latencies),
    }


async def watchfloor(
    store: EventStore, incidents: list[uuid.UUID], workers: int
) -> dict[str, float]:
    async def step(worker: int, n: int) -> int:
        target = incidents[worker % len(incidents)]
        outcome = await store.execute(
            target, AddNote(f"bench {worker}-{n}"), STAFF, uuid.uuid4().hex
        )
        return len(outcome.events)

    return await drive(workers, step)


async def plain_inserts(pool: asyncpg.Pool, workers: int) -> dict[str, float]:
    await pool.execute(
        "CREATE TABLE IF NOT EXISTS bench_plain (id bigserial PRIMARY KEY, "
        "k uuid, n int, body jsonb)"
    )

    async def step(worker: int, n: int) -> int:
        await pool.execute(
            "INSERT INTO bench_plain (k, n, body) VALUES ($1, $2, $3)",
            uuid.uuid4(),
            n,
            '{"text": "bench"}',
        )
        return 1

    return await drive(workers, step)


async def main() -> None:
    url = await fresh_database("wf_bench_appends")
    pool = await asyncpg.create_pool(url, min_size=4, max_size=40, reset=release)
    try:
        # composed as the server does it: the playbooks' plans and the notification outbox
        store = incident_store(pool, SystemClock(), load_library(default_dirs({})))
        opened = [
            await store.execute(
                None, OpenIncident(IncidentType.MEDICAL, "大厅", 1, "bench"), DUTY, uuid.uuid4().hex
            )
            for _ in range(100)
        ]
        ids = [o.incident_id for o in opened]
        progress("plain INSERT baseline")
        baseline = await plain_inserts(pool, 32)
        progress("one incident, 8 writers")
        one = await watchfloor(store, ids[:1], 8)
        progress("100 incidents, 32 writers")
        many = await watchfloor(store, ids, 32)
        write_result(
            "appends",
            {
                "baseline_plain_insert": baseline,
                "one_incident": one,
                "hundred_incidents": many,
                "ratio_to_baseline": round(many["events_per_s"] / baseline["events_per_s"], 3),
                "targets": {
                    "hundred_incidents_events_per_s": 5000,
                    "p99_ms": 5,
                    "one_incident_events_per_s": 1500,
                    "ratio_to_baseline": 0.7,
                },
            },
        )
    finally:
        await pool.close()
        await drop_database(url)


if __name__ == "__main__":
    asyncio.run(main())
