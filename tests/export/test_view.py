"""The export's view: redacted events, and the state folded from them when asked for."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest

from incidents.domain import fold
from incidents.events import Event
from server.export.view import _with_payload, view_of
from tests.export.support import closed_medical


def test_a_redacted_event_keeps_every_other_field() -> None:
    """Only the payload is replaced: the view copies each of Event's fields by hand."""
    assert [f.name for f in fields(Event)] == [
        "incident_id",
        "seq",
        "occurred_at",
        "recorded_by",
        "kind",
        "payload",
        "prev_hash",
        "hash",
        "salt",
    ], "a field was added to Event: copy it in server/export/view.py _with_payload"
    _, events = closed_medical()
    for event in events:
        payload = {**event.payload, "text": "***"}
        assert _with_payload(event, payload) == replace(event, payload=payload)


def test_the_state_is_folded_from_the_events_shown() -> None:
    """Folded on first use, from the redacted events in a redacted view."""
    _, events = closed_medical()
    for redact in (True, False):
        view = view_of(events, redact=redact)
        assert view.state == fold(view.events)
        assert view.state is view.state  # folded once
        assert view.opened == fold(view.events[:1])


def test_an_empty_incident_has_no_view() -> None:
    """There is always an `opened` event to show."""
    with pytest.raises(ValueError, match="opened"):
        view_of([], redact=True)
