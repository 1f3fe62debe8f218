"""Sign-in rate limits, kept in PostgreSQL so that they hold across every node.

Three rules (the numbers are `Policy`'s defaults; the README, "Sign-in limits and proxies",
says them to operators). An attempt goes ahead only when all three allow it:

- **one name from one address**: 5 failures within the window (15 min), then that address
  waits until the oldest of them is 15 min old. A success from that address clears them.
- **one address, any names**: 20 failures within the window, then likewise. A success does
  not clear them: an address trying many names is spraying guesses.
- **one name from everywhere**: after 3 failures since the name's last success (within the
  window), each further attempt waits a growing delay after the latest failure: 1 s, then
  doubling per failure, up to 30 s. It slows a guesser on many addresses to one guess per
  30 s without locking the real user out: they wait at most that. An address the name
  signed in from within 30 days skips this rule, so an attack from elsewhere cannot make
  the real user at their usual desk wait even that.

An attempt is recorded, under advisory locks, *before* the password is checked, so a burst
of parallel guesses cannot slip past a limit. A refused attempt is not recorded: hammering
during a wait neither counts nor prolongs it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg
import structlog

from incidents.clock import Clock
from incidents.store import Conn
from server.auth import store
from server.auth.errors import TooManyAttempts

log = structlog.get_logger(__name__)

WINDOW = timedelta(minutes=15)
# Failures are kept this long, then pruned (they are evidence of an attack for a while);
# successes are kept KNOWN, as they vouch for their address.
KEEP = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Policy:
    window: timedelta = WINDOW
    per_pair: int = 5  # failures of one name from one address
    per_address: int = 20  # failures from one address, any names
    free: int = 3  # failures of one name, from anywhere, before it slows down
    base: timedelta = timedelta(seconds=1)  # the first delay; each failure after doubles it
    cap: timedelta = timedelta(seconds=30)  # the longest delay
    known: timedelta = timedelta(days=30)  # a success vouches for its address this long


def name_delay(failures: int, policy: Policy) -> timedelta:
    """How long after its latest failure a name under attack waits for its next attempt."""
    if failures < policy.free:
        return timedelta(0)
    doublings = min(failures - policy.free, 32)  # the cap is reached long before
    return min(policy.cap, policy.base * (1 << doublings))


class LoginLimiter:
    def __init__(self, pool: asyncpg.Pool, clock: Clock, policy: Policy | None = None) -> None:
        self._pool = pool
        self._clock = clock
        self.policy = policy or Policy()

    async def begin(self, login: str, address: str) -> int:
        """Record an attempt about to be checked; raise TooManyAttempts if over a limit.

        Pass the returned id to `finish` once the password has been checked.
        """
        now = self._clock.now()
        async with self._pool.acquire() as conn, conn.transaction():
            # Attempts for one address and one login name take turns here, on every node.
            await store.lock_attempts(conn, address, login)
            waits = await self._waits(conn, login, address, now)
            if waits:
                rule, wait = max(waits.items(), key=lambda item: item[1])
                seconds = max(1, math.ceil(wait.total_seconds()))
                log.warning("login_throttled", user_id=login, rule=rule, retry_after=seconds)
                raise TooManyAttempts(seconds)
            return await store.add_attempt(conn, login, address, now)

    async def finish(self, attempt: int, *, ok: bool) -> None:
        """Record how the attempt ended; old attempts are pruned on the way."""
        now = self._clock.now()
        await store.finish_attempt(self._pool, attempt, ok)
        await store.prune_attempts(self._pool, now - KEEP, now - self.policy.known)

    async def _waits(
        self, conn: Conn, login: str, address: str, now: datetime
    ) -> dict[str, timedelta]:
        """Each rule this attempt is over, with how long until it is within it."""
        policy, since = self.policy, now - self.policy.window
        waits: dict[str, timedelta] = {}
        pair = await store.nth_pair_failure(conn, login, address, since, policy.per_pair)
        if pair is not None:
            waits["name_and_address"] = pair + policy.window - now
        spray = await store.nth_address_failure(conn, address, since, policy.per_address)
        if spray is not None:
            waits["address"] = spray + policy.window - now
        if not await store.known_address(conn, login, address, now - policy.known):
            name = await self._name_wait(conn, login, since, now)
            if name is not None:
                waits["name"] = name
        return waits

    async def _name_wait(
        self, conn: Conn, login: str, since: datetime, now: datetime
    ) -> timedelta | None:
        """What is left of the growing delay after the name's latest failure; None if none."""
        failures, latest = await store.name_failures(conn, login, since)
        if latest is None:
            return None
        ready = latest + name_delay(failures, self.policy)
        return ready - now if ready > now else None
