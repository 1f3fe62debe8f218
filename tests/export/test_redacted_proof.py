"""A redacted export proves every byte it shows and gives away nothing it masks.

The attack of issue 13, run for real: knowing the visitor's name and the first six digits
of the phone number, try all 100,000 endings against everything the redacted JSON holds
(the event hash, as format 1 kept it; every commitment; every salt in the row). The same
attack on the full export finds the number at once, so the attack itself works.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterator
from typing import Any

from incidents.canonical import canonical_bytes, chain_hash
from incidents.commitments import commitment, field_salt, new_salt
from incidents.events import Event
from server.export.as_json import export_document, to_bytes
from server.export.verify_json import verify_document
from server.export.view import view_of
from tests.export.support import PLANTED, closed_medical

PHONE = PLANTED["mobile"]
PREFIX = PHONE[:6]
NOTE = f"家属{PLANTED['family']}电话 {{}}，已通知"  # as the support incident has it


def incident() -> list[Event]:
    """The closed medical incident (a note with a relative's name and phone), salted at random."""
    return closed_medical(salts=new_salt)[1]


def document(events: list[Event], *, redact: bool) -> dict[str, Any]:
    doc = export_document(
        view_of(events, redact=redact), exported_at=events[-1].occurred_at, exported_by="admin1"
    )
    parsed: dict[str, Any] = json.loads(to_bytes(doc))
    return parsed


def hex_strings(value: Any) -> Iterator[str]:
    """Every 64-hex string anywhere in a row: hashes, commitments, salts."""
    if isinstance(value, str) and len(value) == 64:
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from hex_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from hex_strings(item)


def row_salts(row: dict[str, Any]) -> dict[str, bytes]:
    """Every field salt the row gives: its own list, or derived from the event's salt."""
    if "salt" in row:
        return {k: field_salt(bytes.fromhex(row["salt"]), k) for k in row["payload"]}
    return {k: bytes.fromhex(v) for k, v in row["salts"].items()}


def brute_force(row: dict[str, Any]) -> str | None:
    """The phone number, if anything in the row lets a guess be checked.

    A generous attacker: knows the note's wording, tries each guess plainly (format 1's
    hash, an unsalted commitment) and under every salt the row gives, against every hex
    string in the row and against the event's hash recomputed around the guess.
    """
    targets = set(hex_strings(row))
    salts = row_salts(row)
    others = {k: commitment(salts[k], v) for k, v in row["payload"].items() if k != "text"}
    envelope = {k: row[k] for k in ("incident_id", "seq", "occurred_at", "recorded_by", "kind")}
    envelope["prev_hash"] = row["prev_hash"]
    for ending in range(100_000):
        guess = f"{PREFIX}{ending:05d}"
        plain = {**envelope, "payload": {**row["payload"], "text": NOTE.format(guess)}}
        if chain_hash(row["prev_hash"], plain) in targets:  # format 1's kept hash
            return guess
        text = canonical_bytes(NOTE.format(guess))
        for c in [hashlib.sha256(text).hexdigest()] + [
            hashlib.sha256(s + text).hexdigest() for s in salts.values()
        ]:
            hashed = {**envelope, "payload": {**others, "text": c}}
            if c in targets or chain_hash(row["prev_hash"], hashed) in targets:
                return guess
    return None


def note_row(doc: dict[str, Any]) -> dict[str, Any]:
    """The row of the note with the phone number (found by its seq in the full events)."""
    seq = next(e.seq for e in incident() if e.payload.get("text") == NOTE.format(PHONE))
    row: dict[str, Any] = doc["events"][seq - 1]
    assert row["seq"] == seq and row["kind"] == "note_added"
    return row


def test_the_brute_force_recovers_the_number_from_a_full_export() -> None:
    """The attack works: where the salt is given, the number falls out."""
    assert brute_force(note_row(document(incident(), redact=False))) == PHONE


def test_the_brute_force_recovers_nothing_from_a_redacted_export() -> None:
    """The redacted JSON holds the note's commitment, never its text nor a salt for it."""
    doc = document(incident(), redact=True)
    row = note_row(doc)
    assert row["redacted"].keys() == {"text"} and "text" not in row["payload"]
    assert PHONE not in json.dumps(doc, ensure_ascii=False)
    assert brute_force(row) is None


def test_the_full_and_the_redacted_export_share_one_head() -> None:
    """Both end at the same head, which is the stored chain's, and both verify whole."""
    events = incident()
    full, redacted = document(events, redact=False), document(events, redact=True)
    assert full["manifest"]["head_hash"] == redacted["manifest"]["head_hash"] == events[-1].hash
    assert verify_document(full).broken is None
    verdict = verify_document(redacted)
    assert verdict.broken is None and note_row(redacted)["seq"] in verdict.redacted


# --- every single-field forgery of a redacted export --------------------------


def changed(value: Any) -> Any:
    """The value with one thing changed: a character, a digit, a flag."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if value is None:
        return "x"
    if isinstance(value, str) and value.endswith("Z") and "T" in value:  # a time: the seconds
        return value[:-3] + ("1" if value[-3] != "1" else "2") + value[-2:]
    if isinstance(value, str) and value:
        last = value[-1]
        swap = {"a": "b", "0": "1"}.get(last, "a" if last != "a" else "b")
        return value[:-1] + swap
    return "x"


def leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list) and value:
        for i, item in enumerate(value):
            yield from leaves(item, (*path, i))
    else:
        yield path


def forgeries(doc: dict[str, Any]) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """(what was changed, the seq it is in, the forged document), one change each."""
    for index, row in enumerate(doc["events"]):
        for path in leaves(row):
            forged = copy.deepcopy(doc)
            target = forged["events"][index]
            for step in path[:-1]:
                target = target[step]
            target[path[-1]] = changed(target[path[-1]])
            yield "/".join(map(str, path)), row["seq"], forged
        for key in ("salts", "redacted", "payload"):
            for name in list(row.get(key, {})):  # a field dropped, or moved between lists
                forged = copy.deepcopy(doc)
                dropped = forged["events"][index][key].pop(name)
                yield f"{key}/{name} dropped", row["seq"], forged
                if key == "salts":
                    forged = copy.deepcopy(forged)
                    forged["events"][index]["redacted"][name] = dropped
                    yield f"{name} moved to redacted", row["seq"], forged


def test_every_single_field_change_to_a_redacted_export_is_caught_by_seq() -> None:
    """Each leaf of each event changed once, each field dropped or moved: broken at its seq."""
    doc = document(incident(), redact=True)
    assert verify_document(doc).broken is None
    missed, tried = [], 0
    for what, seq, forged in forgeries(doc):
        tried += 1
        broken = verify_document(forged).broken
        if broken is None or broken.seq != seq:
            missed.append(f"seq {seq} {what}: {broken}")
    assert tried > 400 and sum(1 for r in doc["events"] if "redacted" in r) >= 4
    assert not missed, "\n".join(missed)


def test_a_masked_row_in_a_full_export_is_a_break() -> None:
    """A full export cannot hide a field behind a commitment: the row itself is refused."""
    events = incident()
    full, redacted = document(events, redact=False), document(events, redact=True)
    row = note_row(redacted)
    full["events"][row["seq"] - 1] = row
    broken = verify_document(full).broken
    assert broken is not None and broken.seq == row["seq"]
    assert "full export holds a redacted event" in broken.reason
