"""Sessions on a real PostgreSQL, with a clock the test moves."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import timedelta

import asyncpg

from incidents.clock import ManualClock
from server.auth.sessions import ABSOLUTE_TIMEOUT, IDLE_TIMEOUT, SessionStore
from server.auth.users import User, UserStore
from tests.conftest import APP_ROLE


async def test_a_new_session_is_found_by_its_token(
    pool: asyncpg.Pool, sessions: SessionStore, duty: User
) -> None:
    """The cookie's token finds the session; the database keeps only the token's SHA-256."""
    token, created = await sessions.create(duty)
    found = await sessions.lookup(token)
    assert found is not None and found.user == duty
    assert found.id_hash == created.id_hash == hashlib.sha256(token.encode()).hexdigest()
    assert found.csrf_token == created.csrf_token and len(found.csrf_token) >= 32
    stored = await pool.fetch("SELECT id_hash, csrf_token FROM sessions")
    assert token not in {value for row in stored for value in row.values()}


async def test_unknown_or_garbage_tokens_find_nothing(sessions: SessionStore, duty: User) -> None:
    """A made-up, empty or huge cookie value is simply not signed in."""
    await sessions.create(duty)
    for token in ("nope", "", "x" * 5000):
        assert await sessions.lookup(token) is None


async def test_a_session_ends_after_twelve_idle_hours(
    clock: ManualClock, sessions: SessionStore, duty: User
) -> None:
    """Left untouched for 12 hours, the session is over."""
    token, _ = await sessions.create(duty)
    clock.advance(IDLE_TIMEOUT - timedelta(seconds=1))
    assert await sessions.lookup(token) is not None
    clock.advance(IDLE_TIMEOUT)
    assert await sessions.lookup(token) is None


async def test_use_keeps_a_session_alive_until_the_seven_day_limit(
    clock: ManualClock, sessions: SessionStore, duty: User
) -> None:
    """Used every 11 hours, a session lasts; after 7 days from sign-in it ends anyway."""
    token, created = await sessions.create(duty)
    while clock.now() + timedelta(hours=11) < created.expires_at:
        clock.advance(timedelta(hours=11))
        assert await sessions.lookup(token) is not None
    clock.set(created.expires_at - timedelta(seconds=1))
    assert await sessions.lookup(token) is not None
    clock.set(created.expires_at)
    assert await sessions.lookup(token) is None
    assert created.expires_at - clock.now() + ABSOLUTE_TIMEOUT == ABSOLUTE_TIMEOUT


async def test_last_seen_is_written_at_most_once_a_minute(
    pool: asyncpg.Pool, clock: ManualClock, sessions: SessionStore, duty: User
) -> None:
    """Many requests within a minute write nothing; the first one after a minute slides it."""
    token, created = await sessions.create(duty)
    clock.advance(timedelta(seconds=59))
    await sessions.lookup(token)
    assert await pool.fetchval("SELECT last_seen_at FROM sessions") == created.last_seen_at
    clock.advance(timedelta(seconds=1))
    await sessions.lookup(token)
    assert await pool.fetchval("SELECT last_seen_at FROM sessions") == clock.now()


async def test_logout_ends_only_that_session(sessions: SessionStore, duty: User) -> None:
    """Signing out on one device leaves the other signed in."""
    desk, _ = await sessions.create(duty)
    phone, _ = await sessions.create(duty)
    assert await sessions.revoke(desk)
    assert not await sessions.revoke(desk)
    assert await sessions.lookup(desk) is None
    assert await sessions.lookup(phone) is not None


async def test_revoke_user_ends_every_session_of_that_user(
    sessions: SessionStore, duty: User, viewer: User
) -> None:
    """Signing duty1 out everywhere ends both their sessions and no one else's."""
    desk, _ = await sessions.create(duty)
    phone, _ = await sessions.create(duty)
    other, _ = await sessions.create(viewer)
    assert await sessions.revoke_user("duty1") == 2
    assert await sessions.lookup(desk) is None and await sessions.lookup(phone) is None
    assert await sessions.lookup(other) is not None


async def test_active_session_ids_drops_ended_sessions(
    clock: ManualClock, users: UserStore, sessions: SessionStore, duty: User, viewer: User
) -> None:
    """The hub's batch check keeps live sockets and drops logged-out, disabled and idle ones."""
    _, live = await sessions.create(duty)
    gone_token, gone = await sessions.create(duty)
    _, disabled = await sessions.create(viewer)
    await sessions.revoke(gone_token)
    await users.disable("viewer1")
    ids = {live.id_hash, gone.id_hash, disabled.id_hash, "0" * 64}
    assert await sessions.active_session_ids(ids) == {live.id_hash}
    assert await sessions.active_session_ids([]) == set()
    clock.advance(IDLE_TIMEOUT)
    assert await sessions.active_session_ids(ids) == set()


async def test_an_open_socket_can_count_as_use(
    clock: ManualClock, sessions: SessionStore, duty: User
) -> None:
    """With touch, a board left open on a live socket does not go idle."""
    token, session = await sessions.create(duty)
    for _ in range(3):
        clock.advance(IDLE_TIMEOUT - timedelta(hours=1))
        assert await sessions.active_session_ids([session.id_hash], touch=True) == {session.id_hash}
    assert await sessions.lookup(token) is not None


async def test_lookups_that_arrive_together_share_a_query(
    database_url: str, clock: ManualClock, users: UserStore, duty: User, viewer: User
) -> None:
    """A restarted node's consoles all come back at once: 300 lookups are a few queries on a
    pool of two connections, each finding its own session (or none, for a revoked one);
    one lookup alone is one query at once."""
    read: list[str] = []

    async def count(connection: asyncpg.Connection) -> None:
        connection.add_query_logger(
            lambda q: read.append(q.query) if "FROM sessions s JOIN users" in q.query else None
        )

    async with asyncpg.create_pool(
        database_url, min_size=1, max_size=2, server_settings={"role": APP_ROLE}, init=count
    ) as small:
        sessions = SessionStore(small, clock)
        made = [await sessions.create(duty if i % 2 else viewer) for i in range(300)]
        revoked = made[7][0]
        await sessions.revoke(revoked)
        read.clear()
        found = await asyncio.gather(*(sessions.lookup(token) for token, _ in made))
        together = len(read)
        read.clear()
        alone = await sessions.lookup(made[0][0])
    assert [f.id_hash if f else None for f in found] == [
        None if token == revoked else s.id_hash for token, s in made
    ]
    assert [f.user.id for f in found if f] == [s.user.id for t, s in made if t != revoked]
    assert together <= 4, together
    assert alone is not None and len(read) == 1
