"""Conflict of interest (回避): staff with a direct interest in the incident step aside.

A commander or an admin may declare it for anyone; anyone may declare it for themself.
From then on the user may not act on the incident nor be made its commander; every
attempt is refused with the reason. A declaration is never withdrawn: it is on the record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, ClassVar

from incidents import validate
from incidents.authz import Action
from incidents.duty import pick_commander
from incidents.errors import InvalidCommand, Named, NotAuthorized, Recused
from incidents.events import Event, EventDraft
from incidents.kinds import Role
from incidents.lifecycle import AssignCommander
from incidents.state import Actor, IncidentState, Recusal

MAX_REASON, MAX_USER = 500, 64
MAY_DECLARE_FOR_OTHERS = frozenset({Role.COMMANDER, Role.ADMIN})


@dataclass(frozen=True, slots=True)
class DeclareConflict:
    """`user_id` has a direct interest in this incident; empty: the one declaring it."""

    action: ClassVar[Action] = Action.DECLARE_CONFLICT
    reason: str
    user_id: str = ""
    # The leaders on duty (filled in by the server from the roster): a recused commander
    # steps down, and the first of them without a conflict takes over (none: no commander).
    duty_leaders: tuple[str, ...] = ()


def recusal_of(state: IncidentState, user_id: str) -> Recusal | None:
    return next((r for r in state.recused if r.user_id == user_id), None)


def guard(state: IncidentState, command: object, actor: Actor) -> None:
    """Refuse a recused actor, and making a recused user the commander."""
    if found := recusal_of(state, actor.user_id):
        raise Recused(
            "recusal.actor",
            f"{actor.user_id} has a direct interest in this incident: {found.reason}",
            user=Named("user", actor.user_id),
            interest=found.reason,
        )
    if isinstance(command, AssignCommander) and (found := recusal_of(state, command.user_id)):
        raise Recused(
            "recusal.commander",
            f"{command.user_id} has a direct interest in this incident: {found.reason}",
            field="user_id",
            user=Named("user", command.user_id),
            interest=found.reason,
        )


def decide_declare(
    state: IncidentState, cmd: DeclareConflict, actor: Actor, now: datetime
) -> list[EventDraft]:
    reason = validate.text(cmd.reason, "reason", max_len=MAX_REASON)
    user = validate.text(cmd.user_id, "user_id", max_len=MAX_USER, required=False)
    user = user or actor.user_id
    if user != actor.user_id and actor.role not in MAY_DECLARE_FOR_OTHERS:
        raise NotAuthorized(
            "recusal.for_others",
            "only a commander or an admin may declare another user's conflict of interest",
            field="user_id",
        )
    if recusal_of(state, user):
        raise InvalidCommand(
            "recusal.already",
            f"{user} already steps aside from this incident",
            field="user_id",
            user=Named("user", user),
        )
    declared = EventDraft("conflict_declared", {"user_id": user, "reason": reason})
    return [declared, *step_down(state, user, cmd.duty_leaders)]


def step_down(state: IncidentState, user: str, leaders: tuple[str, ...]) -> list[EventDraft]:
    """A commander with a conflict of interest hands over to the next leader on duty."""
    if user != state.commander:
        return []
    recused = {r.user_id for r in state.recused} | {user}
    to = pick_commander(leaders, recused)
    return [EventDraft("commander_assigned", {"from": user, "to": to, "source": "recusal"})]


def apply_declared(s: IncidentState, e: Event) -> IncidentState:
    found = Recusal(e.payload["user_id"], e.payload["reason"], e.recorded_by, e.occurred_at)
    return replace(s, recused=(*s.recused, found))


ContextHandler = Callable[[IncidentState, Any, Actor, datetime], list[EventDraft]]

HANDLERS: dict[type[Any], ContextHandler] = {DeclareConflict: decide_declare}
APPLIERS = {"conflict_declared": apply_declared}
