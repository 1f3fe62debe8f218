"""Linked incidents: one opened *from* another (a visitor collapses during a collective visit).

The new incident's `opened` event names the first; the first records the link on its own chain
(`incident_linked`), so each log tells the whole story alone. Closing one leaves the other open.
The domain knows no other incident: the server fills in what the store says of it (`Link`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar
from uuid import UUID

from incidents.authz import Action
from incidents.errors import IllegalTransition, InvalidCommand
from incidents.events import Event, EventDraft
from incidents.kinds import IncidentType
from incidents.state import IncidentState, Link


def link_payload(link: Link) -> dict[str, Any]:
    return {"incident": str(link.id), "type": link.type.value, "location": link.location}


def link_from(payload: Mapping[str, Any]) -> Link:
    return Link(UUID(payload["incident"]), IncidentType(payload["type"]), payload["location"])


# In the `opened` event, the first incident's fields sit at the top of the payload, flat: the
# place is free text, and a redacted export masks (and commits to) top-level fields only.
OPENED_FROM = {"linked_to": "incident", "linked_type": "type", "linked_location": "location"}


def opened_fields(link: Link) -> dict[str, Any]:
    plain = link_payload(link)
    return {field: plain[name] for field, name in OPENED_FROM.items()}


def opened_from(payload: Mapping[str, Any]) -> Link | None:
    """The incident an `opened` event names, or None for an incident opened on its own."""
    if not payload.get("linked_to"):
        return None
    return link_from({name: payload[field] for field, name in OPENED_FROM.items()})


def checked_link(linked_to: UUID | None, found: Link | None) -> Link | None:
    """The incident an opening names, as the store found it; refused by name when there is
    no such incident."""
    if linked_to is None:
        return None
    if found is None or found.id != linked_to:
        raise InvalidCommand(
            "link.unknown", f"no incident {linked_to} to link to", field="linked_to"
        )
    return found


@dataclass(frozen=True, slots=True)
class RecordLink:
    """The first incident notes the one opened from it (also when it is closed by then)."""

    action: ClassVar[Action] = Action.OPEN
    allowed_when_closed: ClassVar[bool] = True
    other: Link


def decide_link(state: IncidentState, cmd: RecordLink) -> list[EventDraft]:
    if cmd.other.id == state.id:
        raise InvalidCommand("link.self", "an incident cannot be linked to itself")
    if any(link.id == cmd.other.id for link in state.linked):
        raise IllegalTransition("link.exists", "the incidents are already linked")
    return [EventDraft("incident_linked", link_payload(cmd.other))]


def apply_linked(s: IncidentState, e: Event) -> IncidentState:
    return replace(s, linked=(*s.linked, link_from(e.payload)))


def grouped(states: Sequence[IncidentState]) -> list[IncidentState]:
    """The board's order: each incident directly followed by those opened from it (in the
    order given), the others as given. A link to an incident not shown is no group."""
    shown = {s.id for s in states}
    children: dict[UUID, list[IncidentState]] = {}
    for s in states:
        if s.linked_to is not None and s.linked_to.id in shown:
            children.setdefault(s.linked_to.id, []).append(s)
    order: list[IncidentState] = []
    stack = [s for s in reversed(states) if s.linked_to is None or s.linked_to.id not in shown]
    while stack:  # depth first, without recursion: a chain of links stays together
        state = stack.pop()
        order.append(state)
        stack += reversed(children.get(state.id, []))
    return order


HANDLERS: dict[type[Any], Callable[[IncidentState, Any], list[EventDraft]]] = {
    RecordLink: decide_link
}
APPLIERS: dict[str, Callable[[IncidentState, Event], IncidentState]] = {
    "incident_linked": apply_linked
}
