"""The hash chain against known answers: a changed formula or encoding fails here.

The files in tests/golden/ are frozen (tests/golden/README.md): a failure here means the
chain format changed, and records already written would no longer verify.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from incidents.canonical import chain_hash, parse_time
from incidents.events import Event, verify_chain

GOLDEN = Path(__file__).parent / "golden"
INCIDENT = GOLDEN / "incident.json"
EXPORT = GOLDEN / "export-full.json"
# The export as checked in, byte for byte: a reformatted file is a different file.
EXPORT_SHA256 = "9660fb62bc14507b6aea1fd2a3b749e479bc4abb17c9aecaaa5c3304907767de"
HEAD = "8b371e6a329832abc1feb773ea637cc2dc4bc3cac8d416dad33049bb80381d81"
EXPORT_FULL_2_SHA256 = "78a04f548622fdf5f61456ee86d0aa59851f92c2e17a64ed09bbc778510e6ee4"
EXPORT_REDACTED_2_SHA256 = "3938ca098b6bb2b9923a220d3d3bb51cd322bc68113a412e40b412613b7cebdd"
HEAD_2 = "bdf6aedb821a8eb06e148c2260ed7da69ac5a867d33cf53aac96820cb37f33b2"
WATCHFLOOR = Path(sys.executable).parent / "watchfloor"


def golden_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(INCIDENT.read_text(encoding="utf-8"))["events"]
    return rows


def as_event(row: dict[str, Any]) -> Event:
    return Event(
        UUID(row["incident_id"]),
        row["seq"],
        parse_time(row["occurred_at"]),
        row["recorded_by"],
        row["kind"],
        row["payload"],
        row["prev_hash"],
        row["hash"],
    )


def recomputed(row: dict[str, Any]) -> str:
    """sha256(prev_hash || canonical envelope), by the code every chain is checked with."""
    return chain_hash(row["prev_hash"], as_event(row).envelope())


def test_every_golden_hash_is_recomputed_from_its_event() -> None:
    """Each event's hash, recomputed from its data, is the one written down for it."""
    wrong = [
        f"seq {row['seq']} ({row['kind']}): written {row['hash']}, recomputed {got}"
        for row in golden_rows()
        if (got := recomputed(row)) != row["hash"]
    ]
    assert not wrong, "the chain format changed:\n" + "\n".join(wrong)


def test_the_golden_chain_links_from_sixty_four_zeros() -> None:
    """Seq 1 links to 64 zeros, every later event to the hash before it, and the chain is whole."""
    rows = golden_rows()
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    assert [r["prev_hash"] for r in rows] == ["0" * 64] + [r["hash"] for r in rows[:-1]]
    assert rows[-1]["hash"] == HEAD
    assert verify_chain(as_event(r) for r in rows) is None


def test_the_golden_incident_holds_what_it_is_there_for() -> None:
    """Different kinds, Chinese, emoji, scripts and a phone number: the cases the format meets."""
    rows = golden_rows()
    kinds = {r["kind"] for r in rows}
    assert {"opened", "note_added", "headcount_updated", "level_changed", "exported"} <= kinds
    texts = " ".join(json.dumps(r["payload"], ensure_ascii=False) for r in rows)
    assert "13912345678" in texts and "集体来访" in texts and "👨\u200d👩\u200d👧" in texts
    assert "𠀋" in texts and "ئۇيغۇرچە" in texts and "русский" in texts
    assert not unicodedata.is_normalized("NFC", texts), "the combining accent must stay NFD"
    assert any(r["payload"].get("rule") == "headcount_floor" for r in rows)


def test_the_golden_export_holds_the_golden_events() -> None:
    """The frozen export is the golden incident through the exporter, unchanged since."""
    data = EXPORT.read_bytes()
    assert hashlib.sha256(data).hexdigest() == EXPORT_SHA256
    assert json.loads(data)["events"] == golden_rows()


def verify(path: Path) -> subprocess.CompletedProcess[str]:
    """`watchfloor verify FILE` as an operator runs it: the installed command, no database."""
    assert WATCHFLOOR.exists(), f"the console script is not installed: {WATCHFLOOR}"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run(
        [str(WATCHFLOOR), "verify", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_watchfloor_verify_accepts_the_golden_export() -> None:
    """The checked-in export, as it is on disk, verifies: exit 0, the chain whole, its head."""
    done = verify(EXPORT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "verified 10 events" in done.stdout and "the chain is whole" in done.stdout
    assert HEAD in done.stdout


@pytest.mark.parametrize(
    ("old", "new", "seq"),
    [
        pytest.param('"headcount": 12', '"headcount": 13', 1, id="opened-headcount"),
        pytest.param("13912345678", "13912345679", 4, id="phone-digit"),
        pytest.param("한국어", "한국아", 5, id="mixed-script-note"),
        pytest.param('"to": "major"', '"to": "mbjor"', 7, id="level"),
        pytest.param("00:21:00.123456Z", "00:21:01.123456Z", 9, id="time"),
        pytest.param(f'"head_hash": "{HEAD}', f'"head_hash": "{HEAD[:-1]}0', 10, id="head"),
    ],
)
def test_one_changed_character_is_refused_naming_its_seq(
    tmp_path: Path, old: str, new: str, seq: int
) -> None:
    """Change one character of the golden export: verify exits 1 and names the seq changed."""
    data = EXPORT.read_bytes()
    assert data.count(old.encode()) == 1 and len(old) == len(new)
    assert sum(a != b for a, b in zip(old, new, strict=True)) == 1
    tampered = tmp_path / "export.json"
    tampered.write_bytes(data.replace(old.encode(), new.encode()))
    done = verify(tampered)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.startswith("BROKEN: "), done.stdout
    assert f" seq {seq}: " in done.stdout, done.stdout


# --- chain format 2: salted commitments ---------------------------------------

INCIDENT_2 = GOLDEN / "incident-2.json"
EXPORTS_2 = {
    "full": (GOLDEN / "export-full-2.json", EXPORT_FULL_2_SHA256),
    "redacted": (GOLDEN / "export-redacted-2.json", EXPORT_REDACTED_2_SHA256),
}


def rows_2() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(INCIDENT_2.read_text(encoding="utf-8"))["events"]
    return rows


def format_2_hash(row: dict[str, Any]) -> str:
    """The format written out again here, apart from the code, so a change to either shows."""
    salt = bytes.fromhex(row["salt"])

    def canonical(value: Any) -> bytes:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    def commit(name: str, value: Any) -> str:
        field = hmac.new(salt, b"wf-field-v1." + name.encode(), hashlib.sha256).digest()
        return hashlib.sha256(field + canonical(value)).hexdigest()

    envelope = {k: row[k] for k in ("incident_id", "seq", "occurred_at", "recorded_by", "kind")}
    envelope["payload"] = {name: commit(name, v) for name, v in row["payload"].items()}
    envelope["prev_hash"] = row["prev_hash"]
    return hashlib.sha256(bytes.fromhex(row["prev_hash"]) + canonical(envelope)).hexdigest()


def test_every_format_2_hash_is_recomputed_by_the_formula_written_down() -> None:
    """Each format-2 hash: sha256(prev || canonical envelope of salted field commitments)."""
    rows = rows_2()
    wrong = [f"seq {r['seq']} ({r['kind']})" for r in rows if format_2_hash(r) != r["hash"]]
    assert not wrong, "chain format 2 changed:\n" + "\n".join(wrong)
    assert [r["prev_hash"] for r in rows] == ["0" * 64] + [r["hash"] for r in rows[:-1]]
    assert rows[-1]["hash"] == HEAD_2
    events = [replace(as_event(r), salt=bytes.fromhex(r["salt"])) for r in rows]
    assert verify_chain(events) is None
    assert [r["payload"] for r in rows] == [r["payload"] for r in golden_rows()]


@pytest.mark.parametrize("kind", sorted(EXPORTS_2))
def test_the_format_2_exports_are_frozen_and_verify(kind: str) -> None:
    """Byte for byte as checked in; the installed `watchfloor verify` accepts each; one head."""
    path, digest = EXPORTS_2[kind]
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == digest
    done = verify(path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "the chain is whole" in done.stdout and HEAD_2 in done.stdout
    doc = json.loads(data)
    assert doc["manifest"]["head_hash"] == HEAD_2
    assert ("13912345678" in data.decode()) is (kind == "full")
    if kind == "redacted":
        assert "1 events with masked fields" in done.stdout


@pytest.mark.parametrize(
    ("old", "new", "seq"),
    [
        pytest.param('"headcount": 12', '"headcount": 13', 1, id="opened-headcount"),
        pytest.param("한국어", "한국아", 5, id="mixed-script-note"),
        pytest.param('"recorded_by": "commander1"', '"recorded_by": "commander2"', 9, id="who"),
        pytest.param('"to": "responding"', '"to": "respondinh"', 9, id="status"),
    ],
)
def test_one_changed_character_of_the_redacted_export_names_its_seq(
    tmp_path: Path, old: str, new: str, seq: int
) -> None:
    """The redacted export proves what it shows: one character changed, verify names the seq."""
    path, _ = EXPORTS_2["redacted"]
    data = path.read_bytes()
    assert data.count(old.encode()) >= 1
    start = data.index(f'"seq": {seq},'.encode())
    at = data.index(old.encode(), start)
    tampered = tmp_path / "export.json"
    tampered.write_bytes(data[:at] + new.encode() + data[at + len(old) :])
    done = verify(tampered)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f" seq {seq}: " in done.stdout, done.stdout


def test_a_masked_commitment_changed_names_its_seq(tmp_path: Path) -> None:
    """The note with the phone number is shown by its commitment only; changing it is a break."""
    path, _ = EXPORTS_2["redacted"]
    doc = json.loads(path.read_bytes())
    row = next(r for r in doc["events"] if "redacted" in r)
    value = row["redacted"]["text"]
    row["redacted"]["text"] = value[:-1] + ("0" if value[-1] != "0" else "1")
    tampered = tmp_path / "export.json"
    tampered.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    done = verify(tampered)
    assert done.returncode == 1 and f" seq {row['seq']}: " in done.stdout, done.stdout
