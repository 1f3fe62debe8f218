"""Checks on command inputs, each refusal naming its field."""

from __future__ import annotations

from incidents import text as policy
from incidents.errors import InvalidCommand, Named


def text(
    value: str, field: str, *, max_len: int, required: bool = True, multiline: bool = False
) -> str:
    """The value trimmed, or a refusal: missing, too long, or holding a character the field
    does not take (incidents/text.py: a multi-line field keeps line breaks and tabs)."""
    cleaned = policy.normalized(value, multiline=multiline).strip()
    name = Named("field", field)
    if required and not cleaned:
        raise InvalidCommand("input.required", f"{field} is required", field=field, name=name)
    if len(cleaned) > max_len:
        raise InvalidCommand(
            "input.too_long",
            f"{field} is longer than {max_len} characters",
            field=field,
            name=name,
            max=max_len,
        )
    return policy.check(cleaned, field, multiline=multiline)


def count(value: int, field: str, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not low <= value <= high:
        raise InvalidCommand(
            "input.range",
            f"{field} must be between {low} and {high}",
            field=field,
            name=Named("field", field),
            low=low,
            high=high,
        )
    return value
