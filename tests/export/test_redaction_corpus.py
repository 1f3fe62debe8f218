"""Redaction against a corpus of realistic notes (redaction_corpus.yaml), case by case."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from server.export.redact import Redactor, redact_text

CORPUS = Path(__file__).with_name("redaction_corpus.yaml")


@dataclass(frozen=True)
class Case:
    id: str
    note: str
    gone: tuple[str, ...]
    kept: tuple[str, ...]
    elsewhere: str | None


def load_corpus() -> list[Case]:
    rows = yaml.safe_load(CORPUS.read_text("utf-8"))
    return [
        Case(r["id"], r["note"], tuple(r["gone"]), tuple(r["kept"]), r.get("elsewhere"))
        for r in rows
    ]


CASES = load_corpus()


def problems(case: Case, out: str, text: str | None = None) -> list[str]:
    """What is wrong with `out`, the redaction of `text` (the case's note by default)."""
    text = case.note if text is None else text
    leaked = [s for s in case.gone if s in out]
    lost = [s for s in case.kept if s in text and s not in out]
    if not leaked and not lost:
        return []
    return [f"{case.id}: {text!r} -> {out!r}; leaked {leaked}, lost {lost}"]


def test_the_corpus_is_large_and_well_formed() -> None:
    """Enough cases, each with a unique id, and each kept string is in its note."""
    assert len(CASES) >= 80
    assert len({c.id for c in CASES}) == len(CASES)
    for case in CASES:
        assert all(s in case.note for s in case.kept), case.id
        assert all(s in case.note for s in case.gone), case.id


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_redact_text(case: Case) -> None:
    """redact_text masks what the case says must go and keeps what must stay."""
    assert not problems(case, redact_text(case.note))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_redactor(case: Case) -> None:
    """The export's Redactor does the same, and a name it found is gone from a later note."""
    texts = [case.note] + ([case.elsewhere] if case.elsewhere else [])
    redactor = Redactor(texts)
    assert not problems(case, redactor(case.note))
    if case.elsewhere:
        out = redactor(case.elsewhere)
        assert not [s for s in case.gone if s in out], f"{case.id}: {case.elsewhere!r} -> {out!r}"


def test_names_from_the_whole_corpus_spare_every_kept_word() -> None:
    """One export of every note: a name found in one note eats no kept word of another."""
    redactor = Redactor(c.note for c in CASES)
    found = [p for c in CASES for p in problems(c, redactor(c.note))]
    assert not found, "\n".join(found)
