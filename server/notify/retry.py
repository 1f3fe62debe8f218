"""When to try a failed message again: exponential backoff with jitter, then give up."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 6
    base_seconds: float = 5.0
    cap_seconds: float = 300.0

    def is_last(self, attempt: int) -> bool:
        """Attempt numbers count from 1."""
        return attempt >= self.max_attempts

    def next_at(self, now: datetime, attempt: int, rng: random.Random | None = None) -> datetime:
        """Half the exponential step fixed, half random: spread out, never all at once."""
        step = min(self.cap_seconds, self.base_seconds * 2 ** (attempt - 1))
        jitter = (rng or random).uniform(0.5, 1.0)
        return now + timedelta(seconds=step * jitter)
