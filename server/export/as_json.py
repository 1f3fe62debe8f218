"""The JSON export (`watchfloor-export/2`) and its offline verification.

    {"format": "watchfloor-export/2",
     "manifest": {incident_id, events, first_seq, last_seq, head_hash, exported_at,
                  exported_by, redacted, playbook {id, version, hash}, verification},
     "events": [envelope + "salt" + "hash" ...]}

Every event's hash covers its envelope with each payload field replaced by a salted
commitment (incidents/commitments.py). A full export gives each event's salt: every
commitment and every hash is recomputed, from seq 1 to the manifest's head. In a
redacted export an event with masked fields gives instead the salts of the fields it
shows (`salts`) and the commitments of those it masks (`redacted`, with no text): the
event is still recomputed and checked, every byte shown is proved, and nothing of a
masked field can be guessed back. Full and redacted exports share one head.

`watchfloor-export/1` files (written before chain format 2) verify by their own rule:
plain hashes, and redacted events by their links only.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

import msgspec

from incidents.canonical import format_time
from incidents.commitments import field_salt
from incidents.events import Event
from server.export import files
from server.export.paused_gc import paused_gc
from server.export.view import ExportView

FORMAT = "watchfloor-export/2"
FORMAT_1 = "watchfloor-export/1"
VERIFICATION = {
    True: (
        "redacted: every event's hash is recomputed and chained from seq 1 to head_hash; "
        "a field listed in an event's `redacted` is checked by its commitment, its text left out"
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


def event_json(event: Event, masked: Mapping[str, str] | None = None) -> dict[str, Any]:
    """`event.envelope()`, the salt(s) and the hash, in that order of keys.

    With `masked` (field -> commitment), those fields leave the payload and only the
    salts of the fields shown are given. Built here rather than by `envelope()`: the
    export writes 10,000 of these in a few tens of milliseconds (tests/export/
    test_json_verify.py holds the two the same).
    """
    if event.salt is None:
        raise ValueError(f"seq {event.seq} has no salt: chain format 1 is not exported")
    row: dict[str, Any] = {
        "incident_id": _id_text(event.incident_id),
        "seq": event.seq,
        "occurred_at": _time_text(event.occurred_at),
        "recorded_by": event.recorded_by,
        "kind": event.kind,
        "payload": dict(event.payload),
        "prev_hash": event.prev_hash,
    }
    if masked:
        shown = {k: v for k, v in event.payload.items() if k not in masked}
        row["payload"] = shown
        row["salts"] = {k: field_salt(event.salt, k).hex() for k in shown}
        row["redacted"] = dict(masked)
    else:
        row["salt"] = event.salt.hex()
    row["hash"] = event.hash
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
    if attached := files.listed(events):  # only then: an export without files is as it was
        manifest["attachments"] = attached
    masked = view.masked
    with paused_gc():
        rows = [event_json(e, masked.get(e.seq)) for e in events]
    return {"format": FORMAT, "manifest": manifest, "events": rows}


def to_bytes(document: Mapping[str, Any]) -> bytes:
    return msgspec.json.format(msgspec.json.encode(document), indent=1) + b"\n"
