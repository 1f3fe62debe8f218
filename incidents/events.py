"""The event envelope: what the append-only, hash-chained log holds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from incidents.canonical import GENESIS_HASH, chain_hash, format_time

Payload = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class EventDraft:
    """An event decided by a command, before the store gives it a place in the chain."""

    kind: str
    payload: Payload = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Event:
    incident_id: UUID
    seq: int
    occurred_at: datetime
    recorded_by: str
    kind: str
    payload: Payload
    prev_hash: str
    hash: str

    def envelope(self) -> dict[str, Any]:
        """The hashed fields, in canonical types (everything but the hash itself)."""
        return envelope(
            self.incident_id,
            self.seq,
            self.occurred_at,
            self.recorded_by,
            self.kind,
            self.payload,
            self.prev_hash,
        )

    def hash_is_valid(self) -> bool:
        return chain_hash(self.prev_hash, self.envelope()) == self.hash


def envelope(
    incident_id: UUID,
    seq: int,
    occurred_at: datetime,
    recorded_by: str,
    kind: str,
    payload: Payload,
    prev_hash: str,
) -> dict[str, Any]:
    return {
        "incident_id": str(incident_id),
        "seq": seq,
        "occurred_at": format_time(occurred_at),
        "recorded_by": recorded_by,
        "kind": kind,
        "payload": dict(payload),
        "prev_hash": prev_hash,
    }


def seal(
    incident_id: UUID,
    drafts: list[EventDraft],
    *,
    after_seq: int,
    after_hash: str,
    occurred_at: datetime,
    recorded_by: str,
) -> list[Event]:
    """Give drafts their seq and chain them onto the head (after_seq, after_hash)."""
    events: list[Event] = []
    prev = after_hash
    for offset, draft in enumerate(drafts, start=1):
        seq = after_seq + offset
        env = envelope(incident_id, seq, occurred_at, recorded_by, draft.kind, draft.payload, prev)
        digest = chain_hash(prev, env)
        events.append(
            Event(
                incident_id, seq, occurred_at, recorded_by, draft.kind, draft.payload, prev, digest
            )
        )
        prev = digest
    return events


@dataclass(frozen=True, slots=True)
class ChainBreak:
    seq: int
    reason: str


class ChainCheck:
    """Feed events in seq order; the first break in the chain is kept."""

    def __init__(self) -> None:
        self.prev_hash, self.next_seq = GENESIS_HASH, 1
        self.broken: ChainBreak | None = None

    def feed(self, event: Event) -> ChainBreak | None:
        if self.broken is None:
            self.broken = self._check(event)
            self.prev_hash, self.next_seq = event.hash, event.seq + 1
        return self.broken

    def _check(self, event: Event) -> ChainBreak | None:
        if event.seq != self.next_seq:
            return ChainBreak(self.next_seq, f"seq {self.next_seq} is missing")
        if event.prev_hash != self.prev_hash:
            return ChainBreak(event.seq, "prev_hash does not link to the event before")
        if not event.hash_is_valid():
            return ChainBreak(event.seq, "hash does not match the event's content")
        return None


def verify_chain(events: Iterable[Event]) -> ChainBreak | None:
    """The first break in a chain of events from seq 1, or None when it is whole."""
    check = ChainCheck()
    for event in events:
        if check.feed(event):
            break
    return check.broken
