"""The server's half of linked incidents: what the store says of the incident an opening
names, and the link the first incident records once the new one is committed."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from uuid import UUID

from incidents.domain import Command
from incidents.errors import NotFound
from incidents.lifecycle import OpenIncident
from incidents.links import RecordLink
from incidents.state import IncidentState, Link
from incidents.store import EventStore


def link_of(state: IncidentState) -> Link:
    return Link(state.id, state.type, state.location)


async def with_link(store: EventStore, command: Command) -> Command:
    """An opening from another incident, with what the store found under that id (nothing:
    the domain refuses it by name)."""
    if not isinstance(command, OpenIncident) or command.linked_to is None:
        return command
    try:
        found = await store.state(command.linked_to)
    except NotFound:
        return command
    return replace(command, linked_from=link_of(found))


def link_key(opening_key: str) -> str:
    """The first incident's record of the link, keyed by the opening: a retry never doubles it."""
    return "link-" + hashlib.sha256(opening_key.encode()).hexdigest()[:48]


def link_command(opened: IncidentState) -> tuple[UUID, RecordLink] | None:
    """The command the first incident runs once the one opened from it is committed."""
    first = opened.linked_to
    return None if first is None else (first.id, RecordLink(link_of(opened)))
