"""Offline verification of a JSON export: the chain recomputed from the file alone.

Format 2 (server/export/as_json.py): every event's hash is recomputed, a redacted
event's from the commitments it gives for its masked fields and the salts of the fields
it shows; a row with a key out of place, a salt or commitment not in lower-case hex, or
salts that do not match the fields shown is a break, so no byte of an event can change
unseen. Format 1 (before salted commitments): plain hashes, and redacted events checked
by their links only, as that format allowed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import msgspec

from incidents.canonical import NotCanonical, chain_hash, parse_time
from incidents.commitments import committed_shown
from incidents.events import ChainBreak, ChainCheck, Chained, Event
from server.export import files
from server.export.as_json import FORMAT, FORMAT_1

_HEX = re.compile(r"[0-9a-f]{64}")
_ENVELOPE = {"incident_id", "seq", "occurred_at", "recorded_by", "kind", "payload", "prev_hash"}
_FULL_ROW = frozenset({*_ENVELOPE, "salt", "hash"})
_MASKED_ROW = frozenset({*_ENVELOPE, "salts", "redacted", "hash"})


class NotAnExport(ValueError):
    """The file is not a Watchfloor JSON export at all."""


@dataclass(frozen=True, slots=True)
class FileVerdict:
    incident_id: str
    events: int
    redacted: tuple[int, ...]  # seqs with masked fields (format 1: checked by links only)
    head_hash: str
    broken: ChainBreak | None
    format: str = FORMAT
    attachments: tuple[Mapping[str, Any], ...] = ()  # the files the events attached


class _Malformed(Exception):
    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


@dataclass(frozen=True, slots=True)
class _Masked:
    """An event with masked fields: its hash recomputed from what the row gives."""

    seq: int
    prev_hash: str
    hash: str
    hashed: dict[str, Any]

    def hash_is_valid(self) -> bool:
        return chain_hash(self.prev_hash, self.hashed) == self.hash


@dataclass(frozen=True, slots=True)
class _Linked:
    """A format-1 redacted event: its hash is taken as given, so only its links count."""

    seq: int
    prev_hash: str
    hash: str

    def hash_is_valid(self) -> bool:
        return True


def _hex(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _HEX.fullmatch(value):
        raise _Malformed(f"{what} is not 64 lower-case hex digits")
    return value


def _hex_map(value: Any, what: str) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise _Malformed(f"{what} is not an object")
    return {str(k): _hex(v, f"{what}.{k}") for k, v in value.items()}


def _event(row: Mapping[str, Any], salt: bytes | None = None) -> Event:
    try:
        return Event(
            incident_id=UUID(row["incident_id"]),
            seq=int(row["seq"]),
            occurred_at=parse_time(row["occurred_at"]),
            recorded_by=str(row["recorded_by"]),
            kind=str(row["kind"]),
            payload=dict(row["payload"]),
            prev_hash=str(row["prev_hash"]),
            hash=str(row["hash"]),
            salt=salt,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise _Malformed(type(exc).__name__) from None


def _masked(row: Mapping[str, Any]) -> _Masked:
    event = _event(row)
    salts, masked = _hex_map(row["salts"], "salts"), _hex_map(row["redacted"], "redacted")
    if set(salts) != set(event.payload) or set(masked) & set(salts) or not masked:
        raise _Malformed("the salts do not match the fields shown and masked")
    hashed = event.envelope()
    shown_salts = {k: bytes.fromhex(v) for k, v in salts.items()}
    hashed["payload"] = committed_shown(event.payload, shown_salts, masked)
    return _Masked(event.seq, event.prev_hash, event.hash, hashed)


def _format_2(row: Any, redacted_export: bool) -> Chained:
    if not isinstance(row, Mapping):
        raise _Malformed("the event is not an object")
    keys = set(row)
    if keys == _MASKED_ROW:
        if not redacted_export:
            raise _Malformed("a full export holds a redacted event")
        return _masked(row)
    if keys != _FULL_ROW:
        odd = sorted(keys ^ (_MASKED_ROW if "redacted" in keys else _FULL_ROW))
        raise _Malformed(f"fields out of place: {', '.join(odd)}")
    return _event(row, bytes.fromhex(_hex(row["salt"], "salt")))


def _format_1(row: Any, redacted_export: bool) -> Chained:
    if not isinstance(row, Mapping):
        raise _Malformed("the event is not an object")
    event = _event(row)
    if row.get("redacted"):
        if not redacted_export:
            raise _Malformed("a full export holds a redacted event")
        return _Linked(event.seq, event.prev_hash, event.hash)
    return event


_READERS = {FORMAT: _format_2, FORMAT_1: _format_1}


def _check_events(
    rows: Sequence[Any], fmt: str, redacted_export: bool
) -> tuple[ChainCheck, list[int]]:
    check, redacted, read = ChainCheck(), [], _READERS[fmt]
    for row in rows:
        try:
            event = read(row, redacted_export)
            if isinstance(event, _Masked | _Linked):
                redacted.append(event.seq)
            check.feed(event)
        except _Malformed as bad:
            check.broken = ChainBreak(check.next_seq, f"the event is malformed ({bad.why})")
        except NotCanonical as exc:  # a float or a NUL put into the file: no hash can match
            check.broken = ChainBreak(check.next_seq, f"the event has no canonical form ({exc})")
        if check.broken:
            break
    return check, redacted


def _check_manifest(
    manifest: Mapping[str, Any], check: ChainCheck, count: int
) -> ChainBreak | None:
    last = check.next_seq - 1
    if manifest.get("last_seq") != last or manifest.get("events") != count:
        said = manifest.get("last_seq")
        return ChainBreak(last + 1, f"the record ends at seq {last}; the manifest says {said}")
    if manifest.get("head_hash") != check.prev_hash:
        return ChainBreak(last, "the manifest's head_hash is not the last event's hash")
    return None


def _check_attachments(manifest: Mapping[str, Any], rows: Sequence[Any]) -> ChainBreak | None:
    """The manifest lists exactly the files the (verified) events attached."""
    said, recorded = manifest.get("attachments", []), files.listed_rows(rows)
    if said == recorded:
        return None
    differs = [r["seq"] for r, s in zip(recorded, said, strict=False) if r != s]
    seq = differs[0] if differs else len(rows)
    return ChainBreak(seq, "the manifest's attachments are not the files the events attached")


def verify_document(document: Any) -> FileVerdict:
    """Recompute the chain of an export; the first break names its seq."""
    fmt = document.get("format") if isinstance(document, Mapping) else None
    if fmt not in _READERS:
        raise NotAnExport(f"not a {FORMAT} document")
    manifest, rows = document.get("manifest"), document.get("events")
    if not isinstance(manifest, Mapping) or not isinstance(rows, list):
        raise NotAnExport("the manifest or the events are missing")
    check, redacted = _check_events(rows, fmt, manifest.get("redacted") is True)
    broken = check.broken or _check_manifest(manifest, check, len(rows))
    broken = broken or _check_attachments(manifest, rows)
    return FileVerdict(
        str(manifest.get("incident_id", "")),
        len(rows),
        tuple(redacted),
        str(manifest.get("head_hash", "")),
        broken,
        fmt,
        tuple(files.listed_rows(rows)),
    )


def verify_bytes(data: bytes) -> FileVerdict:
    try:
        document = msgspec.json.decode(data)
    except msgspec.DecodeError as exc:
        raise NotAnExport(f"not valid JSON: {exc}") from None
    return verify_document(document)
