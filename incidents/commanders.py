"""Who may command an incident (现场指挥): an enabled user whose role commands, and who has not
stepped aside for a conflict of interest (that last rule is `recusal.guard`).

The domain knows no user directory: the server fills in what the directory says of the user
named (`Candidate`), and the rule is decided here, so every entry point refuses alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from incidents.errors import InvalidCommand, Named
from incidents.kinds import Role

MAY_COMMAND = frozenset({Role.COMMANDER})


@dataclass(frozen=True, slots=True)
class Candidate:
    """The user directory's answer for one login id; `role` None: no such user."""

    user_id: str
    role: Role | None
    disabled: bool = False


def check_candidate(user_id: str, candidate: Candidate | None, field: str) -> None:
    """Refuse a commander who is unknown, disabled, or of a role that does not command."""
    if candidate is None or candidate.user_id != user_id or candidate.role is None:
        raise InvalidCommand("commander.unknown", f"no user {user_id!r}", field=field)
    who = Named("user", user_id)
    if candidate.disabled:
        raise InvalidCommand(
            "commander.disabled", f"user {user_id} is disabled", field=field, user=who
        )
    if candidate.role not in MAY_COMMAND:
        raise InvalidCommand(
            "commander.role",
            f"user {user_id} is a {candidate.role}: only a commander may command",
            field=field,
            user=who,
            role=Named("role", candidate.role.value),
        )
