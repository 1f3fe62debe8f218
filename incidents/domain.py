"""The two pure entry points: ``decide(state, command) -> events`` and ``fold(events) -> state``.

New event kinds and commands are added here, by table; the store never changes for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any, ClassVar, Protocol

from incidents import lifecycle as lc
from incidents.authz import Action, authorize
from incidents.errors import IllegalTransition, IncidentClosed, NotFound
from incidents.events import Event, EventDraft
from incidents.kinds import Level, Status
from incidents.state import Actor, IncidentState


class Command(Protocol):
    action: ClassVar[Action]


Handler = Callable[[IncidentState, Any], list[EventDraft]]

HANDLERS: dict[type[Any], Handler] = {
    lc.ChangeLevel: lc.decide_level,
    lc.ChangeStatus: lc.decide_status,
    lc.CloseIncident: lc.decide_close,
    lc.ReopenIncident: lc.decide_reopen,
    lc.UpdateHeadcount: lc.decide_headcount,
    lc.AddNote: lc.decide_note,
    lc.AssignCommander: lc.decide_commander,
}

APPLIERS: dict[str, lc.Applier] = {**lc.APPLIERS}


class UnknownEventKind(ValueError):
    pass


def decide(
    state: IncidentState | None,
    command: Command,
    actor: Actor,
    *,
    default_level: Level = Level.GENERAL,
) -> list[EventDraft]:
    """Check the rules for this command on this state; the events it produces, or a refusal."""
    authorize(actor.role, command.action)
    if isinstance(command, lc.OpenIncident):
        if state is not None:
            raise IllegalTransition("the incident is already open")
        return lc.decide_open(command, default_level)
    if state is None:
        raise NotFound("no such incident")
    if state.status is Status.CLOSED and not isinstance(command, lc.ReopenIncident):
        raise IncidentClosed("the incident is closed: only a reopen is accepted")
    return HANDLERS[type(command)](state, command)


def apply(state: IncidentState | None, event: Event) -> IncidentState:
    if event.kind == "opened":
        new = lc.apply_opened(state, event)
    elif state is None:
        raise UnknownEventKind(f"seq {event.seq}: {event.kind} before opened")
    elif event.kind in APPLIERS:
        new = APPLIERS[event.kind](state, event)
    else:
        raise UnknownEventKind(f"seq {event.seq}: unknown event kind {event.kind!r}")
    return replace(new, last_seq=event.seq, head_hash=event.hash, updated_at=event.occurred_at)


def fold(events: Iterable[Event], state: IncidentState | None = None) -> IncidentState | None:
    for event in events:
        state = apply(state, event)
    return state
