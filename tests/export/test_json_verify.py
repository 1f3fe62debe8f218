"""The JSON export verifies offline, and any change to it names the first tampered seq."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from server.export.as_json import FORMAT, event_json, export_document, to_bytes
from server.export.verify_json import NotAnExport, verify_bytes
from server.export.view import view_of
from tests.export.support import PLANTED, closed_medical


def exported(*, redact: bool) -> bytes:
    _, events = closed_medical()
    view = view_of(events, redact=redact)
    doc = export_document(view, exported_at=events[-1].occurred_at, exported_by="commander1")
    return to_bytes(doc)


def test_a_full_export_verifies_end_to_end() -> None:
    """Export then verify: every hash recomputed, the chain whole up to the manifest's head."""
    data = exported(redact=False)
    verdict = verify_bytes(data)
    doc = json.loads(data)
    assert verdict.broken is None and verdict.redacted == ()
    assert doc["format"] == FORMAT
    assert doc["manifest"]["head_hash"] == doc["events"][-1]["hash"]
    assert doc["manifest"]["playbook"]["id"] == "medical" and not doc["manifest"]["redacted"]


def test_a_redacted_export_verifies_in_full_and_keeps_the_hashes() -> None:
    """Redacted events keep their hashes and are recomputed, masked fields by commitment."""
    full, redacted = json.loads(exported(redact=False)), json.loads(exported(redact=True))
    assert [e["hash"] for e in full["events"]] == [e["hash"] for e in redacted["events"]]
    verdict = verify_bytes(exported(redact=True))
    assert verdict.broken is None and len(verdict.redacted) >= 4
    assert redacted["manifest"]["redacted"] is True
    assert "commitment" in redacted["manifest"]["verification"]


def test_one_changed_byte_fails_and_names_the_seq() -> None:
    """Changing one character of a note makes verify name that note's seq."""
    data = exported(redact=False)
    doc = json.loads(data)
    target = next(e for e in doc["events"] if e["payload"].get("text", "").startswith("单位座机"))
    tampered = data.replace("单位座机".encode(), "单位坐机".encode(), 1)
    assert len(tampered) == len(data)
    verdict = verify_bytes(tampered)
    assert verdict.broken is not None and verdict.broken.seq == target["seq"]
    assert "hash" in verdict.broken.reason


def test_a_cut_tail_or_a_changed_head_is_found() -> None:
    """Dropping the last event, or editing the manifest's head, breaks verification."""
    doc = json.loads(exported(redact=False))
    last = doc["events"][-1]["seq"]
    cut = {**doc, "events": doc["events"][:-1]}
    assert verify_bytes(json.dumps(cut).encode()).broken.seq == last  # type: ignore[union-attr]
    head = {**doc, "manifest": {**doc["manifest"], "head_hash": "0" * 64}}
    assert verify_bytes(json.dumps(head).encode()).broken is not None


def test_a_redacted_marker_cannot_hide_a_change_in_a_full_export() -> None:
    """Marking an edited event `redacted` in a full export is itself a break."""
    doc = json.loads(exported(redact=False))
    row = doc["events"][3]
    del row["salt"]
    row["payload"], row["salts"], row["redacted"] = {}, {}, {"text": "0" * 64}
    verdict = verify_bytes(json.dumps(doc, ensure_ascii=False).encode())
    assert verdict.broken is not None and verdict.broken.seq == doc["events"][3]["seq"]


def test_a_float_or_garbage_is_refused_not_crashed_on() -> None:
    """A value with no canonical form fails verification; a non-export is refused by name."""
    doc = json.loads(exported(redact=False))
    doc["events"][2]["payload"]["x"] = 1.5
    assert verify_bytes(json.dumps(doc).encode()).broken.seq == doc["events"][2]["seq"]  # type: ignore[union-attr]
    with pytest.raises(NotAnExport):
        verify_bytes(b"{not json")
    with pytest.raises(NotAnExport):
        verify_bytes(b'{"format": "other"}')


def test_the_full_export_holds_the_details_and_the_redacted_does_not() -> None:
    """The redacted JSON holds none of the planted details; the full one holds them all."""
    full, redacted = exported(redact=False).decode(), exported(redact=True).decode()
    for detail in PLANTED.values():
        assert detail in full, detail
        assert detail not in redacted, detail


def test_each_row_is_the_hashed_envelope_and_the_hash() -> None:
    """A row is `envelope()`, the salt and the hash, key for key in order, whatever the zone."""
    _, events = closed_medical()
    shanghai = timezone(timedelta(hours=8))
    times = [
        datetime(2026, 3, 2, 9, 30, 5, 120, tzinfo=shanghai),  # converted to UTC
        datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC),  # a year strftime does not pad
        datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=ZoneInfo("Asia/Shanghai")),
    ]
    for event in [*events, *(replace(events[4], occurred_at=at) for at in times)]:
        assert event.salt is not None
        expected = {**event.envelope(), "salt": event.salt.hex(), "hash": event.hash}
        assert list(event_json(event).items()) == list(expected.items())
    masked = event_json(events[4], {"text": "0" * 64})
    assert list(masked)[-3:] == ["salts", "redacted", "hash"] and "text" not in masked["payload"]


def test_the_manifest_names_the_incident_and_the_plan_it_was_opened_with() -> None:
    """The manifest's id and playbook are those of the state folded from every event."""
    _, events = closed_medical()
    view = view_of(events, redact=True)
    manifest = json.loads(exported(redact=True))["manifest"]
    plan = view.state.plan
    assert plan is not None and manifest["incident_id"] == str(view.state.id)
    playbook = {"id": plan.playbook_id, "version": plan.version, "hash": plan.hash}
    assert manifest["playbook"] == playbook
