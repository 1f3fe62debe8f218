"""Sustained appends, hash chain on, synchronous_commit on: 32 writers over 100 incidents,
the same 32 on one incident (what its row lock costs), and both again with a transaction
per command (what group commit buys).

Baseline, same run, same server: a plain single-row INSERT loop through asyncpg, 32 writers.
Each figure runs ROUNDS times, interleaved with the others, and the median run (by events/s)
is reported; every run takes at least SAMPLES calls, so a p99 stands on ten slow calls or
more. Writes bench/results/appends.json and its figures into summary.json; never fails on a
timing.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from bench.common import drop_database, fresh_database, percentiles, progress, write_result
from bench.summary import figure, record
from incidents.clock import SystemClock
from incidents.group_commit import ONE_TRANSACTION_EACH
from incidents.kinds import IncidentType, Role
from incidents.lifecycle import AddNote, OpenIncident
from incidents.state import Actor
from incidents.store import EventStore
from playbooks.loader import default_dirs, load_library
from server.database import release
from server.services import incident_store

STAFF = Actor("staff1", Role.ONSITE_STAFF)
DUTY = Actor("duty1", Role.DUTY_OFFICER)
WRITERS = 32
SAMPLES = 1000  # calls per run, at the least
MIN_SECONDS = 3.0
ROUNDS = 3
TARGET_RATIO = 0.7
TARGET_P99_MS = 10.0

Step = Callable[[int, int], Awaitable[int]]


async def drive(workers: int, step: Step) -> dict[str, float]:
    """`workers` closed loops of `step` until SAMPLES calls and MIN_SECONDS have passed."""
    latencies: list[float] = []
    events = 0
    deadline = time.perf_counter() + MIN_SECONDS

    async def loop(worker: int) -> None:
        nonlocal events
        n = 0
        while time.perf_counter() < deadline or len(latencies) < SAMPLES:
            started = time.perf_counter()
            added = await step(worker, n)  # awaited first: `events +=` would read it stale
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


def notes(store: EventStore, incidents: list[uuid.UUID]) -> Step:
    async def step(worker: int, n: int) -> int:
        target = incidents[(worker + n) % len(incidents)]
        outcome = await store.execute(
            target, AddNote(f"bench {worker}-{n}"), STAFF, uuid.uuid4().hex
        )
        return len(outcome.events)

    return step


async def plain_inserts(pool: asyncpg.Pool) -> Step:
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

    return step


def median_run(runs: list[dict[str, float]]) -> dict[str, Any]:
    """The run with the median events/s, and every run's events/s and p99 beside it."""
    middle = sorted(runs, key=lambda r: r["events_per_s"])[len(runs) // 2]
    seen = [{"events_per_s": r["events_per_s"], "p99_ms": r["p99_ms"]} for r in runs]
    return {**middle, "runs": seen}


async def measure(steps: dict[str, Step]) -> dict[str, dict[str, Any]]:
    """Each step ROUNDS times, interleaved, so slow minutes of the machine hit all alike."""
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in steps}
    for round_ in range(ROUNDS):
        for name, step in steps.items():
            progress(f"round {round_ + 1}/{ROUNDS}: {name}")
            runs[name].append(await drive(WRITERS, step))
    return {name: median_run(r) for name, r in runs.items()}


async def open_incidents(store: EventStore, n: int) -> list[uuid.UUID]:
    opened = [
        await store.execute(
            None, OpenIncident(IncidentType.MEDICAL, "大厅", 1, "bench"), DUTY, uuid.uuid4().hex
        )
        for _ in range(n)
    ]
    return [o.incident_id for o in opened]


def ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b else 0.0


async def main() -> None:
    url = await fresh_database("wf_bench_appends")
    pool = await asyncpg.create_pool(url, min_size=4, max_size=40, reset=release)
    try:
        # composed as the server does it: the playbooks' plans and the notification outbox
        library = load_library(default_dirs({}))
        store = incident_store(pool, SystemClock(), library)
        single = incident_store(pool, SystemClock(), library, batching=ONE_TRANSACTION_EACH)
        ids = await open_incidents(store, 101)
        figures = await measure(
            {
                "baseline_plain_insert": await plain_inserts(pool),
                "hundred_incidents": notes(store, ids[:100]),
                "one_incident": notes(store, ids[100:]),
                "hundred_incidents_one_transaction_each": notes(single, ids[:100]),
                "one_incident_one_transaction_each": notes(single, ids[100:]),
            }
        )
        base, many = figures["baseline_plain_insert"], figures["hundred_incidents"]
        one = figures["one_incident"]
        result = {
            **figures,
            "writers": WRITERS,
            "ratio_to_baseline": ratio(many["events_per_s"], base["events_per_s"]),
            "one_incident_ratio_to_hundred": ratio(one["events_per_s"], many["events_per_s"]),
            "one_incident_ratio_to_hundred_one_transaction_each": ratio(
                figures["one_incident_one_transaction_each"]["events_per_s"],
                figures["hundred_incidents_one_transaction_each"]["events_per_s"],
            ),
            "group_commit_speedup": ratio(
                many["events_per_s"],
                figures["hundred_incidents_one_transaction_each"]["events_per_s"],
            ),
            "targets": {"ratio_to_baseline": TARGET_RATIO, "p99_ms": TARGET_P99_MS},
        }
        write_result("appends", result)
        record(
            {
                "appends_ratio_to_insert": figure(result["ratio_to_baseline"], TARGET_RATIO, 1.0),
                "appends_p99_ms": figure(many["p99_ms"], TARGET_P99_MS, base["p99_ms"]),
            }
        )
    finally:
        await pool.close()
        await drop_database(url)


if __name__ == "__main__":
    asyncio.run(main())
