"""Sign-in sessions: a random token in the cookie, its SHA-256 in the database.

A session ends when it is revoked (logout, user disabled), after IDLE_TIMEOUT without use,
or ABSOLUTE_TIMEOUT after sign-in, whichever comes first.

Every request and socket looks its session up. Lookups that arrive while one is being read
share the next query (and the writes sliding their idle deadlines share one UPDATE), as
commands share a transaction (incidents/group_commit.py): at a person's pace each is its
own query at once; when a restarted node's thousand consoles come back together they are a
few queries, not a thousand waiting for a connection.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg
import structlog

from incidents.clock import Clock
from incidents.group_commit import GroupCommit
from server.auth import store
from server.auth.users import User, user_from_row

log = structlog.get_logger(__name__)

IDLE_TIMEOUT = timedelta(hours=12)
ABSOLUTE_TIMEOUT = timedelta(days=7)
# last_seen_at is written at most this often, so a busy page does not write on every request.
TOUCH_INTERVAL = timedelta(minutes=1)
_MAX_TOKEN_LENGTH = 128
# Lookups in one query at most; two queries at once, so one slow batch does not stall all.
_BATCH, _IN_FLIGHT = 500, 2


@dataclass(frozen=True, slots=True)
class Session:
    user: User
    id_hash: str
    csrf_token: str
    expires_at: datetime
    last_seen_at: datetime
    bearer: bool = False  # an API token's: no cookie, so no CSRF token to check

    @property
    def idle_expires_at(self) -> datetime:
        return min(self.last_seen_at + IDLE_TIMEOUT, self.expires_at)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionStore:
    def __init__(self, pool: asyncpg.Pool, clock: Clock) -> None:
        self._pool = pool
        self._clock = clock
        self._lookups = GroupCommit(self._live_rows, in_flight=_IN_FLIGHT, max_batch=_BATCH)
        self._touches = GroupCommit(self._touch_rows, in_flight=_IN_FLIGHT, max_batch=_BATCH)

    async def create(self, user: User) -> tuple[str, Session]:
        """A new session for a signed-in user: the raw token (for the cookie) and the session."""
        token, now = secrets.token_urlsafe(32), self._clock.now()
        session = Session(
            user=user,
            id_hash=hash_token(token),
            csrf_token=secrets.token_urlsafe(32),
            expires_at=now + ABSOLUTE_TIMEOUT,
            last_seen_at=now,
        )
        await store.add_session(
            self._pool, session.id_hash, user.id, session.csrf_token, now, session.expires_at
        )
        log.info("session_created", user_id=user.id)
        return token, session

    async def lookup(self, token: str) -> Session | None:
        """The live session of a cookie token, sliding its idle deadline; None if it has ended."""
        if not token or len(token) > _MAX_TOKEN_LENGTH:
            return None
        row = await self._lookups.submit(hash_token(token))
        if row is None:
            return None
        session = Session(
            user=user_from_row(row),
            id_hash=row["id_hash"],
            csrf_token=row["csrf_token"],
            expires_at=row["expires_at"],
            last_seen_at=row["last_seen_at"],
        )
        if self._clock.now() - session.last_seen_at >= TOUCH_INTERVAL:
            await self._touches.submit(session.id_hash)
        return session

    async def _live_rows(self, id_hashes: Sequence[str]) -> list[asyncpg.Record | None]:
        rows = await store.live_sessions(
            self._pool, list(set(id_hashes)), self._clock.now(), IDLE_TIMEOUT
        )
        found = {row["id_hash"]: row for row in rows}
        return [found.get(h) for h in id_hashes]

    async def _touch_rows(self, id_hashes: Sequence[str]) -> list[None]:
        await self._touch(list(set(id_hashes)), self._clock.now())
        return [None] * len(id_hashes)

    async def revoke(self, token: str) -> bool:
        """End the session of a cookie token; False when there was no live one."""
        user_id = await store.revoke_session(self._pool, hash_token(token), self._clock.now())
        if user_id is not None:
            log.info("session_revoked", user_id=user_id)
        return user_id is not None

    async def revoke_user(self, user_id: str) -> int:
        """End every session of one user (everywhere they are signed in); how many ended."""
        async with self._pool.acquire() as conn:
            ended = await store.revoke_user_sessions(conn, user_id, self._clock.now())
        log.info("user_sessions_revoked", user_id=user_id, sessions_ended=ended)
        return ended

    async def active_session_ids(self, ids: Iterable[str], *, touch: bool = False) -> set[str]:
        """Which of these session ids (`Session.id_hash`) are still live, in one query.

        For a WebSocket hub re-checking its sockets. With `touch`, an open socket counts as
        use: the live ones' idle deadline slides as if a page had been requested.
        """
        wanted, now = list(set(ids)), self._clock.now()
        if not wanted:
            return set()
        live = await store.live_session_ids(self._pool, wanted, now, IDLE_TIMEOUT)
        if touch and live:
            await self._touch(list(live), now)
        return live

    async def _touch(self, id_hashes: list[str], now: datetime) -> None:
        await store.touch_sessions(self._pool, id_hashes, now, TOUCH_INTERVAL)
