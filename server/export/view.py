"""What an export shows: the events (redacted or in full) and the state folded from them.

Redaction replaces the free-text fields of a payload. A redacted event keeps its hash,
salt and links; for each field replaced the view keeps the field's commitment, which the
chain hashes in place of the value (incidents/commitments.py), so the JSON export can
show the commitment instead of the text and the event still verifies
(server/export/as_json.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from incidents.commitments import commitment, field_salt
from incidents.domain import fold
from incidents.events import Event, Payload
from incidents.state import IncidentState
from server.export.paused_gc import paused_gc
from server.export.redact import Redactor

FREE_TEXT = (
    "summary",
    "demands",
    "reporter",
    "location",
    "linked_location",  # the place of the incident this one was opened from
    "text",
    "note",
    "reason",
    "evidence",
    "remark",  # a welfare check's remark (incidents/welfare.py)
    "file_name",  # an attached file's own name (张三身份证.jpg)
)
FREE_FIELDS = "fields"  # a situation report's fields (time, place, cause, demands…): all text
_FREE_TEXT = frozenset(FREE_TEXT)


@dataclass(frozen=True, slots=True)
class ExportView:
    """The events shown, and the state folded from them when first asked for.

    Folding is most of the cost of a long incident's export, and the JSON export needs
    only what the incident was opened with (its id, the plan pinned in `opened`).
    """

    events: Sequence[Event]
    redacted: bool = False
    # seq -> {field replaced: its commitment}, for the events redaction changed
    masked: dict[int, dict[str, str]] = field(default_factory=dict)
    _state: IncidentState | None = field(default=None, repr=False, compare=False)

    @property
    def state(self) -> IncidentState:
        state = self._state
        if state is None:
            state = _fold(self.events)
            object.__setattr__(self, "_state", state)  # frozen: set once, on first use
        return state

    @property
    def fields(self) -> dict[int, tuple[str, ...]]:
        """seq -> the names of the fields replaced."""
        return {seq: tuple(sorted(m)) for seq, m in self.masked.items()}

    @property
    def opened(self) -> IncidentState:
        """The state as the incident was opened, from its first event alone.

        Its id and plan are the folded state's: a plan is pinned when an incident opens
        (incidents/plan.py) and no later event changes it.
        """
        return _fold(self.events[:1])


def _fold(events: Sequence[Event]) -> IncidentState:
    state = fold(events)
    if state is None:
        raise ValueError("an incident has at least its opened event")
    return state


def _free_text(payload: Mapping[str, object]) -> dict[str, str]:
    return {k: v for k, v in payload.items() if k in _FREE_TEXT and isinstance(v, str)}


def _fields(payload: Mapping[str, object]) -> dict[str, str]:
    found = payload.get(FREE_FIELDS)
    if found is None or not isinstance(found, Mapping):
        return {}
    return {k: v for k, v in found.items() if isinstance(v, str)}


def _with_payload(e: Event, payload: Payload) -> Event:
    """`dataclasses.replace(e, payload=payload)` in a third less time (tests/export/test_view.py
    holds that every field of Event is copied)."""
    return Event(
        e.incident_id,
        e.seq,
        e.occurred_at,
        e.recorded_by,
        e.kind,
        payload,
        e.prev_hash,
        e.hash,
        e.salt,
    )


def _commitments(event: Event, names: Sequence[str]) -> dict[str, str]:
    """What the chain hashed for these fields of the event, as it is stored."""
    if event.salt is None:
        raise ValueError(f"seq {event.seq} has no salt: chain format 1 cannot be redacted")
    return {n: commitment(field_salt(event.salt, n), event.payload[n]) for n in sorted(names)}


def redact_events(events: Sequence[Event]) -> tuple[list[Event], dict[int, dict[str, str]]]:
    texts = [(e, _free_text(e.payload), _fields(e.payload)) for e in events]
    redactor = Redactor(v for _, free, fields in texts for v in (*free.values(), *fields.values()))
    out, marks = [], {}
    for event, free, fields in texts:
        changed: dict[str, object] = {k: c for k, v in free.items() if (c := redactor(v)) != v}
        if fields:
            cleaned = {k: redactor(v) for k, v in fields.items()}
            if cleaned != fields:
                changed[FREE_FIELDS] = {**event.payload[FREE_FIELDS], **cleaned}
        if changed:
            marks[event.seq] = _commitments(event, list(changed))
            event = _with_payload(event, {**event.payload, **changed})
        out.append(event)
    return out, marks


def view_of(events: Sequence[Event], *, redact: bool) -> ExportView:
    """The export's view of an incident's events; the state is folded from what is shown."""
    if not events:
        raise ValueError("an incident has at least its opened event")
    if not redact:
        return ExportView(list(events), redact, {})
    with paused_gc():
        shown, marks = redact_events(events)
    return ExportView(shown, redact, marks)
