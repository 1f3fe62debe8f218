"""Checks on command inputs, each refusal naming its field."""

from __future__ import annotations

from incidents.errors import InvalidCommand, Named


def text(value: str, field: str, *, max_len: int, required: bool = True) -> str:
    cleaned = value.strip()
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
    if "\x00" in cleaned:
        raise InvalidCommand(
            "input.nul", f"{field} contains a NUL character", field=field, name=name
        )
    return cleaned


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
