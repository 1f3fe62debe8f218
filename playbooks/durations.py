"""Durations as written in playbooks: 30s, 5m, 1h, 1h30m, 2d — to and from whole seconds."""

from __future__ import annotations

import re

_FORM = re.compile(r"(?:([0-9]{1,6})d)?(?:([0-9]{1,6})h)?(?:([0-9]{1,6})m)?(?:([0-9]{1,6})s)?")
_UNITS: tuple[tuple[str, int], ...] = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))
_ZH_UNITS = {"d": "天", "h": "小时", "m": "分钟", "s": "秒"}
HINT = "write it like 30s, 5m, 1h, 1h30m or 2d"


def parse_duration(text: str) -> int:
    """Seconds in `text`; ValueError with a readable reason when it is not a duration."""
    match = _FORM.fullmatch(text)
    if not text or match is None:
        raise ValueError(_why_not(text))
    seconds = sum(int(n) * size for n, (_, size) in zip(match.groups("0"), _UNITS, strict=True))
    if seconds == 0:
        raise ValueError(f"{text!r}: a duration must be more than zero")
    return seconds


def _why_not(text: str) -> str:
    if text.startswith("-"):
        return f"{text!r}: a duration cannot be negative"
    if text.isdigit():
        return f"{text!r} is a duration without a unit; {HINT}"
    return f"{text!r} is not a duration; {HINT}"


def format_duration(seconds: int, language: str = "en") -> str:
    """`seconds` written back as 1h30m (en) or 1小时30分钟 (zh)."""
    parts: list[str] = []
    for unit, size in _UNITS:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{_ZH_UNITS[unit] if language == 'zh' else unit}")
    return "".join(parts) or ("0秒" if language == "zh" else "0s")
