"""The one canonical form of an event, and its hash.

Canonical JSON, as hashed:
  * UTF-8, no insignificant whitespace, object keys sorted by code point;
  * non-ASCII characters written as themselves (not \\u escapes);
  * integers only: a float anywhere is refused, so no value has two spellings;
  * timestamps as text, UTC, microseconds: ``2026-11-23T08:15:00.000000Z``;
  * no NUL characters in any text (PostgreSQL's jsonb cannot store them).

``hash = sha256(bytes.fromhex(prev_hash) || canonical(envelope without hash))``,
with ``prev_hash`` of the first event 64 zeros.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64


class NotCanonical(ValueError):
    """A value that has no canonical JSON form."""


def format_time(when: datetime) -> str:
    if when.tzinfo is None:
        raise NotCanonical("timestamps must be timezone-aware")
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def check_value(value: Any, path: str = "$") -> None:
    """Refuse anything outside the canonical subset of JSON."""
    if value is None or isinstance(value, bool | int):
        return
    if isinstance(value, str):
        if "\x00" in value:
            raise NotCanonical(f"{path}: text contains a NUL character")
        return
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            check_value(item, f"{path}[{i}]")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotCanonical(f"{path}: object keys must be text")
            check_value(key, path)
            check_value(item, f"{path}.{key}")
        return
    raise NotCanonical(f"{path}: {type(value).__name__} has no canonical form")


def canonical_bytes(value: Any) -> bytes:
    check_value(value)
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def chain_hash(prev_hash: str, envelope: Mapping[str, Any]) -> str:
    return hashlib.sha256(bytes.fromhex(prev_hash) + canonical_bytes(envelope)).hexdigest()
