"""Sign-in rate limits, kept in PostgreSQL so that every node sees the same counts."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import asyncpg
import pytest

from incidents.clock import ManualClock
from server.auth.errors import TooManyAttempts
from server.auth.ratelimit import PER_ADDRESS, PER_LOGIN, WINDOW, LoginLimiter

HOME = "10.0.0.7"


async def fail(limiter: LoginLimiter, login: str, address: str = HOME) -> None:
    await limiter.finish(await limiter.begin(login, address), ok=False)


async def test_the_sixth_failure_is_refused_until_the_window_passes(
    clock: ManualClock, limiter: LoginLimiter
) -> None:
    """After five wrong passwords, duty1 must wait 15 minutes, even with the right password."""
    for _ in range(PER_LOGIN):
        await fail(limiter, "duty1")
        clock.advance(timedelta(seconds=10))
    with pytest.raises(TooManyAttempts) as refused:
        await limiter.begin("duty1", "10.9.9.9")
    assert refused.value.retry_after == int((WINDOW - timedelta(seconds=50)).total_seconds())
    clock.advance(WINDOW - timedelta(seconds=50))
    await limiter.begin("duty1", HOME)


async def test_other_login_names_are_unaffected_until_the_address_cap(
    limiter: LoginLimiter,
) -> None:
    """duty1 being locked does not lock staff1, until 20 failures came from one address."""
    for _ in range(PER_LOGIN):
        await fail(limiter, "duty1")
    await fail(limiter, "staff1")
    for n in range(PER_ADDRESS - PER_LOGIN - 1):
        await fail(limiter, f"guess{n}")
    with pytest.raises(TooManyAttempts):
        await limiter.begin("staff1", HOME)
    await limiter.begin("staff1", "10.0.0.8")


async def test_a_successful_sign_in_clears_the_name_count(limiter: LoginLimiter) -> None:
    """Four typos, then a success: the next typos start counting from zero."""
    for _ in range(PER_LOGIN - 1):
        await fail(limiter, "duty1")
    await limiter.finish(await limiter.begin("duty1", HOME), ok=True)
    for _ in range(PER_LOGIN - 1):
        await fail(limiter, "duty1")
    await limiter.begin("duty1", HOME)


async def test_parallel_guesses_cannot_slip_past_the_limit(limiter: LoginLimiter) -> None:
    """Twenty guesses fired at once, from any nodes: exactly five get to check a password."""

    async def guess() -> bool:
        try:
            await limiter.begin("duty1", HOME)
        except TooManyAttempts:
            return False
        return True

    results = await asyncio.gather(*(guess() for _ in range(20)))
    assert sum(results) == PER_LOGIN


async def test_refused_attempts_leave_no_trace_and_old_ones_are_pruned(
    pool: asyncpg.Pool, clock: ManualClock, limiter: LoginLimiter
) -> None:
    """Refusals do not prolong the lock; attempts older than a day are deleted."""
    for _ in range(PER_LOGIN):
        await fail(limiter, "duty1")
    for _ in range(3):
        with pytest.raises(TooManyAttempts):
            await limiter.begin("duty1", HOME)
    assert await pool.fetchval("SELECT count(*) FROM login_attempts") == PER_LOGIN
    clock.advance(timedelta(days=2))
    await fail(limiter, "duty1")
    assert await pool.fetchval("SELECT count(*) FROM login_attempts") == 1
