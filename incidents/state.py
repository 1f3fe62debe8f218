"""The incident as the board sees it: a pure fold of its events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import msgspec

from incidents.kinds import IncidentType, Level, Role, Status


@dataclass(frozen=True, slots=True)
class Actor:
    """Who issues a command: a user id (never a visitor) and the role they act in."""

    user_id: str
    role: Role


@dataclass(frozen=True, slots=True)
class IncidentState:
    id: UUID
    type: IncidentType
    level: Level
    status: Status
    location: str
    headcount: int
    summary: str
    demands: str
    reporter: str
    opened_at: datetime
    updated_at: datetime
    last_seq: int
    head_hash: str
    commander: str | None = None
    closed_at: datetime | None = None
    note_count: int = 0

    @property
    def is_open(self) -> bool:
        return self.status is not Status.CLOSED


def encode_state(state: IncidentState) -> str:
    """The snapshot stored beside the events (JSON text for a jsonb column)."""
    return msgspec.json.encode(state).decode()


def decode_state(text: str | bytes) -> IncidentState:
    return msgspec.json.decode(text, type=IncidentState)
