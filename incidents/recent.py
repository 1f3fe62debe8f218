"""What this node committed last, per incident: its state and the events just before it.

The hub pushes a notice from the node that wrote it without reading the database back: the
command's outcome already holds the state and events it committed. A notice past what is
kept here (another node wrote since) is read from the database as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from incidents.events import Event
from incidents.state import IncidentState

KEPT_INCIDENTS = 1024
KEPT_EVENTS = 256  # per incident: a burst of commands on one incident, each pushed apart


@dataclass(frozen=True, slots=True)
class Committed:
    state: IncidentState
    events: tuple[Event, ...]  # consecutive, ending at state.last_seq


class Recent:
    def __init__(self) -> None:
        self._kept: dict[UUID, Committed] = {}  # by last commit, oldest first

    def keep(self, state: IncidentState, events: Sequence[Event]) -> None:
        """After a COMMIT: the state it left and the events it added (in seq order)."""
        if not events or events[-1].seq != state.last_seq:
            return
        had = self._kept.pop(state.id, None)
        if had is not None and had.state.last_seq > state.last_seq:
            self._kept[state.id] = had  # a later commit of this node was kept first
            return
        joined = had is not None and had.state.last_seq == events[0].seq - 1
        tail = (*had.events, *events) if had is not None and joined else tuple(events)
        self._kept[state.id] = Committed(state, tail[-KEPT_EVENTS:])
        if len(self._kept) > KEPT_INCIDENTS:
            del self._kept[next(iter(self._kept))]

    def changes(
        self, incident_id: UUID, after_seq: int, head: int
    ) -> tuple[IncidentState, list[Event]] | None:
        """The state and the events after `after_seq`, if kept and at least at `head`."""
        kept = self._kept.get(incident_id)
        if kept is None or kept.state.last_seq < head or not kept.events:
            return None
        if kept.events[0].seq > after_seq + 1:
            return None  # the events asked for start before what is kept
        return kept.state, [e for e in kept.events if e.seq > after_seq]
