"""The notify feature's reads for requests: who a delivery went to (the outbox's row)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg


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
