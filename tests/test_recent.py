"""What a node keeps of its own commits: enough to push them, never a gap or a stale state."""

from __future__ import annotations

from incidents.lifecycle import AddNote
from incidents.recent import KEPT_EVENTS, Recent
from tests.support import DUTY, open_cmd
from tests.test_domain import Log


def test_consecutive_commits_are_joined_and_served_from_any_seq_kept() -> None:
    log, recent = Log(), Recent()
    log.run(open_cmd(), DUTY)
    start = log.s.last_seq
    for n in range(3):
        before = log.s.last_seq
        log.run(AddNote(f"备注 {n}"), DUTY)
        recent.keep(log.s, [e for e in log.events if e.seq > before])
    state, events = recent.changes(log.s.id, start, log.s.last_seq) or (None, [])
    assert state == log.s and [e.seq for e in events] == [start + 1, start + 2, start + 3]
    assert recent.changes(log.s.id, start - 1, log.s.last_seq) is None  # starts before it


def test_a_head_past_what_was_kept_is_left_to_the_database() -> None:
    """Another node wrote since: its notice names a head this node never committed."""
    log, recent = Log(), Recent()
    log.run(open_cmd(), DUTY)
    recent.keep(log.s, log.events)
    assert recent.changes(log.s.id, 0, log.s.last_seq) is not None
    assert recent.changes(log.s.id, 0, log.s.last_seq + 1) is None


def test_an_earlier_commit_answered_late_never_replaces_a_later_one() -> None:
    log, recent = Log(), Recent()
    log.run(open_cmd(), DUTY)
    first = log.s
    first_events = list(log.events)
    log.run(AddNote("备注"), DUTY)
    recent.keep(log.s, log.events[len(first_events) :])
    recent.keep(first, first_events)  # resolved after the later one
    kept = recent.changes(log.s.id, first.last_seq, log.s.last_seq)
    assert kept is not None and kept[0] == log.s


def test_a_gap_starts_the_kept_events_afresh_and_the_tail_is_bounded() -> None:
    log, recent = Log(), Recent()
    log.run(open_cmd(), DUTY)
    for n in range(KEPT_EVENTS + 5):
        before = log.s.last_seq
        log.run(AddNote(f"备注 {n}"), DUTY)
        if n != 3:  # the fourth note was another node's: a gap in what this node saw
            recent.keep(log.s, [e for e in log.events if e.seq > before])
    head = log.s.last_seq
    kept = recent.changes(log.s.id, head - KEPT_EVENTS, head)
    assert kept is not None and len(kept[1]) == KEPT_EVENTS
    assert recent.changes(log.s.id, head - KEPT_EVENTS - 1, head) is None  # beyond the tail
