"""What the board's duty panel and the roster page show, computed once per request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from incidents.clock import Clock
from incidents.commanders import MAY_COMMAND
from incidents.duty import OnDuty, Shift, UnitLine, ZeroReportRules, on_duty, panel
from server.auth.users import UserStore
from server.duty.store import DutyStore, Flag

ROSTER_BACK, ROSTER_AHEAD = timedelta(days=1), timedelta(days=14)


@dataclass(frozen=True, slots=True)
class DutyPanel:
    day: date
    due: datetime
    past_due: bool
    on_duty: OnDuty
    lines: list[UnitLine]
    flags: dict[str, Flag]
    names: dict[str, str]  # user id -> display name

    @property
    def missing(self) -> int:
        return sum(line.overdue for line in self.lines)


async def user_names(users: UserStore) -> dict[str, str]:
    return {u.id: u.display_name for u in await users.list()}


async def commander_names(users: UserStore) -> dict[str, str]:
    """The enabled users whose role may command, by display name."""
    return {
        u.id: u.display_name for u in await users.list() if u.role in MAY_COMMAND and not u.disabled
    }


class Desk(Protocol):
    """What the duty panel is drawn from, and commands are filled in from (the roster, the
    user directory, the time); the app's services have it."""

    @property
    def duty(self) -> DutyStore: ...
    @property
    def zero_rules(self) -> ZeroReportRules: ...
    @property
    def users(self) -> UserStore: ...
    @property
    def clock(self) -> Clock: ...


async def duty_panel(desk: Desk) -> DutyPanel:
    """Today's leader and officers on duty, and each unit's zero report."""
    duty, rules, users, now = desk.duty, desk.zero_rules, desk.users, desk.clock.now()
    day, due = rules.today(now)
    shifts = await duty.shifts(now, now + timedelta(microseconds=1))
    lines = panel(rules.units, await duty.reports(day), now, due)
    flags = {f.unit: f for f in await duty.flags(day)}
    return DutyPanel(
        day, due, now >= due, on_duty(shifts, now), lines, flags, await user_names(users)
    )


async def roster_shifts(duty: DutyStore, now: datetime) -> list[Shift]:
    """The shifts from yesterday to two weeks ahead, earliest first."""
    return await duty.shifts(now - ROSTER_BACK, now + ROSTER_AHEAD)
