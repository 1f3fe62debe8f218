"""The office's daily routine, pure: who is on duty (值班), and the zero report (零报告).

Every unit reports each office day by a set hour: its situation when there is one, all
clear when there is none (有事报情况，无事报平安). A report missing after the hour is
itself a warning. The office day and its deadline are counted in the office's time zone.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from incidents import text as policy
from incidents import validate
from incidents.errors import InvalidCommand, Named

DEFAULT_HOUR = time(15, 0)
OFFICE_ZONE = ZoneInfo("Asia/Shanghai")
MAX_TEXT = 2000
_HOUR = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class DutyRole(StrEnum):
    LEADER = "leader"  # 带班领导: the leader on duty, commander of a new incident by default
    OFFICER = "officer"  # 值班人员: the duty officer, told of a missing zero report


class ZeroStatus(StrEnum):
    ALL_CLEAR = "all_clear"  # 无事报平安
    SITUATION = "situation"  # 有事报情况


@dataclass(frozen=True, slots=True)
class Shift:
    id: int
    user_id: str
    role: DutyRole
    starts_at: datetime
    ends_at: datetime

    def covers(self, at: datetime) -> bool:
        """On duty from `starts_at` up to, not including, `ends_at`."""
        return self.starts_at <= at < self.ends_at


@dataclass(frozen=True, slots=True)
class OnDuty:
    leaders: tuple[str, ...]
    officers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ZeroReport:
    unit: str
    day: date
    status: ZeroStatus
    text: str
    reported_by: str
    reported_at: datetime
    late: bool


@dataclass(frozen=True, slots=True)
class UnitLine:
    """One unit on the board's panel: its report today, or missing (late once past the hour)."""

    unit: str
    report: ZeroReport | None
    overdue: bool


def parse_hour(value: str) -> time:
    """'15:00' (or '9:30'): the hour of the day by which the zero report is due."""
    match = _HOUR.match(value.strip())
    if not match:
        raise ValueError(f"not an hour of the day (HH:MM): {value!r}")
    return time(int(match[1]), int(match[2]))


def office_day(at: datetime, zone: ZoneInfo) -> date:
    return at.astimezone(zone).date()


def deadline(day: date, hour: time, zone: ZoneInfo) -> datetime:
    """The moment the day's zero report is due, as an aware datetime."""
    return datetime.combine(day, hour, tzinfo=zone)


def check_shift(user_id: str, starts_at: datetime, ends_at: datetime) -> None:
    if not user_id.strip():
        raise InvalidCommand("shift.no_user", "a shift needs a user", field="user_id")
    policy.check(user_id, "user_id")
    if ends_at <= starts_at:
        raise InvalidCommand("shift.ends_first", "a shift ends after it starts", field="ends_at")


def on_duty(shifts: Iterable[Shift], at: datetime) -> OnDuty:
    """Who is on duty at a moment, earliest shift first, each user once."""
    current = sorted((s for s in shifts if s.covers(at)), key=lambda s: (s.starts_at, s.id))

    def users(role: DutyRole) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.user_id for s in current if s.role is role))

    return OnDuty(users(DutyRole.LEADER), users(DutyRole.OFFICER))


def pick_commander(leaders: Sequence[str], recused: Collection[str]) -> str | None:
    """The first leader on duty who has no conflict of interest; None when there is none."""
    return next((u for u in leaders if u not in recused), None)


def check_report(status: ZeroStatus, text: str) -> str:
    """The report's text: required for a situation, optional for all clear."""
    text = validate.text(text, "text", max_len=MAX_TEXT, required=False, multiline=True)
    if status is ZeroStatus.SITUATION and not text:
        raise InvalidCommand(
            "zero.situation_text", "a situation report says what the situation is", field="text"
        )
    return text


def is_late(reported_at: datetime, due: datetime) -> bool:
    """Due *by* the hour: a report at the hour or after is late, as the flag fires then."""
    return reported_at >= due


def missing(units: Sequence[str], reports: Iterable[ZeroReport]) -> list[str]:
    """The units that have not reported, in the order they are listed."""
    reported = {r.unit for r in reports}
    return [u for u in units if u not in reported]


def panel(
    units: Sequence[str], reports: Iterable[ZeroReport], now: datetime, due: datetime
) -> list[UnitLine]:
    """Every unit that must report: its report, or missing (overdue once past the hour)."""
    by_unit = {r.unit: r for r in reports}
    return [UnitLine(u, by_unit.get(u), u not in by_unit and now >= due) for u in units]


@dataclass(frozen=True, slots=True)
class ZeroReportRules:
    """Which units report, by which hour, in which time zone."""

    units: tuple[str, ...]
    hour: time = DEFAULT_HOUR
    zone: ZoneInfo = OFFICE_ZONE

    def today(self, now: datetime) -> tuple[date, datetime]:
        """The office day of `now` and the moment its zero report is due."""
        day = office_day(now, self.zone)
        return day, deadline(day, self.hour, self.zone)


def make_report(
    rules: ZeroReportRules, unit: str, status: ZeroStatus, text: str, by: str, at: datetime
) -> ZeroReport:
    """A unit's report for the office day of `at`: late when made at or after the hour."""
    if unit not in rules.units:
        raise InvalidCommand(
            "zero.unit_not_listed",
            f"{unit} is not a unit that files a zero report",
            field="unit",
            unit=Named("unit", unit),
        )
    day, due = rules.today(at)
    return ZeroReport(unit, day, status, check_report(status, text), by, at, is_late(at, due))
