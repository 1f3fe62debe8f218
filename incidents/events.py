"""The event envelope: what the append-only, hash-chained log holds."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from incidents.canonical import GENESIS_HASH, chain_hash, format_time
from incidents.commitments import committed, new_salt

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
    # 32 random bytes kept beside the event (incidents/commitments.py); None for an event
    # sealed before chain format 2, which hashes its plain payload.
    salt: bytes | None = field(default=None, repr=False)

    def envelope(self) -> dict[str, Any]:
        """The event's fields, in canonical types (everything but the hash and the salt)."""
        return envelope(
            self.incident_id,
            self.seq,
            self.occurred_at,
            self.recorded_by,
            self.kind,
            self.payload,
            self.prev_hash,
        )

    def hashed(self) -> dict[str, Any]:
        """The envelope as the chain hashes it: each payload field by its commitment."""
        env = self.envelope()
        if self.salt is not None:
            env["payload"] = committed(self.salt, self.payload)
        return env

    def hash_is_valid(self) -> bool:
        return chain_hash(self.prev_hash, self.hashed()) == self.hash


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
    salts: Callable[[], bytes | None] = new_salt,
) -> list[Event]:
    """Give drafts their seq, a salt each, and chain them onto the head (after_seq, after_hash).

    `salts` returning None seals by chain format 1 (the known answers in tests/golden/).
    """
    unsealed = (
        Event(incident_id, after_seq + n, occurred_at, recorded_by, d.kind, d.payload, "", "")
        for n, d in enumerate(drafts, start=1)
    )
    return _chained(unsealed, after_hash, salts)


def reseal(events: Iterable[Event], salts: Callable[[], bytes] = new_salt) -> list[Event]:
    """The same events chained again from seq 1 by format 2, each with a new salt."""
    return _chained(events, GENESIS_HASH, salts)


def _chained(events: Iterable[Event], prev: str, salts: Callable[[], bytes | None]) -> list[Event]:
    """Each event linked onto `prev`, given a salt, and hashed; the next links onto it."""
    out: list[Event] = []
    for event in events:
        linked = replace(event, prev_hash=prev, salt=salts())
        prev = chain_hash(prev, linked.hashed())
        out.append(replace(linked, hash=prev))
    return out


@dataclass(frozen=True, slots=True)
class ChainBreak:
    seq: int
    reason: str


class Chained(Protocol):
    """What a chain check needs of an event: its place, its links, and its own hash check."""

    @property
    def seq(self) -> int: ...
    @property
    def prev_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...
    def hash_is_valid(self) -> bool: ...


class ChainCheck:
    """Feed events in seq order; the first break in the chain is kept."""

    def __init__(self) -> None:
        self.prev_hash, self.next_seq = GENESIS_HASH, 1
        self.broken: ChainBreak | None = None

    def feed(self, event: Chained) -> ChainBreak | None:
        if self.broken is None:
            self.broken = self._check(event)
            self.prev_hash, self.next_seq = event.hash, event.seq + 1
        return self.broken

    def _check(self, event: Chained) -> ChainBreak | None:
        if event.seq != self.next_seq:
            return ChainBreak(self.next_seq, f"seq {self.next_seq} is missing")
        if event.prev_hash != self.prev_hash:
            return ChainBreak(event.seq, "prev_hash does not link to the event before")
        if not event.hash_is_valid():
            return ChainBreak(event.seq, "hash does not match the event's content")
        return None


class Format1Head:
    """The head the first `count` events had by chain format 1, recomputed as they are now.

    Events sealed again by format 2 (incidents/migrations/0007_salted_events.py) keep
    their payloads, so the format-1 head an export handed out before still recomputes.
    """

    def __init__(self, count: int) -> None:
        self.left, self.head = count, GENESIS_HASH

    def feed(self, event: Event) -> None:
        if self.left > 0:
            self.left -= 1
            plain = replace(event, prev_hash=self.head, salt=None)
            self.head = chain_hash(self.head, plain.hashed())


def verify_chain(events: Iterable[Event]) -> ChainBreak | None:
    """The first break in a chain of events from seq 1, or None when it is whole."""
    check = ChainCheck()
    for event in events:
        if check.feed(event):
            break
    return check.broken
