"""Event-loop lag: how late a 1 ms sleep wakes up, sampled for as long as the app runs.

Off unless WATCHFLOOR_LOOP_LAG_FILE names a file (the bench sets it): every fan-out,
worker and request shares this loop, so a late wake-up is time a console waited. The
samples, (monotonic time, lag in seconds) pairs, are written when the app stops.
"""

from __future__ import annotations

import asyncio
import json
import time
from array import array
from pathlib import Path

INTERVAL = 0.001  # seconds asked of each sleep


async def sample_lag(out: Path, interval: float = INTERVAL) -> None:
    """Sleep `interval` over and over, keeping each overshoot; write them all when cancelled."""
    samples = array("d")  # flat (at, lag) pairs: ~16 bytes a sample, no object per sample
    try:
        while True:
            asked = time.monotonic()
            await asyncio.sleep(interval)
            woke = time.monotonic()
            samples.extend((woke, max(0.0, woke - asked - interval)))
    finally:
        write_samples(out, samples)


def write_samples(out: Path, samples: array[float]) -> None:
    pairs = [[samples[i], samples[i + 1]] for i in range(0, len(samples) - 1, 2)]
    out.write_text(json.dumps(pairs))


def read_samples(path: Path, start: float, end: float) -> list[float]:
    """The lags (seconds) of the wake-ups between two monotonic times (any process's clock)."""
    pairs: list[list[float]] = json.loads(path.read_text())
    return [lag for at, lag in pairs if start <= at <= end]
