"""Sign-in rate limits, kept in PostgreSQL so that they hold across every node.

Within WINDOW: at most PER_LOGIN failures for one login name (a success clears them) and
PER_ADDRESS failures from one client address (a success does not clear those: an address
trying many names is spraying guesses). An attempt is recorded, under an advisory lock,
*before* the password is checked, so a burst of parallel guesses cannot slip past the limit.
A refused attempt is not recorded: waiting out Retry-After is enough.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import asyncpg
import structlog

from incidents.clock import Clock
from incidents.store import Conn
from server.auth.errors import TooManyAttempts

log = structlog.get_logger(__name__)

WINDOW = timedelta(minutes=15)
PER_LOGIN = 5
PER_ADDRESS = 20
# Attempts are kept this long, then pruned (they are evidence of an attack for a while).
KEEP = timedelta(days=1)

# The `$3`-th most recent failure (or attempt still being checked) since $2. For a login
# name, only those after its latest success count.
_NTH_LOGIN_FAILURE = """
SELECT at FROM login_attempts
WHERE login = $1 AND ok IS NOT TRUE AND at > $2
  AND id > coalesce((SELECT max(id) FROM login_attempts WHERE login = $1 AND ok), 0)
ORDER BY at DESC OFFSET $3 - 1 LIMIT 1
"""
_NTH_ADDRESS_FAILURE = """
SELECT at FROM login_attempts
WHERE address = $1 AND ok IS NOT TRUE AND at > $2
ORDER BY at DESC OFFSET $3 - 1 LIMIT 1
"""


class LoginLimiter:
    def __init__(
        self,
        pool: asyncpg.Pool,
        clock: Clock,
        *,
        window: timedelta = WINDOW,
        per_login: int = PER_LOGIN,
        per_address: int = PER_ADDRESS,
    ) -> None:
        self._pool = pool
        self._clock = clock
        self._window = window
        self._per_login = per_login
        self._per_address = per_address

    async def begin(self, login: str, address: str) -> int:
        """Record an attempt about to be checked; raise TooManyAttempts if over a limit.

        Pass the returned id to `finish` once the password has been checked.
        """
        now = self._clock.now()
        async with self._pool.acquire() as conn, conn.transaction():
            # Attempts for one address and one login name take turns here, on every node.
            await conn.execute("SELECT pg_advisory_xact_lock(1, hashtext($1))", address)
            await conn.execute("SELECT pg_advisory_xact_lock(2, hashtext($1))", login)
            wait = await self._wait(conn, login, address, now)
            if wait is not None:
                log.warning("login_throttled", user_id=login, retry_after=wait)
                raise TooManyAttempts(wait)
            attempt: int = await conn.fetchval(
                "INSERT INTO login_attempts (login, address, at) VALUES ($1, $2, $3) RETURNING id",
                login,
                address,
                now,
            )
        return attempt

    async def finish(self, attempt: int, *, ok: bool) -> None:
        """Record how the attempt ended; old attempts are pruned on the way."""
        await self._pool.execute("UPDATE login_attempts SET ok = $2 WHERE id = $1", attempt, ok)
        await self._pool.execute(
            "DELETE FROM login_attempts WHERE at < $1", self._clock.now() - KEEP
        )

    async def _wait(self, conn: Conn, login: str, address: str, now: datetime) -> int | None:
        """Seconds until this attempt would be within both limits; None if it is now."""
        since = now - self._window
        waits = []
        for sql, key, cap in (
            (_NTH_LOGIN_FAILURE, login, self._per_login),
            (_NTH_ADDRESS_FAILURE, address, self._per_address),
        ):
            oldest_counted: datetime | None = await conn.fetchval(sql, key, since, cap)
            if oldest_counted is not None:
                waits.append(oldest_counted + self._window - now)
        if not waits:
            return None
        return max(1, math.ceil(max(waits).total_seconds()))
