"""Recompute every stored chain; the first break names its incident and seq.

An incident sealed again by chain format 2 is also checked against the format-1 head it
had before (chain_reseals): that head is what exports handed out earlier end at.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from uuid import UUID

from incidents.events import ChainBreak, ChainCheck, Format1Head
from incidents.store import Conn, chain_heads, stream_events
from server.evidence import store as evidence


@dataclass(frozen=True, slots=True)
class Verdict:
    incidents: int
    events: int
    broken: tuple[UUID, ChainBreak] | None


@dataclass(frozen=True, slots=True)
class Resealed:
    events: int
    old_head: str


async def verify_incident(
    conn: Conn, incident_id: UUID, last_seq: int, head_hash: str, resealed: Resealed | None = None
) -> tuple[int, ChainBreak | None]:
    """Check one chain, and that it ends where the projection says (no tail cut off)."""
    check, count = ChainCheck(), 0
    former = Format1Head(resealed.events if resealed else 0)
    files: dict[str, int] = {}  # each attached file's hash, and the seq that attached it
    async with conn.transaction(readonly=True):
        async for event in stream_events(conn, incident_id):
            count += 1
            former.feed(event)
            if check.feed(event):
                return count, check.broken
            if event.kind == "evidence_attached":
                files.setdefault(str(event.payload["sha256"]), event.seq)
        if broken_file := await _check_files(conn, files):
            return count, broken_file
    if check.next_seq - 1 != last_seq or check.prev_hash != head_hash:
        return count, ChainBreak(
            check.next_seq, f"seq {check.next_seq} is missing: the record ends at seq {last_seq}"
        )
    if resealed and (former.left or former.head != resealed.old_head):
        return count, ChainBreak(
            resealed.events,
            f"seqs 1 to {resealed.events} no longer give the head they had before chain "
            f"format 2 ({resealed.old_head})",
        )
    return count, None


async def _check_files(conn: Conn, files: dict[str, int]) -> ChainBreak | None:
    """Each attached file is stored, and its bytes still hash to what the event recorded."""
    found = dict([(sha, content) async for sha, content in evidence.stored(conn, list(files))])
    for sha, seq in files.items():
        if sha not in found:
            return ChainBreak(seq, f"the file attached at seq {seq} ({sha}) is not stored")
        if hashlib.sha256(found[sha]).hexdigest() != sha:
            return ChainBreak(seq, f"the file attached at seq {seq} no longer hashes to {sha}")
    return None


async def verify_all(conn: Conn, only: UUID | None = None) -> Verdict:
    rows = await chain_heads(conn, only)
    total = 0
    for row in rows:
        resealed = Resealed(row["events"], row["old_head_hash"]) if row["events"] else None
        count, broken = await verify_incident(
            conn, row["id"], row["last_seq"], row["head_hash"], resealed
        )
        total += count
        if broken:
            return Verdict(len(rows), total, (row["id"], broken))
    return Verdict(len(rows), total, None)
