"""The JSON export (`watchfloor-export/1`) and its offline verification.

    {"format": "watchfloor-export/1",
     "manifest": {incident_id, events, first_seq, last_seq, head_hash, exported_at,
                  exported_by, redacted, playbook {id, version, hash}, verification},
     "events": [envelope + "hash" (+ "redacted": [fields]) ...]}

A full export verifies end to end: every hash is recomputed from the event's canonical
form (incidents/canonical.py) and chained from seq 1 to the manifest's head; a
`redacted` marker in a full export is itself a break. A redacted export keeps each
event's original `hash` and `prev_hash`: the events it did not touch verify in full,
the redacted ones by their links only (seq order, `prev_hash` equal to the hash before,
and the next event's hash covering it). Their content is proved by the full export or
by the database (`watchfloor verify --incident ID`), whose head hash must be the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

import msgspec

from incidents.canonical import NotCanonical, format_time, parse_time
from incidents.events import ChainBreak, ChainCheck, Event
from server.export.view import ExportView

FORMAT = "watchfloor-export/1"
VERIFICATION = {
    True: (
        "redacted: events listed with `redacted` verify by their links only (seq, prev_hash); "
        "every other event's hash is recomputed; the full export or the database proves the rest"
    ),
    False: "full: every event's hash is recomputed and chained from seq 1 to head_hash",
}


def _time_text(when: datetime) -> str:
    """`format_time(when)`, in half the time or less for the UTC times the store gives."""
    if when.tzinfo is UTC and when.year >= 1000:  # strftime pads no year below 1000
        return when.isoformat(timespec="microseconds")[:-6] + "Z"  # drop "+00:00"
    return format_time(when)


@lru_cache(maxsize=64)
def _id_text(incident_id: UUID) -> str:
    return str(incident_id)


def event_json(event: Event, redacted: Sequence[str] = ()) -> dict[str, Any]:
    """`event.envelope()` and the hash (and the fields redacted), in that order of keys.

    Built here rather than by `envelope()`: the export writes 10,000 of these in a few
    tens of milliseconds (tests/export/test_json_verify.py holds the two the same).
    """
    row = {
        "incident_id": _id_text(event.incident_id),
        "seq": event.seq,
        "occurred_at": _time_text(event.occurred_at),
        "recorded_by": event.recorded_by,
        "kind": event.kind,
        "payload": dict(event.payload),
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }
    if redacted:
        row["redacted"] = list(redacted)
    return row


def export_document(view: ExportView, *, exported_at: datetime, exported_by: str) -> dict[str, Any]:
    opened = view.opened  # the id and the pinned plan: no need to fold every event
    events, plan = view.events, opened.plan
    manifest = {
        "incident_id": str(opened.id),
        "events": len(events),
        "first_seq": events[0].seq if events else 0,
        "last_seq": events[-1].seq if events else 0,
        "head_hash": events[-1].hash if events else "",
        "exported_at": format_time(exported_at),
        "exported_by": exported_by,
        "redacted": view.redacted,
        "playbook": {
            "id": plan.playbook_id if plan else "none",
            "version": plan.version if plan else 0,
            "hash": plan.hash if plan else "",
        },
        "verification": VERIFICATION[view.redacted],
    }
    fields = view.fields
    rows = [event_json(e, fields.get(e.seq, ())) for e in events]
    return {"format": FORMAT, "manifest": manifest, "events": rows}


def to_bytes(document: Mapping[str, Any]) -> bytes:
    return msgspec.json.format(msgspec.json.encode(document), indent=1) + b"\n"


# --- offline verification ------------------------------------------------------


class NotAnExport(ValueError):
    """The file is not a Watchfloor JSON export at all."""


@dataclass(frozen=True, slots=True)
class FileVerdict:
    incident_id: str
    events: int
    redacted: tuple[int, ...]  # seqs verified by their links only
    head_hash: str
    broken: ChainBreak | None


def _event(row: Any, position: int) -> Event:
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
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise _Malformed(position, type(exc).__name__) from None


class _Malformed(Exception):
    def __init__(self, position: int, why: str) -> None:
        super().__init__(why)
        self.position, self.why = position, why


def _link_only(check: ChainCheck, event: Event) -> ChainBreak | None:
    if event.seq != check.next_seq:
        check.broken = ChainBreak(check.next_seq, f"seq {check.next_seq} is missing")
    elif event.prev_hash != check.prev_hash:
        check.broken = ChainBreak(event.seq, "prev_hash does not link to the event before")
    check.prev_hash, check.next_seq = event.hash, event.seq + 1
    return check.broken


def _feed(check: ChainCheck, event: Event) -> None:
    try:
        check.feed(event)
    except NotCanonical as exc:  # a float or a NUL put into the file: no hash can match
        check.broken = ChainBreak(event.seq, f"the event has no canonical form ({exc})")


def _check_events(rows: Sequence[Any], redacted_export: bool) -> tuple[ChainCheck, list[int]]:
    check, redacted = ChainCheck(), []
    for position, row in enumerate(rows):
        try:
            event = _event(row, position)
        except _Malformed as bad:
            check.broken = ChainBreak(check.next_seq, f"the event is malformed ({bad.why})")
            break
        marked = isinstance(row, Mapping) and bool(row.get("redacted"))
        if marked and not redacted_export:
            check.broken = ChainBreak(event.seq, "a full export holds a redacted event")
        elif marked:
            redacted.append(event.seq)
            _link_only(check, event)
        else:
            _feed(check, event)
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


def verify_document(document: Any) -> FileVerdict:
    """Recompute the chain of an export; the first break names its seq."""
    if not isinstance(document, Mapping) or document.get("format") != FORMAT:
        raise NotAnExport(f"not a {FORMAT} document")
    manifest, rows = document.get("manifest"), document.get("events")
    if not isinstance(manifest, Mapping) or not isinstance(rows, list):
        raise NotAnExport("the manifest or the events are missing")
    check, redacted = _check_events(rows, manifest.get("redacted") is True)
    broken = check.broken or _check_manifest(manifest, check, len(rows))
    return FileVerdict(
        str(manifest.get("incident_id", "")),
        len(rows),
        tuple(redacted),
        str(manifest.get("head_hash", "")),
        broken,
    )


def verify_bytes(data: bytes) -> FileVerdict:
    try:
        document = msgspec.json.decode(data)
    except msgspec.DecodeError as exc:
        raise NotAnExport(f"not valid JSON: {exc}") from None
    return verify_document(document)
