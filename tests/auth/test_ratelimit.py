"""Sign-in rate limits, kept in PostgreSQL so that every node sees the same counts."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import asyncpg
import pytest

from incidents.clock import ManualClock
from server.auth.errors import TooManyAttempts
from server.auth.ratelimit import KEEP, LoginLimiter, Policy, name_delay

HOME = "10.0.0.7"
POLICY = Policy()


async def fail(limiter: LoginLimiter, login: str, address: str = HOME) -> None:
    await limiter.finish(await limiter.begin(login, address), ok=False)


async def succeed(limiter: LoginLimiter, login: str, address: str = HOME) -> None:
    await limiter.finish(await limiter.begin(login, address), ok=True)


async def wait_asked(limiter: LoginLimiter, login: str, address: str) -> int | None:
    """The Retry-After an attempt is refused with; None if it may go ahead (then it fails)."""
    try:
        attempt = await limiter.begin(login, address)
    except TooManyAttempts as refused:
        return refused.retry_after
    await limiter.finish(attempt, ok=False)
    return None


async def attack(limiter: LoginLimiter, clock: ManualClock, login: str, guesses: int) -> None:
    """`guesses` wrong passwords for `login`, each from a new address, as soon as allowed."""
    for n in range(guesses):
        while (wait := await wait_asked(limiter, login, f"198.51.100.{n}")) is not None:
            clock.advance(timedelta(seconds=wait))


def test_the_delay_doubles_from_the_fourth_failure_up_to_the_cap() -> None:
    """Three typos cost nothing; then 1, 2, 4, 8, 16 s, and never more than 30 s."""
    delays = [name_delay(n, POLICY).total_seconds() for n in range(10)]
    assert delays == [0, 0, 0, 1, 2, 4, 8, 16, 30, 30]
    assert name_delay(10**6, POLICY) == POLICY.cap


async def test_failures_from_many_addresses_get_growing_capped_waits(
    clock: ManualClock, limiter: LoginLimiter
) -> None:
    """Each guess at commander1 from a new address, when allowed, makes the next wait longer."""
    asked = []
    for n in range(10):
        wait = await wait_asked(limiter, "commander1", f"198.51.100.{n}")
        if wait is not None:
            asked.append(wait)
            clock.advance(timedelta(seconds=wait))
            assert await wait_asked(limiter, "commander1", f"198.51.100.{n}") is None
    assert asked == [1, 2, 4, 8, 16, 30, 30]


async def test_an_attack_from_many_addresses_does_not_lock_the_owner_out(
    clock: ManualClock, limiter: LoginLimiter
) -> None:
    """Thirty wrong passwords for commander1 from thirty addresses: the owner, at a desk
    never used before, waits at most the cap, then signs in."""
    await attack(limiter, clock, "commander1", 30)
    with pytest.raises(TooManyAttempts) as refused:
        await limiter.begin("commander1", HOME)
    assert refused.value.retry_after <= POLICY.cap.total_seconds()
    clock.advance(timedelta(seconds=refused.value.retry_after))
    await succeed(limiter, "commander1")


async def test_the_owners_usual_address_is_not_slowed_by_an_attack_elsewhere(
    clock: ManualClock, limiter: LoginLimiter
) -> None:
    """commander1 signed in from HOME last week: an attack from elsewhere costs them no wait."""
    await succeed(limiter, "commander1")
    clock.advance(timedelta(days=7))
    await attack(limiter, clock, "commander1", 30)
    await limiter.begin("commander1", HOME)


async def test_a_success_vouches_for_its_address_for_thirty_days(
    clock: ManualClock, limiter: LoginLimiter
) -> None:
    """After 30 days without a sign-in from HOME, HOME waits like any other address."""
    await succeed(limiter, "commander1")
    clock.advance(POLICY.known + timedelta(minutes=1))
    await attack(limiter, clock, "commander1", 5)
    with pytest.raises(TooManyAttempts):
        await limiter.begin("commander1", HOME)


async def test_five_failures_from_one_address_lock_that_name_there_for_the_window(
    clock: ManualClock, limiter: LoginLimiter
) -> None:
    """duty1 guessed five times from one address waits 15 minutes there, not elsewhere."""
    for _ in range(POLICY.per_pair):
        await fail(limiter, "duty1")
        clock.advance(timedelta(seconds=40))  # past every growing delay
    with pytest.raises(TooManyAttempts) as refused:
        await limiter.begin("duty1", HOME)
    assert refused.value.retry_after == (POLICY.window - timedelta(seconds=200)).total_seconds()
    await limiter.begin("duty1", "10.9.9.9")
    clock.advance(POLICY.window)
    await limiter.begin("duty1", HOME)


async def test_twenty_failures_from_one_address_stop_it_for_every_name(
    clock: ManualClock, limiter: LoginLimiter
) -> None:
    """An address spraying guesses over names is stopped at 20; others are not."""
    for n in range(POLICY.per_address):
        await fail(limiter, f"guess{n}")
    with pytest.raises(TooManyAttempts) as refused:
        await limiter.begin("staff1", HOME)
    assert refused.value.retry_after == POLICY.window.total_seconds()
    await limiter.begin("staff1", "10.0.0.8")


async def test_a_successful_sign_in_clears_the_name_count(
    clock: ManualClock, limiter: LoginLimiter
) -> None:
    """Three typos, then a success: the next typos start counting from zero."""
    for _ in range(POLICY.free):
        await fail(limiter, "duty1", "10.0.0.8")
    clock.advance(timedelta(seconds=1))
    await succeed(limiter, "duty1", "10.0.0.8")
    for _ in range(POLICY.free):
        await fail(limiter, "duty1", "10.0.0.9")
    with pytest.raises(TooManyAttempts):
        await limiter.begin("duty1", "10.0.0.10")


@pytest.mark.parametrize("spread", [False, True], ids=["one address", "many addresses"])
async def test_parallel_guesses_cannot_slip_past_the_limit(
    limiter: LoginLimiter, spread: bool
) -> None:
    """Twenty guesses fired at once, from any nodes: exactly three get to check a password."""

    async def guess(n: int) -> bool:
        try:
            await limiter.begin("duty1", f"198.51.100.{n}" if spread else HOME)
        except TooManyAttempts:
            return False
        return True

    results = await asyncio.gather(*(guess(n) for n in range(20)))
    assert sum(results) == POLICY.free


async def test_refused_attempts_leave_no_trace_and_old_ones_are_pruned(
    pool: asyncpg.Pool, clock: ManualClock, limiter: LoginLimiter
) -> None:
    """Refusals do not prolong a wait; failures go after a day, successes after 30 days."""
    await succeed(limiter, "duty1")
    for _ in range(POLICY.free):
        await fail(limiter, "duty1", "10.0.0.8")
    for _ in range(3):
        with pytest.raises(TooManyAttempts) as refused:
            await limiter.begin("duty1", "10.0.0.8")
        assert refused.value.retry_after == 1
    assert await pool.fetchval("SELECT count(*) FROM login_attempts") == 1 + POLICY.free
    clock.advance(KEEP + timedelta(hours=1))
    await fail(limiter, "duty1", "10.0.0.8")
    assert await pool.fetchval("SELECT count(*) FROM login_attempts WHERE ok") == 1
    assert await pool.fetchval("SELECT count(*) FROM login_attempts") == 2
    clock.advance(POLICY.known)
    await fail(limiter, "duty1", "10.0.0.8")
    assert await pool.fetchval("SELECT count(*) FROM login_attempts") == 1
