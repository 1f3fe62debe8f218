"""Level rules that hold whatever the playbook says (DOMAIN.md)."""

from __future__ import annotations

from incidents.kinds import IncidentType, Level

MAJOR_COLLECTIVE_VISIT = 30


def level_floor(incident_type: IncidentType, headcount: int) -> tuple[Level, str] | None:
    """The lowest level this incident may have, with the reason, if the domain sets one."""
    if incident_type is IncidentType.COLLECTIVE_VISIT and headcount >= MAJOR_COLLECTIVE_VISIT:
        reason = (
            f"collective visit of {headcount} people: {MAJOR_COLLECTIVE_VISIT} or more "
            "is at least major"
        )
        return Level.MAJOR, reason
    return None
