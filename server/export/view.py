"""What an export shows: the events (redacted or in full) and the state folded from them.

Redaction replaces the free-text fields of a payload. A redacted event keeps its
original `hash` and `prev_hash`, so the chain still links, but its content no longer
hashes to them: `redacted` names the fields replaced, and offline verification checks
such an event's links only (see server/export/as_json.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from incidents.domain import fold
from incidents.events import Event
from incidents.state import IncidentState
from server.export.redact import Redactor

FREE_TEXT = ("summary", "demands", "reporter", "location", "text", "note", "reason", "evidence")
FREE_FIELDS = "fields"  # a situation report's fields (time, place, cause, demands…): all text


@dataclass(frozen=True, slots=True)
class ExportView:
    state: IncidentState
    events: Sequence[Event]
    redacted: bool = False
    fields: dict[int, tuple[str, ...]] = field(default_factory=dict)  # seq -> fields replaced


def _texts(events: Sequence[Event]) -> list[str]:
    texts = [v for e in events for k in FREE_TEXT if isinstance(v := e.payload.get(k), str)]
    return texts + [v for e in events for v in _fields(e).values()]


def _fields(event: Event) -> dict[str, str]:
    found = event.payload.get(FREE_FIELDS)
    if not isinstance(found, Mapping):
        return {}
    return {k: v for k, v in found.items() if isinstance(v, str)}


def redact_events(events: Sequence[Event]) -> tuple[list[Event], dict[int, tuple[str, ...]]]:
    redactor = Redactor(_texts(events))
    out, marks = [], {}
    for event in events:
        changed: dict[str, object] = {}
        for key in FREE_TEXT:
            value = event.payload.get(key)
            if isinstance(value, str) and (clean := redactor(value)) != value:
                changed[key] = clean
        fields = _fields(event)
        cleaned = {k: redactor(v) for k, v in fields.items()}
        if cleaned != fields:
            changed[FREE_FIELDS] = {**event.payload[FREE_FIELDS], **cleaned}
        if changed:
            event = replace(event, payload={**event.payload, **changed})
            marks[event.seq] = tuple(sorted(changed))
        out.append(event)
    return out, marks


def view_of(events: Sequence[Event], *, redact: bool) -> ExportView:
    """The export's view of an incident's events; the state is folded from what is shown."""
    shown, marks = redact_events(events) if redact else (list(events), {})
    state = fold(shown)
    if state is None:
        raise ValueError("an incident has at least its opened event")
    return ExportView(state, shown, redact, marks)
