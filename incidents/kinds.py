"""The closed vocabularies of the domain: incident types, levels, statuses, roles."""

from __future__ import annotations

from enum import StrEnum


class IncidentType(StrEnum):
    """The eight incident types of the office's emergency plans (DOMAIN.md)."""

    MEDICAL = "medical"
    SELF_HARM = "self_harm"
    HAZARDOUS_ITEMS = "hazardous_items"
    VIOLENCE = "violence"
    DISRUPTION = "disruption"
    COLLECTIVE_VISIT = "collective_visit"
    CROSS_LEVEL_VISIT = "cross_level_visit"
    OTHER = "other"


class Level(StrEnum):
    """Severity, ordered: general < major < critical."""

    GENERAL = "general"
    MAJOR = "major"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]


_LEVEL_RANK = {Level.GENERAL: 0, Level.MAJOR: 1, Level.CRITICAL: 2}


class Status(StrEnum):
    """The phases of one incident: reported → responding → contained → closed."""

    REPORTED = "reported"
    RESPONDING = "responding"
    CONTAINED = "contained"
    CLOSED = "closed"


class Role(StrEnum):
    """Who a user is in the console; checked on every command."""

    DUTY_OFFICER = "duty_officer"
    ONSITE_STAFF = "onsite_staff"
    COMMANDER = "commander"
    ADMIN = "admin"
    VIEWER = "viewer"
    SYSTEM = "system"  # the workers (dispatcher, timers, acknowledgement links); never a login

    @property
    def assignable(self) -> bool:
        """Whether a user may have this role (the users table refuses "system" too)."""
        return self is not Role.SYSTEM


class ItemStatus(StrEnum):
    """A checklist item: open, then done, skipped or blocked (and back by untick)."""

    OPEN = "open"
    DONE = "done"
    SKIPPED = "skipped"
    BLOCKED = "blocked"

    @property
    def resolved(self) -> bool:
        """Done or skipped: what `requires` waits for."""
        return self in (ItemStatus.DONE, ItemStatus.SKIPPED)


class NotificationStatus(StrEnum):
    """A notification to a unit (信息通报): planned → sent → delivered → acknowledged (回执).

    `failed` when every attempt failed; `escalated` when it was not acknowledged in time.
    The moves are a table in incidents/notifications.py.
    """

    PLANNED = "planned"
    SENT = "sent"
    DELIVERED = "delivered"
    ACKNOWLEDGED = "acknowledged"
    FAILED = "failed"
    ESCALATED = "escalated"
