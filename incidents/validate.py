"""Checks on command inputs, each refusal naming its field."""

from __future__ import annotations

from incidents.errors import InvalidCommand


def text(value: str, field: str, *, max_len: int, required: bool = True) -> str:
    cleaned = value.strip()
    if required and not cleaned:
        raise InvalidCommand(f"{field} is required", field=field)
    if len(cleaned) > max_len:
        raise InvalidCommand(f"{field} is longer than {max_len} characters", field=field)
    if "\x00" in cleaned:
        raise InvalidCommand(f"{field} contains a NUL character", field=field)
    return cleaned


def count(value: int, field: str, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not low <= value <= high:
        raise InvalidCommand(f"{field} must be between {low} and {high}", field=field)
    return value
