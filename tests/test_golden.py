"""The hash chain against known answers: a changed formula or encoding fails here.

The files in tests/golden/ are frozen (tests/golden/README.md): a failure here means the
chain format changed, and records already written would no longer verify.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import unicodedata
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
