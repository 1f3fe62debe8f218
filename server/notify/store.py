"""The notify feature's SQL: the outbox of deliveries, its escalation timers, their leases.

Written in the command's own transaction by the projector (server/notify/outbox.py),
claimed by the dispatcher and the timer worker with FOR UPDATE SKIP LOCKED, read by the
acknowledgement page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from incidents.store import Conn

_INSERT_ROW = """
INSERT INTO notification_outbox (incident_id, notification, round, unit, contact, contact_name,
    channel, address, language, idempotency_key, next_attempt_at, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
ON CONFLICT (idempotency_key) DO NOTHING
"""
_INSERT_TIMER = """
INSERT INTO notification_timers (incident_id, notification, step, due_at)
VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING
"""
_DONE = """
UPDATE notification_outbox SET status = 'done', attempt = $2, lease_until = NULL, last_error = NULL
WHERE id = $1
"""
_FAILED = """
UPDATE notification_outbox SET status = CASE WHEN $3 THEN 'failed' ELSE 'pending' END,
    attempt = $2, last_error = $4, next_attempt_at = COALESCE($5, next_attempt_at),
    lease_until = NULL
WHERE id = $1
"""
_ACKNOWLEDGED = """
UPDATE notification_timers SET fired_at = $3, outcome = 'acknowledged'
WHERE incident_id = $1 AND notification = $2 AND fired_at IS NULL
"""
# Due by the incident's clock (the one deadlines are written in); leased by the database's,
# the one clock every node shares, so a node whose clock runs ahead cannot take a row
# another node still holds.
_CLAIM_DELIVERIES = """
WITH due AS (
    SELECT id FROM notification_outbox
    WHERE status = 'pending' AND next_attempt_at <= $1
      AND (lease_until IS NULL OR lease_until <= clock_timestamp())
    ORDER BY next_attempt_at, id
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)
UPDATE notification_outbox o SET lease_until = clock_timestamp() + $3::interval
FROM due WHERE o.id = due.id
RETURNING o.*
"""
# Due by the incident's clock, leased by the database's (as deliveries are).
_CLAIM_TIMERS = """
WITH due AS (
    SELECT id FROM notification_timers
    WHERE fired_at IS NULL AND due_at <= $1
      AND (lease_until IS NULL OR lease_until <= clock_timestamp())
    ORDER BY due_at, id
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)
UPDATE notification_timers t SET lease_until = clock_timestamp() + $3::interval
FROM due WHERE t.id = due.id
RETURNING t.id, t.incident_id, t.notification, t.step, t.due_at
"""
_FIRED = "UPDATE notification_timers SET fired_at = $2, outcome = $3 WHERE id = $1"


@dataclass(frozen=True, slots=True)
class Recipient:
    unit: str
    contact: str
    language: str


async def recipient(
    pool: asyncpg.Pool, delivery: int, incident_id: UUID, notification: str
) -> Recipient | None:
    """The unit, contact and language a delivery of this incident's notification went to."""
    row = await pool.fetchrow(
        "SELECT unit, contact_name, language FROM notification_outbox "
        "WHERE id = $1 AND incident_id = $2 AND notification = $3",
        delivery,
        incident_id,
        notification,
    )
    return Recipient(row["unit"], row["contact_name"], row["language"]) if row else None


async def add_deliveries(conn: Conn, rows: Sequence[tuple[Any, ...]]) -> None:
    """Outbox rows, once each (a replayed event finds its rows by idempotency key)."""
    await conn.executemany(_INSERT_ROW, rows)


async def add_timers(conn: Conn, rows: Sequence[tuple[Any, ...]]) -> None:
    await conn.executemany(_INSERT_TIMER, rows)


async def delivery_done(conn: Conn, delivery: int, attempt: int) -> None:
    await conn.execute(_DONE, delivery, attempt)


async def delivery_failed(
    conn: Conn, delivery: int, attempt: int, final: bool, error: str, retry_at: datetime | None
) -> None:
    await conn.execute(_FAILED, delivery, attempt, final, error, retry_at)


async def timers_acknowledged(
    conn: Conn, incident_id: UUID, notification: str, at: datetime
) -> None:
    await conn.execute(_ACKNOWLEDGED, incident_id, notification, at)


async def _claim(
    pool: asyncpg.Pool, sql: str, now: datetime, batch: int, lease: timedelta
) -> list[asyncpg.Record]:
    async with pool.acquire() as conn, conn.transaction():
        rows: list[asyncpg.Record] = await conn.fetch(sql, now, batch, lease)
    return rows


async def claim_deliveries(
    pool: asyncpg.Pool, now: datetime, batch: int, lease: timedelta
) -> list[asyncpg.Record]:
    """Outbox rows due by `now`, leased for `lease` by the database's clock."""
    return await _claim(pool, _CLAIM_DELIVERIES, now, batch, lease)


async def claim_timers(
    pool: asyncpg.Pool, now: datetime, batch: int, lease: timedelta
) -> list[asyncpg.Record]:
    """Escalation timers due by `now`, leased the same way."""
    return await _claim(pool, _CLAIM_TIMERS, now, batch, lease)


async def timer_fired(pool: asyncpg.Pool, timer: int, at: datetime, outcome: str) -> None:
    await pool.execute(_FIRED, timer, at, outcome)
