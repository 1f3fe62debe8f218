"""The bench's event-loop lag sampler: samples written when the app stops, read by window."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

from server.loop_lag import read_samples, sample_lag
from server.settings import Settings


async def test_a_blocked_loop_shows_as_lag_in_the_window_it_happened(tmp_path: Path) -> None:
    """A 30 ms block of the loop is a wake-up at least that late inside the window that
    holds it; the samples are written when the sampler is cancelled."""
    out = tmp_path / "lag.json"
    sampler = asyncio.create_task(sample_lag(out))
    await asyncio.sleep(0.02)
    start = time.monotonic()
    time.sleep(0.03)  # noqa: ASYNC251 - the block being measured
    await asyncio.sleep(0.01)
    end = time.monotonic()
    sampler.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await sampler
    inside = read_samples(out, start, end)
    assert max(inside) >= 0.025
    before = read_samples(out, 0, start)
    assert before  # it sampled before the block too
    assert all(lag >= 0 for lag in read_samples(out, 0, end + 1))


def test_the_sampler_is_off_unless_a_file_is_named(tmp_path: Path) -> None:
    assert Settings.from_env({}).loop_lag_file is None
    named = Settings.from_env({"WATCHFLOOR_LOOP_LAG_FILE": str(tmp_path / "延迟 ⏱.json")})
    assert named.loop_lag_file == tmp_path / "延迟 ⏱.json"
