"""The auth feature's SQL: users, sessions, sign-in attempts and API tokens.

Rows and plain values only: users.py, sessions.py, ratelimit.py and api_tokens.py turn
them into their types and keep the rules (hashing, timeouts, delays, logging). Transactions
are the caller's: a function taking a `Conn` runs in whatever transaction it is given.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from incidents.store import Conn

# What `users.user_from_row` reads, from `users u`.
USER_COLUMNS = "u.id, u.display_name, u.role, u.language, u.disabled_at IS NOT NULL AS disabled"

_ADD_USER = """
INSERT INTO users (id, display_name, role, password_hash, language, created_at)
VALUES ($1, $2, $3, $4, $5, $6)
"""
_USER = f"SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"
_USERS = f"SELECT {USER_COLUMNS} FROM users u ORDER BY u.id"
_USER_WITH_HASH = f"SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.id = $1"
_DISABLE_USER = (
    "UPDATE users SET disabled_at = coalesce(disabled_at, $2) WHERE id = $1 RETURNING id"
)
_SET_PASSWORD_HASH = "UPDATE users SET password_hash = $2 WHERE id = $1"

_ADD_SESSION = """
INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)
VALUES ($1, $2, $3, $4, $4, $5)
"""
# A live session: not revoked, user not disabled, neither deadline passed ($2 = now,
# $3 = the idle timeout).
_LIVE = (
    "s.revoked_at IS NULL AND u.disabled_at IS NULL AND s.expires_at > $2 "
    "AND s.last_seen_at > $2::timestamptz - $3::interval"
)
_LIVE_SESSION = f"""
SELECT s.id_hash, s.csrf_token, s.expires_at, s.last_seen_at, {USER_COLUMNS}
FROM sessions s JOIN users u ON u.id = s.user_id
WHERE s.id_hash = ANY($1::text[]) AND {_LIVE}
"""
_LIVE_SESSION_IDS = f"""
SELECT s.id_hash FROM sessions s JOIN users u ON u.id = s.user_id
WHERE s.id_hash = ANY($1::text[]) AND {_LIVE}
"""
# Only rows not written within $3, so a busy page does not write on every request.
_TOUCH_SESSIONS = """
UPDATE sessions SET last_seen_at = $2
WHERE id_hash = ANY($1::text[]) AND revoked_at IS NULL
  AND last_seen_at <= $2::timestamptz - $3::interval
"""
_REVOKE_SESSION = """
UPDATE sessions SET revoked_at = $2 WHERE id_hash = $1 AND revoked_at IS NULL
RETURNING user_id
"""
_REVOKE_USER_SESSIONS = (
    "UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL"
)

# Attempts for one address and for one login name take turns here, on every node.
_LOCK_ADDRESS = "SELECT pg_advisory_xact_lock(1, hashtext($1))"
_LOCK_LOGIN = "SELECT pg_advisory_xact_lock(2, hashtext($1))"
# The `$4`-th most recent failure (or attempt still being checked) since $3 of one name from
# one address, after that pair's latest success.
_NTH_PAIR_FAILURE = """
SELECT at FROM login_attempts
WHERE login = $1 AND address = $2 AND ok IS NOT TRUE AND at > $3
  AND id > coalesce(
    (SELECT max(id) FROM login_attempts WHERE login = $1 AND address = $2 AND ok), 0)
ORDER BY at DESC OFFSET $4 - 1 LIMIT 1
"""
_NTH_ADDRESS_FAILURE = """
SELECT at FROM login_attempts
WHERE address = $1 AND ok IS NOT TRUE AND at > $2
ORDER BY at DESC OFFSET $3 - 1 LIMIT 1
"""
# A name's failures since $2 from every address, after its latest success from any.
_NAME_FAILURES = """
SELECT count(*) AS failures, max(at) AS latest FROM login_attempts
WHERE login = $1 AND ok IS NOT TRUE AND at > $2
  AND id > coalesce((SELECT max(id) FROM login_attempts WHERE login = $1 AND ok), 0)
"""
_KNOWN_ADDRESS = """
SELECT EXISTS (
  SELECT 1 FROM login_attempts WHERE login = $1 AND address = $2 AND ok AND at > $3)
"""
_ADD_ATTEMPT = "INSERT INTO login_attempts (login, address, at) VALUES ($1, $2, $3) RETURNING id"
_FINISH_ATTEMPT = "UPDATE login_attempts SET ok = $2 WHERE id = $1"
# Failures before $1; successes before $2 (they vouch for their address until then).
_PRUNE_ATTEMPTS = "DELETE FROM login_attempts WHERE at < $1 AND (ok IS NOT TRUE OR at < $2)"

_ADD_TOKEN = """
INSERT INTO api_tokens (name, role, token_hash, created_at) VALUES ($1, $2, $3, $4)
"""
_TOKENS = "SELECT * FROM api_tokens ORDER BY created_at, name"
_REVOKE_TOKEN = """
UPDATE api_tokens SET revoked_at = coalesce(revoked_at, $2) WHERE name = $1
RETURNING *
"""
_TOKEN_BY_HASH = "SELECT * FROM api_tokens WHERE token_hash = $1"


# Users.


async def add_user(
    pool: asyncpg.Pool,
    login: str,
    display_name: str,
    role: str,
    password_hash: str,
    language: str,
    at: datetime,
) -> None:
    """Raises asyncpg.UniqueViolationError when the login name is taken."""
    await pool.execute(_ADD_USER, login, display_name, role, password_hash, language, at)


async def user(pool: asyncpg.Pool, login: str) -> asyncpg.Record | None:
    """The user's USER_COLUMNS."""
    row: asyncpg.Record | None = await pool.fetchrow(_USER, login)
    return row


async def users(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    """Every user's USER_COLUMNS, by login name."""
    rows: list[asyncpg.Record] = await pool.fetch(_USERS)
    return rows


async def user_with_hash(pool: asyncpg.Pool, login: str) -> asyncpg.Record | None:
    """The user's USER_COLUMNS and password_hash."""
    row: asyncpg.Record | None = await pool.fetchrow(_USER_WITH_HASH, login)
    return row


async def disable_user(conn: Conn, login: str, at: datetime) -> bool:
    """Mark the user disabled (keeping an earlier date); False when there is no such user."""
    return await conn.fetchval(_DISABLE_USER, login, at) is not None


async def set_password_hash(pool: asyncpg.Pool, login: str, password_hash: str) -> None:
    await pool.execute(_SET_PASSWORD_HASH, login, password_hash)


# Sessions.


async def add_session(
    pool: asyncpg.Pool,
    id_hash: str,
    user_id: str,
    csrf_token: str,
    at: datetime,
    expires_at: datetime,
) -> None:
    await pool.execute(_ADD_SESSION, id_hash, user_id, csrf_token, at, expires_at)


async def live_sessions(
    pool: asyncpg.Pool, id_hashes: list[str], now: datetime, idle: timedelta
) -> list[asyncpg.Record]:
    """The live ones of these sessions: id_hash, csrf_token, expires_at, last_seen_at and
    USER_COLUMNS, in one query."""
    rows: list[asyncpg.Record] = await pool.fetch(_LIVE_SESSION, id_hashes, now, idle)
    return rows


async def live_session_ids(
    pool: asyncpg.Pool, id_hashes: list[str], now: datetime, idle: timedelta
) -> set[str]:
    """Which of these sessions are live, in one query."""
    rows = await pool.fetch(_LIVE_SESSION_IDS, id_hashes, now, idle)
    return {r["id_hash"] for r in rows}


async def touch_sessions(
    pool: asyncpg.Pool, id_hashes: list[str], now: datetime, interval: timedelta
) -> None:
    """Slide the sessions' last use to `now`, those not written within `interval`."""
    await pool.execute(_TOUCH_SESSIONS, id_hashes, now, interval)


async def revoke_session(pool: asyncpg.Pool, id_hash: str, at: datetime) -> str | None:
    """End one live session; its user's id, None when there was no live one."""
    user_id: str | None = await pool.fetchval(_REVOKE_SESSION, id_hash, at)
    return user_id


async def revoke_user_sessions(conn: Conn, user_id: str, at: datetime) -> int:
    """End every live session of one user; the number ended."""
    status = await conn.execute(_REVOKE_USER_SESSIONS, user_id, at)
    return int(status.split()[-1])


# Sign-in attempts.


async def lock_attempts(conn: Conn, address: str, login: str) -> None:
    """Take the address's lock, then the name's, held until the transaction ends (always in
    this order, so two attempts cannot deadlock)."""
    await conn.execute(_LOCK_ADDRESS, address)
    await conn.execute(_LOCK_LOGIN, login)


async def nth_pair_failure(
    conn: Conn, login: str, address: str, since: datetime, n: int
) -> datetime | None:
    """When the n-th latest failure since `since` of this name from this address was, after
    the pair's latest success; None if there are fewer."""
    at: datetime | None = await conn.fetchval(_NTH_PAIR_FAILURE, login, address, since, n)
    return at


async def nth_address_failure(conn: Conn, address: str, since: datetime, n: int) -> datetime | None:
    """When the n-th latest failure since `since` from this address was, any name."""
    at: datetime | None = await conn.fetchval(_NTH_ADDRESS_FAILURE, address, since, n)
    return at


async def name_failures(conn: Conn, login: str, since: datetime) -> tuple[int, datetime | None]:
    """How many failures since `since` this name had from anywhere after its latest success,
    and the latest of them."""
    row = await conn.fetchrow(_NAME_FAILURES, login, since)
    return (row["failures"], row["latest"]) if row else (0, None)


async def known_address(conn: Conn, login: str, address: str, since: datetime) -> bool:
    """Whether the name signed in from this address since `since`."""
    return bool(await conn.fetchval(_KNOWN_ADDRESS, login, address, since))


async def add_attempt(conn: Conn, login: str, address: str, at: datetime) -> int:
    """Record an attempt being checked; its id."""
    attempt: int = await conn.fetchval(_ADD_ATTEMPT, login, address, at)
    return attempt


async def finish_attempt(pool: asyncpg.Pool, attempt: int, ok: bool) -> None:
    await pool.execute(_FINISH_ATTEMPT, attempt, ok)


async def prune_attempts(
    pool: asyncpg.Pool, failures_before: datetime, successes_before: datetime
) -> None:
    await pool.execute(_PRUNE_ATTEMPTS, failures_before, successes_before)


# API tokens.


async def add_token(
    pool: asyncpg.Pool, name: str, role: str, token_hash: str, at: datetime
) -> None:
    """Raises asyncpg.UniqueViolationError when the name is taken."""
    await pool.execute(_ADD_TOKEN, name, role, token_hash, at)


async def tokens(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    """Every token's row, oldest first."""
    rows: list[asyncpg.Record] = await pool.fetch(_TOKENS)
    return rows


async def revoke_token(pool: asyncpg.Pool, name: str, at: datetime) -> asyncpg.Record | None:
    """Revoke by name (keeping an earlier date); its row, None when there is no such token."""
    row: asyncpg.Record | None = await pool.fetchrow(_REVOKE_TOKEN, name, at)
    return row


async def token_by_hash(pool: asyncpg.Pool, token_hash: str) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await pool.fetchrow(_TOKEN_BY_HASH, token_hash)
    return row
