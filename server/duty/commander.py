"""What the server knows that commands need: a new incident's commander defaults to the leader
on duty, a commander who steps aside hands over to the next leader on duty, and a commander
named by hand is looked up in the user directory (the domain decides whether they may)."""

from __future__ import annotations

from dataclasses import replace

from incidents.commanders import Candidate
from incidents.domain import Command
from incidents.duty import pick_commander
from incidents.lifecycle import AssignCommander, OpenIncident
from incidents.recusal import DeclareConflict
from incidents.text import check
from server.duty.view import Desk
from server.duty.worker import duty_at


async def leaders_now(state: Desk) -> tuple[str, ...]:
    """The leaders on duty now."""
    return (await duty_at(state.duty, state.clock.now())).leaders


async def candidate(state: Desk, user_id: str) -> Candidate:
    """What the user directory says of `user_id` (role None: no such user); an id no one
    could have (a control character: PostgreSQL refuses NUL) is refused by name."""
    user = await state.users.get(check(user_id, "user_id")) if user_id else None
    if user is None:
        return Candidate(user_id, None)
    return Candidate(user_id, user.role, user.disabled)


async def with_roster(state: Desk, command: Command) -> Command:
    """Fill in what the roster and the directory know: the default commander, the leaders who
    may take over, and what a commander named by hand is."""
    if isinstance(command, OpenIncident) and not command.commander:
        leader = pick_commander(await leaders_now(state), ())
        return replace(command, commander=leader, commander_source="roster") if leader else command
    if isinstance(command, OpenIncident):
        return replace(command, candidate=await candidate(state, command.commander))
    if isinstance(command, AssignCommander):
        return replace(command, candidate=await candidate(state, command.user_id))
    if isinstance(command, DeclareConflict):
        return replace(command, duty_leaders=await leaders_now(state))
    return command
