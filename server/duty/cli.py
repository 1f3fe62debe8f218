"""`watchfloor roster add USER --role leader|officer --from … --to …` and `roster list`.

Times are office time (WATCHFLOOR_TZ) unless they carry an offset. The CLI acts as
`cli:<os user>`, as `watchfloor export` does.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from incidents.duty import DutyRole, Shift, on_duty
from incidents.errors import DomainError
from incidents.text import visible
from server.database import open_database
from server.duty.store import DutyStore
from server.duty.view import ROSTER_AHEAD, ROSTER_BACK
from server.settings import Settings


def add_roster_commands(sub: Any) -> None:
    roster = sub.add_parser("roster", help="the duty roster").add_subparsers(
        dest="action", required=True
    )
    add = roster.add_parser("add", help="put a user on duty")
    add.add_argument("user")
    add.add_argument("--role", required=True, choices=[r.value for r in DutyRole])
    add.add_argument("--from", dest="start", required=True, help="e.g. 2026-03-02T08:00")
    add.add_argument("--to", dest="end", required=True, help="e.g. 2026-03-03T08:00")
    roster.add_parser("list", help="shifts from yesterday to two weeks ahead")


def office_time(value: str, zone: ZoneInfo) -> datetime:
    when = datetime.fromisoformat(value)
    return when if when.tzinfo else when.replace(tzinfo=zone)


def line(shift: Shift, zone: ZoneInfo) -> str:
    start, end = shift.starts_at.astimezone(zone), shift.ends_at.astimezone(zone)
    span = f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M}"
    return f"{shift.id:>5}  {shift.role.value:8} {visible(shift.user_id):16} {span}"


async def roster_command(
    settings: Settings, args: argparse.Namespace, out: TextIO = sys.stdout
) -> int:
    zone = ZoneInfo(settings.timezone)
    now = datetime.now(zone)
    async with open_database(settings, max_size=2) as db:
        duty = DutyStore(db.pool)
        if args.action == "list":
            shifts = await duty.shifts(now - ROSTER_BACK, now + ROSTER_AHEAD)
            return print_roster(shifts, now, zone, out)
        try:
            span = (office_time(args.start, zone), office_time(args.end, zone))
            by = f"cli:{getpass.getuser()}"
            shift = await duty.add_shift(args.user, DutyRole(args.role), span, by, now)
        except (DomainError, ValueError) as exc:
            print(f"error: {visible(str(exc))}", file=sys.stderr)
            return 1
    print(f"added {line(shift, zone).strip()}", file=out)
    return 0


def print_roster(shifts: list[Shift], now: datetime, zone: ZoneInfo, out: TextIO) -> int:
    """Each shift (* on duty now), then who is on duty now."""
    for shift in shifts:
        print(("* " if shift.covers(now) else "  ") + line(shift, zone), file=out)
    current = on_duty(shifts, now)
    leaders = visible(", ".join(current.leaders)) or "-"
    officers = visible(", ".join(current.officers)) or "-"
    print(f"on duty now: leader {leaders}; officers {officers}", file=out)
    return 0
