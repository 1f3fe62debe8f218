"""Recompute every stored chain; the first break names its incident and seq."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from incidents.events import ChainBreak, ChainCheck
from incidents.store import Conn, stream_events


@dataclass(frozen=True, slots=True)
class Verdict:
    incidents: int
    events: int
    broken: tuple[UUID, ChainBreak] | None


async def verify_incident(
    conn: Conn, incident_id: UUID, last_seq: int, head_hash: str
) -> tuple[int, ChainBreak | None]:
    """Check one chain, and that it ends where the projection says (no tail cut off)."""
    check, count = ChainCheck(), 0
    async with conn.transaction(readonly=True):
        async for event in stream_events(conn, incident_id):
            count += 1
            if check.feed(event):
                return count, check.broken
    if check.next_seq - 1 != last_seq or check.prev_hash != head_hash:
        return count, ChainBreak(
            check.next_seq, f"seq {check.next_seq} is missing: the record ends at seq {last_seq}"
        )
    return count, None


async def verify_all(conn: Conn, only: UUID | None = None) -> Verdict:
    rows = await conn.fetch(
        "SELECT id, last_seq, head_hash FROM incidents WHERE $1::uuid IS NULL OR id = $1 "
        "ORDER BY opened_at, id",
        only,
    )
    total = 0
    for row in rows:
        count, broken = await verify_incident(conn, row["id"], row["last_seq"], row["head_hash"])
        total += count
        if broken:
            return Verdict(len(rows), total, (row["id"], broken))
    return Verdict(len(rows), total, None)
