"""One outbox row: one message to one contact of one unit, tried until it is through."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

NO_CONTACT = "none"  # the channel of a row for a unit with no contact: it fails loudly


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    incident_id: UUID
    notification: str
    round: int
    unit: str
    contact: int
    contact_name: str
    channel: str
    address: str
    language: str
    key: str  # the idempotency key: the same on every attempt of this message
    attempt: int  # attempts already recorded

    @classmethod
    def from_row(cls, row: Any) -> Delivery:
        return cls(
            row["id"],
            row["incident_id"],
            row["notification"],
            row["round"],
            row["unit"],
            row["contact"],
            row["contact_name"],
            row["channel"],
            row["address"],
            row["language"],
            row["idempotency_key"],
            row["attempt"],
        )


def delivery_key(incident_id: UUID, notification: str, round_: int, unit: str, contact: int) -> str:
    return f"{incident_id}:{notification}:{round_}:{unit}:{contact}"
