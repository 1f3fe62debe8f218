"""Evidence on check-off: a file attached when ticking an item or adding a note, and what an
item asks to be kept before it may be ticked (`evidence:` in its playbook).

The event holds the file's SHA-256, type, size, original name, who and when, so the file is
on the hash chain; its bytes are kept by hash outside the domain (server/evidence/). What a
file *is* was decided from its content before the command exists (server/evidence/sniff.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from incidents import validate
from incidents.errors import IllegalTransition, InvalidCommand, Named
from incidents.events import Event, EventDraft
from incidents.state import AttachmentState, IncidentState

MAX_NAME = 200
SHA256_HEX = frozenset("0123456789abcdef")


class EvidenceKind(StrEnum):
    """What a checklist item may ask for: a file of a kind, a count, or a written note."""

    PHOTO = "photo"
    AUDIO = "audio"
    DOCUMENT = "document"
    COUNT = "count"
    TEXT = "text"


FILE_KINDS = frozenset({EvidenceKind.PHOTO, EvidenceKind.AUDIO, EvidenceKind.DOCUMENT})


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file as the command carries it: what its content was found to be, never its bytes."""

    sha256: str
    kind: EvidenceKind
    content_type: str
    size: int
    name: str = ""


def checked(a: Attachment) -> Attachment:
    """The attachment with its name checked like any single-line text (the file's own name is
    typed by someone, somewhere: it may hold anything)."""
    hashed = len(a.sha256) == 64 and set(a.sha256) <= SHA256_HEX
    if not hashed or a.kind not in FILE_KINDS or a.size <= 0:
        raise InvalidCommand("upload.invalid", "not a stored file", field="file")
    name = validate.text(a.name, "file_name", max_len=MAX_NAME, required=False)
    return replace(a, name=name)


def attached(a: Attachment, *, item: str = "", note: str = "") -> EventDraft:
    payload: dict[str, Any] = {
        "sha256": a.sha256,
        "kind": a.kind.value,
        "content_type": a.content_type,
        "size": a.size,
        "file_name": a.name,
        "note": note,
    }
    return EventDraft("evidence_attached", payload | ({"item": item} if item else {}))


def missing(
    asked: Iterable[str],
    *,
    before: Iterable[str],
    attachment: Attachment | None,
    note: str,
    count: int | None,
) -> tuple[EvidenceKind, ...]:
    """What an item asks for that neither earlier attachments nor this tick bring. (A word
    this version does not know, from a plan pinned long ago, asks for nothing.)"""
    have = set(before) | ({attachment.kind.value} if attachment else set())
    have |= {EvidenceKind.TEXT.value} if note else set()
    have |= {EvidenceKind.COUNT.value} if count is not None else set()
    known = [EvidenceKind(k) for k in asked if k in EvidenceKind.__members__.values()]
    return tuple(k for k in known if k.value not in have)


def refuse_missing(item: str, shown_item: Any, lacking: tuple[EvidenceKind, ...]) -> None:
    if lacking:
        raise IllegalTransition(
            "checklist.evidence_missing",
            f"item {item} needs evidence: {', '.join(lacking)}",
            field="evidence",
            item=shown_item,
            evidence=tuple(Named("evidence", k.value) for k in lacking),
        )


def apply_attached(s: IncidentState, e: Event) -> IncidentState:
    p: Mapping[str, Any] = e.payload
    item = str(p.get("item", ""))
    record = AttachmentState(
        p["sha256"],
        p["kind"],
        p["content_type"],
        p["size"],
        p["file_name"],
        e.recorded_by,
        e.occurred_at,
        e.seq,
        item,
    )
    checklist = tuple(
        replace(i, evidence=(*i.evidence, record.kind)) if i.id == item else i for i in s.checklist
    )
    return replace(s, attachments=(*s.attachments, record), checklist=checklist)


APPLIERS: dict[str, Callable[[IncidentState, Event], IncidentState]] = {
    "evidence_attached": apply_attached
}
