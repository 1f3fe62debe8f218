"""The bench's event-loop lag sampler: samples written when the app stops, read by window."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from pathlib import Path

from server.loop_lag import read_gc_pauses, read_samples, sample_lag
from server.settings import Settings


def spin(cpu_seconds: float) -> None:
    """Hold the loop's thread on the CPU (a task that never awaits)."""
    until = time.thread_time() + cpu_seconds
    while time.thread_time() < until:
        pass


async def test_a_held_loop_is_late_and_busy_a_stopped_thread_late_only(tmp_path: Path) -> None:
    """30 ms of a task's CPU is a wake-up that late, all of it busy; 30 ms in which the
    thread does not run (as when the machine runs others) is as late, but not busy. The
    samples are written when the sampler is cancelled, and read by window."""
    out = tmp_path / "lag.json"
    sampler = asyncio.create_task(sample_lag(out))
    await asyncio.sleep(0.02)
    held_from = time.monotonic()
    spin(0.03)
    await asyncio.sleep(0.01)
    stopped_from = time.monotonic()
    time.sleep(0.03)  # noqa: ASYNC251 - the thread not running, on purpose
    await asyncio.sleep(0.01)
    sampler.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await sampler
    held = max(read_samples(out, held_from, stopped_from), key=lambda s: s.late)
    stopped = max(read_samples(out, stopped_from, time.monotonic()), key=lambda s: s.late)
    assert held.late >= 0.025 and held.busy >= 0.025
    assert stopped.late >= 0.025 and stopped.busy < stopped.late / 2
    assert read_samples(out, 0, held_from)  # it sampled before the blocks too
    assert all(0 <= s.busy <= s.late for s in read_samples(out, 0, time.monotonic()))


async def test_each_collection_is_timed_and_read_by_window(tmp_path: Path) -> None:
    """A full collection made while sampling is there, with its generation and its time;
    none is read from a window before it, and the sampler's hook is gone once it stops."""
    out = tmp_path / "lag.json"
    hooks = len(gc.callbacks)
    sampler = asyncio.create_task(sample_lag(out))
    await asyncio.sleep(0.01)
    before = time.monotonic()
    started = time.perf_counter()
    gc.collect()
    took = time.perf_counter() - started
    after = time.monotonic()
    sampler.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await sampler
    assert len(gc.callbacks) == hooks
    full = [p for p in read_gc_pauses(out, before, after) if p.generation == 2]
    assert len(full) == 1 and 0 < full[0].seconds <= took
    assert not [p for p in read_gc_pauses(out, 0, before) if p.seconds == full[0].seconds]


def test_the_sampler_is_off_unless_a_file_is_named(tmp_path: Path) -> None:
    assert Settings.from_env({}).loop_lag_file is None
    named = Settings.from_env({"WATCHFLOOR_LOOP_LAG_FILE": str(tmp_path / "延迟 ⏱.json")})
    assert named.loop_lag_file == tmp_path / "延迟 ⏱.json"
