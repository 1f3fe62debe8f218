"""Salted commitments: the chain covers each payload field without a plain hash of it.

An event's hash (chain format 2) covers its envelope with every payload field replaced
by a commitment to it:

    commitment(field) = sha256(field_salt || canonical(value))     (hex)
    field_salt        = HMAC-SHA256(event salt, "wf-field-v1." || field name)

The event salt (32 random bytes) is kept in the database beside the event and given in a
full export, so every commitment there is recomputed. A redacted export gives, for an
event with masked fields, the salts of the fields it shows and only the commitments of
those it masks: guessing a masked phone number means guessing a 256-bit salt first.
Events sealed before format 2 carry no salt and hash their plain payload (format 1).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from typing import Any

from incidents.canonical import canonical_bytes

SALT_BYTES = 32
_FIELD_CONTEXT = b"wf-field-v1."


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


def field_salt(event_salt: bytes, name: str) -> bytes:
    """One field's salt: revealing it reveals neither the event's salt nor a sibling's."""
    return hmac.new(event_salt, _FIELD_CONTEXT + name.encode(), hashlib.sha256).digest()


def commitment(salt: bytes, value: Any) -> str:
    return hashlib.sha256(salt + canonical_bytes(value)).hexdigest()


def committed(event_salt: bytes, payload: Mapping[str, Any]) -> dict[str, str]:
    """The payload as the chain hashes it: each field by its commitment."""
    return {name: commitment(field_salt(event_salt, name), v) for name, v in payload.items()}


def committed_shown(
    shown: Mapping[str, Any], salts: Mapping[str, bytes], masked: Mapping[str, str]
) -> dict[str, str]:
    """The same, from a redacted export: shown fields with their salts, masked ones as given."""
    return {**{name: commitment(salts[name], v) for name, v in shown.items()}, **masked}
