"""A long incident's PDF: every event of the timeline is in it, in order, none dropped."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import timedelta
from functools import cache

import pypdf

from incidents.commanders import Candidate
from incidents.domain import Command
from incidents.events import Event
from incidents.kinds import Role
from incidents.lifecycle import AddNote, AssignCommander
from incidents.state import Actor
from server.export.run import render
from server.export.view import view_of
from tests.export.support import OPEN, run, translator
from tests.support import DUTY, LEAD, STAFF

NOTES = 200  # the timeline is laid out in blocks of 20 events: ten of them, over pages


def note(n: int) -> str:
    """Chinese, an emoji and a number no other note holds (one line in the PDF)."""
    return f"第{n:03d}条：伤员已转运🚑，家属已到场✅"


@cache
def long_incident() -> tuple[Event, ...]:
    second = timedelta(seconds=1)
    steps: list[tuple[Actor, Command, timedelta]] = [
        (DUTY, OPEN, 0 * second),
        (LEAD, AssignCommander("commander1", Candidate("commander1", Role.COMMANDER)), second),
    ]
    steps += [(STAFF, AddNote(note(n)), (2 + n) * second) for n in range(NOTES)]
    return tuple(run(steps)[1])


def pdf_text(events: Sequence[Event]) -> tuple[str, int]:
    """The redacted Chinese PDF's text, and its number of pages."""
    data = render("pdf", view_of(events, redact=True), translator("zh-CN"), {}, exported_by="c1")
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return "\n".join(page.extract_text() for page in pages), len(pages)


def missing_in_order(text: str, expected: Sequence[str]) -> list[str]:
    """The texts not found in `text` after the one before them (all there, in order: [])."""
    at, missing = 0, []
    for wanted in expected:
        found = text.find(wanted, at)
        if found == -1:
            missing.append(wanted)
        else:
            at = found + len(wanted)
    return missing


def test_a_long_timeline_holds_every_note_in_order() -> None:
    """All 200 notes, Chinese and emoji whole, first to last in seq order, on a few pages."""
    text, pages = pdf_text(long_incident())
    for n in (0, NOTES // 2, NOTES - 1):
        assert note(n) in text, n
    assert missing_in_order(text, [note(n) for n in range(NOTES)]) == []
    seqs = [f"\n{e.seq}  " for e in long_incident()[1:]]  # each timeline line opens with its seq
    assert missing_in_order(text, seqs) == []
    assert 3 <= pages <= 10, pages  # ≈ 75 timeline lines a page, after the report's tables


def test_a_dropped_event_is_missed() -> None:
    """The check finds the one note missing from a PDF made without its event."""
    events = long_incident()
    dropped = next(i for i, e in enumerate(events) if e.payload.get("text") == note(NOTES // 2))
    text, _ = pdf_text(events[:dropped] + events[dropped + 1 :])
    assert missing_in_order(text, [note(n) for n in range(NOTES)]) == [note(NOTES // 2)]
