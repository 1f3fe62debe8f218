"""The pure entry points: ``decide(state, command) -> events``, ``fold(events) -> state``,
and ``process``, which adds what the pinned plan says follows (``settle``) and chains it all.

New event kinds and commands are added here, by table; the store never changes for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, ClassVar, Protocol
from uuid import UUID

from incidents import checklist as cl
from incidents import drills as dr
from incidents import evidence as ev
from incidents import exports as ex
from incidents import followup as fu
from incidents import lifecycle as lc
from incidents import links as lk
from incidents import notifications as nt
from incidents import recusal as rc
from incidents import reports as rp
from incidents import resources as rs
from incidents import settle as st
from incidents import welfare as wf
from incidents.authz import Action, authorize
from incidents.canonical import GENESIS_HASH
from incidents.commitments import new_salt
from incidents.errors import IllegalTransition, IncidentClosed, NotFound
from incidents.events import Event, EventDraft, seal
from incidents.kinds import Status
from incidents.plan import Plan, no_plan
from incidents.state import Actor, IncidentState


class Command(Protocol):
    action: ClassVar[Action]


Handler = Callable[[IncidentState, Any], list[EventDraft]]

HANDLERS: dict[type[Any], Handler] = {
    lc.ChangeLevel: lc.decide_level,
    lc.ChangeStatus: lc.decide_status,
    lc.CloseIncident: rp.decide_close,  # the final report first, then the status table
    lc.ReopenIncident: lc.decide_reopen,
    lc.UpdateHeadcount: lc.decide_headcount,
    lc.AddNote: lc.decide_note,
    lc.ReportInjury: lc.decide_injury,
    lc.AssignCommander: lc.decide_commander,
    **cl.HANDLERS,
    **dr.HANDLERS,
    **ex.HANDLERS,
    **fu.HANDLERS,
    **lk.HANDLERS,
    **nt.HANDLERS,
    **rs.HANDLERS,
    **wf.HANDLERS,
}

# Handlers that also need who acts and when (a signature, a deadline, "myself").
CONTEXT_HANDLERS: dict[type[Any], rc.ContextHandler] = {
    **rc.HANDLERS,
    **rp.HANDLERS,
    **wf.CONTEXT_HANDLERS,
}

APPLIERS: dict[str, lc.Applier] = {
    **lc.APPLIERS,
    **cl.APPLIERS,
    **ev.APPLIERS,
    **dr.APPLIERS,
    **st.APPLIERS,
    **ex.APPLIERS,
    **fu.APPLIERS,
    **lk.APPLIERS,
    **nt.APPLIERS,
    **rs.APPLIERS,
    **rp.APPLIERS,
    **rc.APPLIERS,
    **wf.APPLIERS,
}

# settle() adds a level's items after the level rule fires: a few rounds suffice.
MAX_SETTLE_ROUNDS = 5


class UnknownEventKind(ValueError):
    pass


def allowed_when_closed(command: Command) -> bool:
    """A reopen, and the commands that mark themselves so (exports, follow-up work)."""
    flag = getattr(type(command), "allowed_when_closed", False)
    return isinstance(command, lc.ReopenIncident) or flag is True


def decide(
    state: IncidentState | None,
    command: Command,
    actor: Actor,
    *,
    plan: Plan | None = None,
    now: datetime | None = None,
) -> list[EventDraft]:
    """Check the rules for this command on this state; the events it produces, or a refusal."""
    authorize(actor.role, command.action)
    if isinstance(command, lc.OpenIncident):
        if state is not None:
            raise IllegalTransition("incident.already_open", "the incident is already open")
        return lc.decide_open(command, plan or no_plan())
    if state is None:
        raise NotFound("incident.not_found", "no such incident")
    if state.status is Status.CLOSED and not allowed_when_closed(command):
        raise IncidentClosed("incident.closed", "the incident is closed: only a reopen is accepted")
    rc.guard(state, command, actor)  # a conflict of interest refuses every command
    if type(command) in CONTEXT_HANDLERS:
        return CONTEXT_HANDLERS[type(command)](state, command, actor, now or state.updated_at)
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


@dataclass(frozen=True, slots=True)
class Processed:
    events: list[Event]
    state: IncidentState


def process(
    state: IncidentState | None,
    command: Command,
    actor: Actor,
    *,
    incident_id: UUID,
    now: datetime,
    plan: Plan | None = None,
    salts: Callable[[], bytes | None] = new_salt,
    zone: str = fu.OFFICE_ZONE,
) -> Processed:
    """Decide, then settle what the plan says follows; every event chained and folded.

    `zone` is the office's time zone: the follow-up's deadlines are counted on its calendar."""
    drafts = decide(state, command, actor, plan=plan, now=now)
    events: list[Event] = []
    for _ in range(MAX_SETTLE_ROUNDS):
        new = seal(
            incident_id,
            drafts,
            occurred_at=now,
            recorded_by=actor.user_id,
            after_seq=state.last_seq if state else 0,
            after_hash=state.head_hash if state else GENESIS_HASH,
            salts=salts,
        )
        state = fold(new, state)
        events += new
        assert state is not None
        drafts = st.settle(state) or fu.settle(state, zone) or wf.settle(state)
        if not drafts:
            return Processed(events, state)
    raise RuntimeError("the plan did not settle")  # a loop in level rules: a bug, not input
