"""The live app fixture (tests/live/conftest.py), and an office with users on a moved clock."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from incidents.clock import ManualClock
from incidents.duty import ZeroReportRules
from server.duty.store import DutyStore
from tests.live.conftest import live

__all__ = ["live"]

OFFICE = ZoneInfo("Asia/Shanghai")
UNITS = ("petition_bureau", "housing_bureau", "civil_affairs_bureau")
USERS = ("commander1", "commander2", "duty1", "duty2")


def office(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in March 2026, office time."""
    return datetime(2026, 3, day, hour, minute, tzinfo=OFFICE)


@pytest.fixture
async def duty(pool: asyncpg.Pool) -> DutyStore:
    rows = [(u, u, "commander" if u.startswith("c") else "duty_officer") for u in USERS]
    await pool.executemany(
        "INSERT INTO users (id, display_name, role, password_hash) VALUES ($1, $2, $3, 'x')", rows
    )
    return DutyStore(pool)


@pytest.fixture
def rules() -> ZeroReportRules:
    return ZeroReportRules(UNITS, time(15, 0), OFFICE)


@pytest.fixture
def office_clock(clock: ManualClock) -> ManualClock:
    clock.set(office(2, 9))
    return clock
