"""What the JSON API takes and gives, as msgspec Structs: the routes decode request bodies
with them and build responses from them, and the OpenAPI document is their JSON Schema
(server/api/document.py). One definition, so the document cannot drift from the decoder.

Text fields are checked again by the domain (length, control characters): a Struct says
the shape, the domain says what may be stored.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar
from uuid import UUID

import msgspec

from incidents.duty import DutyRole, ZeroStatus
from incidents.kinds import IncidentType, ItemStatus, Level, NotificationStatus, Status
from incidents.lifecycle import MAX_HEADCOUNT, MAX_LONG_TEXT, MAX_TEXT
from incidents.reports import ReportKind

B = TypeVar("B", bound=msgspec.Struct)

# The domain's own limits, said in the schema too (it still checks, after trimming).
_ONE_LINE = r"^[^\x00-\x1f\x7f-\x9f]*$"  # no control character: the log keeps it forever
Line = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TEXT, pattern=_ONE_LINE)]
Long = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_LONG_TEXT)]
Headcount = Annotated[int, msgspec.Meta(ge=1, le=MAX_HEADCOUNT)]


class Body(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A request body: an unknown field is refused by name (a typo is never ignored)."""


class OpenIncident(Body, frozen=True):
    type: IncidentType
    location: Line
    headcount: Headcount
    summary: Long
    demands: str = ""
    reporter: str = ""
    level: Level | None = None
    injured: bool = False
    commander: str = ""
    linked_to: UUID | None = None  # the incident this one is opened from


class ChangeLevel(Body, frozen=True):
    to: Level
    reason: str = ""


class ChangeStatus(Body, frozen=True):
    to: Status
    reason: str = ""


class Reason(Body, frozen=True):
    reason: str = ""


class AssignCommander(Body, frozen=True):
    user_id: str


class UpdateHeadcount(Body, frozen=True):
    headcount: Headcount
    reason: str = ""


class Text(Body, frozen=True):
    text: str


class RequestResource(Body, frozen=True):
    resource: str
    note: str = ""
    eta_minutes: int | None = None


class MoveResource(Body, frozen=True):
    dispatch: str
    to: str
    eta_minutes: int | None = None
    note: str = ""


class SetResourceEta(Body, frozen=True):
    dispatch: str
    eta_minutes: int


class ReportFields(Body, frozen=True):
    """The four parts a report must hold (信息报告内容); time, place, scale and cause needed."""

    time: str = ""
    place: str = ""
    scale: str = ""
    people: str = ""
    cause: str = ""
    demands: str = ""
    actions_taken: str = ""
    impact: str = ""
    other: str = ""


class FileReport(Body, frozen=True):
    kind: ReportKind
    fields: ReportFields
    to: list[str] = []


class DeclareConflict(Body, frozen=True):
    reason: str = ""
    user_id: str = ""


class Note(Body, frozen=True):
    note: str = ""


class CompleteFollowup(Body, frozen=True):
    evidence: str


class ExtendReply(Body, frozen=True):
    days: int
    reason: str = ""


class PhoneAcknowledgement(Body, frozen=True):
    by: str = ""
    note: str = ""


class Acknowledge(Body, frozen=True):
    """A unit's system acknowledging a notification with the signed token of its link."""

    token: str
    eta_minutes: int | None = None
    note: str = ""
    by: str = ""


class AddShift(Body, frozen=True):
    """A roster shift; times in ISO 8601, office time when they carry no offset."""

    user_id: str
    role: DutyRole
    starts_at: str
    ends_at: str


class FileZeroReport(Body, frozen=True):
    """A unit's daily zero report (零报告): all clear, or a situation with its text."""

    unit: str
    status: ZeroStatus
    text: str = ""


class Reply(msgspec.Struct, frozen=True):
    """A response body."""


class CommandResult(Reply, frozen=True):
    incident_id: UUID
    seqs: list[int]  # the events this command appended; empty when it changed nothing
    replayed: bool  # the same Idempotency-Key again: the first answer, nothing appended
    last_seq: int


class Progress(Reply, frozen=True):
    done: int
    total: int


class Item(Reply, frozen=True):
    id: str
    status: ItemStatus
    by: str | None


class Notification(Reply, frozen=True):
    id: str
    unit: str
    status: NotificationStatus


class Incident(Reply, frozen=True):
    id: UUID
    type: IncidentType
    level: Level
    status: Status
    location: str
    headcount: int
    last_seq: int
    opened_at: str
    commander: str | None
    checklist: Progress
    items: list[Item]
    notifications: list[Notification]


class Event(Reply, frozen=True):
    """One event of the hash-chained log, as `watchfloor verify` recomputes it."""

    incident_id: UUID
    seq: int
    occurred_at: str
    recorded_by: str
    kind: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str


class Acknowledged(Reply, frozen=True):
    incident_id: UUID
    notification: str
    acknowledged: bool


class Shift(Reply, frozen=True):
    id: int


class ZeroFiled(Reply, frozen=True):
    unit: str
    late: bool


class Refused(Reply, frozen=True, omit_defaults=True):
    """Every refusal: `error` is the stable code (see the responses of each operation),
    `message` English for logs, `text` what a person reads, in the caller's language."""

    error: str
    reason: str | None = None
    message: str | None = None
    field: str | None = None
    text: str | None = None


def convert(data: dict[str, Any], kind: type[B]) -> B:
    """A parsed JSON object as `kind`; msgspec.ValidationError names the path of a bad field."""
    return msgspec.convert(data, kind)


def fields(body: msgspec.Struct) -> dict[str, Any]:
    """A decoded body as the plain fields the command readers take (server/incident/input.py)."""
    plain: dict[str, Any] = msgspec.to_builtins(body)
    return plain


def plain(reply: Reply) -> Any:
    """A response Struct as JSON-ready values."""
    return msgspec.to_builtins(reply)
