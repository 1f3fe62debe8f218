"""Level rules that hold whatever the playbook says (DOMAIN.md)."""

from __future__ import annotations

from dataclasses import dataclass

from incidents.kinds import IncidentType, Level

MAJOR_COLLECTIVE_VISIT = 30
HEADCOUNT_FLOOR = "headcount_floor"  # the rule's code, recorded on the level_changed event


@dataclass(frozen=True, slots=True)
class Floor:
    """The lowest level the domain allows, and the rule and threshold that set it."""

    level: Level
    rule: str
    threshold: int

    def why(self, headcount: int) -> dict[str, object]:
        """The reason as the record keeps it: a code and its numbers, never a sentence."""
        return {"rule": self.rule, "headcount": headcount, "threshold": self.threshold}


def level_floor(incident_type: IncidentType, headcount: int) -> Floor | None:
    """The lowest level this incident may have, with the rule, if the domain sets one."""
    if incident_type is IncidentType.COLLECTIVE_VISIT and headcount >= MAJOR_COLLECTIVE_VISIT:
        return Floor(Level.MAJOR, HEADCOUNT_FLOOR, MAJOR_COLLECTIVE_VISIT)
    return None
