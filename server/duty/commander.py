"""The roster's part in commands: a new incident's commander defaults to the leader on duty,
and a commander who steps aside hands over to the next leader on duty."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from incidents.domain import Command
from incidents.duty import pick_commander
from incidents.lifecycle import OpenIncident
from incidents.recusal import DeclareConflict
from server.duty.worker import duty_at


async def leaders_now(state: Any) -> tuple[str, ...]:
    """The leaders on duty now, by app.state's duty store and clock."""
    return (await duty_at(state.duty, state.clock.now())).leaders


async def with_roster(state: Any, command: Command) -> Command:
    """Fill in what the roster knows: the default commander, the leaders who may take over."""
    if isinstance(command, OpenIncident) and not command.commander:
        leader = pick_commander(await leaders_now(state), ())
        return replace(command, commander=leader, commander_source="roster") if leader else command
    if isinstance(command, DeclareConflict):
        return replace(command, duty_leaders=await leaders_now(state))
    return command
