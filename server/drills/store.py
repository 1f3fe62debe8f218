"""What the drill runner reads of the database: the running drills, without decoding every
incident's state (the runner looks several times a second, on every node)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

_RUNNING = (
    "SELECT id FROM incidents WHERE jsonb_typeof(state->'drill') = 'object' "
    "AND (state->'drill'->>'main')::boolean "
    "AND jsonb_typeof(state->'drill'->'ended_at') IS DISTINCT FROM 'string' "
    "ORDER BY opened_at"
)


async def running_drills(pool: asyncpg.Pool) -> list[UUID]:
    """The first incident of every drill run not yet ended, oldest first."""
    return [row["id"] for row in await pool.fetch(_RUNNING)]
