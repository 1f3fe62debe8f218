"""Event-loop lag: how late a 1 ms sleep wakes up, sampled for as long as the app runs.

Off unless WATCHFLOOR_LOOP_LAG_FILE names a file (the bench sets it): every fan-out,
worker and request shares this loop, so a late wake-up is time a console waited. Each
sample also keeps how much of the lateness the loop's own thread spent on the CPU: the
rest is the machine not running the process at all (other processes on its cores), which
no change to this code can remove. Beside them, every collection of the garbage collector
is timed (`gc_pauses`): a full one over many consoles' objects holds the loop by itself.
The samples are written when the app stops.
"""

from __future__ import annotations

import asyncio
import gc
import json
import time
from array import array
from pathlib import Path
from typing import Any, NamedTuple

INTERVAL = 0.001  # seconds asked of each sleep


class Lag(NamedTuple):
    at: float  # monotonic time of the wake-up
    late: float  # seconds past the deadline
    busy: float  # of those, seconds this thread ran (a task held the loop)


class GcPause(NamedTuple):
    at: float  # monotonic time it ended
    generation: int
    seconds: float


def gc_file(out: Path) -> Path:
    return out.with_name(out.name + ".gc.json")


async def sample_lag(out: Path, interval: float = INTERVAL) -> None:
    """Sleep `interval` over and over, keeping each overshoot; write them all when cancelled."""
    samples = array("d")  # flat (at, late, busy) triples: no object per sample
    pauses = array("d")  # flat (at, generation, seconds) triples
    began = [0.0]

    def timed(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            began[0] = time.monotonic()
        else:
            now = time.monotonic()
            pauses.extend((now, float(info["generation"]), now - began[0]))

    gc.callbacks.append(timed)
    try:
        while True:
            asked, cpu = time.monotonic(), time.thread_time()
            await asyncio.sleep(interval)
            woke, ran = time.monotonic(), time.thread_time() - cpu
            late = max(0.0, woke - asked - interval)
            samples.extend((woke, late, min(late, ran)))
    finally:
        gc.callbacks.remove(timed)
        write_samples(out, samples)
        write_samples(gc_file(out), pauses)


def write_samples(out: Path, samples: array[float]) -> None:
    triples = [list(samples[i : i + 3]) for i in range(0, len(samples) - 2, 3)]
    out.write_text(json.dumps(triples))


def read_samples(path: Path, start: float, end: float) -> list[Lag]:
    """The wake-ups between two monotonic times (the same clock in every process)."""
    triples: list[list[float]] = json.loads(path.read_text())
    return [Lag(*t) for t in triples if start <= t[0] <= end]


def read_gc_pauses(path: Path, start: float, end: float) -> list[GcPause]:
    """The collections that ended between two monotonic times, from `sample_lag`'s file."""
    found = gc_file(path)
    triples: list[list[float]] = json.loads(found.read_text()) if found.exists() else []
    return [GcPause(t[0], int(t[1]), t[2]) for t in triples if start <= t[0] <= end]
