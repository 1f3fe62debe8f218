"""A month is a calendar month in the office: month ends, leap years, the turn of the year,
and the hours near midnight where the office's date and UTC's differ."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from incidents.clock import ManualClock
from incidents.followup import add_month
from playbooks.loader import default_dirs, load_library
from server.followup.routes import board_lines
from server.i18n import Catalogue, Translator
from server.services import incident_store
from tests.export.support import close_through

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


def at(zone: ZoneInfo, *when: int) -> datetime:
    """A moment given in office time, as the store holds it: in UTC."""
    return datetime(*when, tzinfo=zone).astimezone(UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("closed", "due"),
    [
        ((2026, 1, 31, 6, 0), (2026, 2, 28, 6, 0)),  # 30 Jan in UTC: not 1 March
        ((2026, 1, 31, 23, 59), (2026, 2, 28, 23, 59)),
        ((2026, 1, 31, 0, 0), (2026, 2, 28, 0, 0)),  # 30 Jan 16:00 UTC
        ((2028, 1, 31, 6, 0), (2028, 2, 29, 6, 0)),  # a leap year
        ((2028, 2, 29, 7, 0), (2028, 3, 29, 7, 0)),  # 28 Feb in UTC
        ((2026, 3, 31, 6, 0), (2026, 4, 30, 6, 0)),
        ((2026, 3, 1, 0, 30), (2026, 4, 1, 0, 30)),  # 28 Feb in UTC: not 29 March
        ((2026, 5, 1, 5, 0), (2026, 6, 1, 5, 0)),  # 30 April in UTC: not 31 May
        ((2026, 12, 31, 6, 0), (2027, 1, 31, 6, 0)),  # across the year
        ((2027, 1, 1, 3, 0), (2027, 2, 1, 3, 0)),  # 31 Dec 2026 in UTC
        ((2026, 12, 31, 23, 59), (2027, 1, 31, 23, 59)),
    ],
)
def test_a_month_is_counted_on_the_office_calendar(
    closed: tuple[int, ...], due: tuple[int, ...]
) -> None:
    """Closed at a given office time, the unit's result is due on that day of the next
    month (or its last day) at the same office time."""
    assert add_month(at(SHANGHAI, *closed), "Asia/Shanghai") == at(SHANGHAI, *due)


def test_west_of_utc_the_office_calendar_rules_too() -> None:
    """In New York, 21:00 on 30 April is 1 May in UTC: due 30 May, not 31 May; across the
    change to summer time the office's hour is kept."""
    zone = "America/New_York"
    assert add_month(at(NEW_YORK, 2026, 4, 30, 21, 0), zone) == at(NEW_YORK, 2026, 5, 30, 21, 0)
    assert add_month(at(NEW_YORK, 2026, 1, 31, 20, 0), zone) == at(NEW_YORK, 2026, 2, 28, 20, 0)
    winter = at(NEW_YORK, 2026, 2, 9, 9, 0)
    assert add_month(winter, zone) == at(NEW_YORK, 2026, 3, 9, 9, 0)  # 14:00 UTC, then 13:00


@pytest.mark.parametrize(
    ("zone", "closed", "due"),
    [
        (SHANGHAI, (2026, 1, 31, 6, 0), "2026-02-28 06:00"),  # 30 Jan 22:00 UTC
        (NEW_YORK, (2026, 4, 30, 21, 0), "2026-05-30 21:00"),  # 1 May 01:00 UTC
    ],
)
async def test_the_board_shows_a_month_after_the_close_in_office_time(
    pool: asyncpg.Pool, zone: ZoneInfo, closed: tuple[int, ...], due: str
) -> None:
    """Closed at dawn on 31 January in Shanghai (or late on 30 April in New York), the unit's
    result is recorded and shown due a calendar month later at the same office time."""
    clock = ManualClock(at(zone, *closed))
    store = incident_store(pool, clock, load_library(default_dirs({})), zone.key)
    state = await store.state(await close_through(store))
    line = next(ln for ln in board_lines([state], clock.now()) if ln.item.rule == "unit_result")
    assert Translator(Catalogue.load(), "zh-CN", zone).date(line.item.due_at) == due
    assert not line.overdue
