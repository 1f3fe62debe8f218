"""The roster and the zero reports in PostgreSQL: the only duty module that talks to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from incidents.duty import DutyRole, Shift, ZeroReport, ZeroStatus, check_shift
from incidents.errors import InvalidCommand, NotFound

BIGINT_MAX = 2**63 - 1  # the largest id a bigint column holds

_SHIFT = "id, user_id, role, starts_at, ends_at"
_REPORT = "unit, day, status, text, reported_by, reported_at, late"
_ADD_SHIFT = f"""
INSERT INTO duty_shifts (user_id, role, starts_at, ends_at, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING {_SHIFT}
"""
_END_SHIFT = f"""
UPDATE duty_shifts SET ends_at = GREATEST(starts_at, $2), ended_by = $3
WHERE id = $1 AND ends_at > $2 RETURNING {_SHIFT}
"""
_FILE = f"""
INSERT INTO zero_reports (unit, day, status, text, reported_by, reported_at, late, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $6)
ON CONFLICT (unit, day) DO UPDATE SET status = $3, text = $4, reported_by = $5, updated_at = $6
RETURNING {_REPORT}
"""
_FLAG = """
INSERT INTO zero_report_flags (unit, day, due_at, flagged_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (unit, day) DO NOTHING
"""
_NOTIFY = """
UPDATE zero_report_flags SET notified_at = $3, notified_to = $4
WHERE unit = $1 AND day = $2 AND notified_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM zero_reports r WHERE r.unit = $1 AND r.day = $2)
RETURNING unit
"""


@dataclass(frozen=True, slots=True)
class Flag:
    """A unit that had not reported by the hour, and whom it was told to."""

    unit: str
    day: date
    due_at: datetime
    flagged_at: datetime
    notified_at: datetime | None
    notified_to: tuple[str, ...]


def shift_from(row: asyncpg.Record) -> Shift:
    return Shift(row["id"], row["user_id"], DutyRole(row["role"]), row["starts_at"], row["ends_at"])


def report_from(row: asyncpg.Record) -> ZeroReport:
    return ZeroReport(
        row["unit"],
        row["day"],
        ZeroStatus(row["status"]),
        row["text"],
        row["reported_by"],
        row["reported_at"],
        row["late"],
    )


def flag_from(row: asyncpg.Record) -> Flag:
    return Flag(
        row["unit"],
        row["day"],
        row["due_at"],
        row["flagged_at"],
        row["notified_at"],
        tuple(row["notified_to"]),
    )


class DutyStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def add_shift(
        self, user_id: str, role: DutyRole, span: tuple[datetime, datetime], by: str, at: datetime
    ) -> Shift:
        check_shift(user_id, *span)
        try:
            row = await self._pool.fetchrow(_ADD_SHIFT, user_id, role.value, *span, by, at)
        except asyncpg.ForeignKeyViolationError:
            raise InvalidCommand(
                "user.unknown", f"no user {user_id}", field="user_id", user=user_id
            ) from None
        assert row is not None
        return shift_from(row)

    async def end_shift(self, shift_id: int, by: str, at: datetime) -> Shift:
        """End a shift now (or cut a future one to nothing); a shift already over is refused."""
        in_range = 0 < shift_id <= BIGINT_MAX  # a larger id names no row (and PostgreSQL balks)
        row = await self._pool.fetchrow(_END_SHIFT, shift_id, at, by) if in_range else None
        if row is None:
            raise NotFound("shift.unknown", f"no shift {shift_id} still to run")
        return shift_from(row)

    async def shifts(self, since: datetime, until: datetime) -> list[Shift]:
        """Shifts overlapping [since, until), earliest first."""
        rows = await self._pool.fetch(
            f"SELECT {_SHIFT} FROM duty_shifts WHERE ends_at > $1 AND starts_at < $2 "
            "ORDER BY starts_at, id",
            since,
            until,
        )
        return [shift_from(r) for r in rows]

    async def file(self, report: ZeroReport) -> ZeroReport:
        """Record a unit's report; a second one the same day corrects it (time, lateness kept)."""
        r = report
        row = await self._pool.fetchrow(
            _FILE, r.unit, r.day, r.status.value, r.text, r.reported_by, r.reported_at, r.late
        )
        assert row is not None
        return report_from(row)

    async def reports(self, day: date) -> list[ZeroReport]:
        rows = await self._pool.fetch(f"SELECT {_REPORT} FROM zero_reports WHERE day = $1", day)
        return [report_from(r) for r in rows]

    async def flags(self, day: date) -> list[Flag]:
        rows = await self._pool.fetch("SELECT * FROM zero_report_flags WHERE day = $1", day)
        return [flag_from(r) for r in rows]

    async def flag(
        self, unit: str, day: date, due: datetime, now: datetime, officers: tuple[str, ...]
    ) -> bool:
        """Flag a missing report; True for the one caller that tells the duty officers.

        Without a duty officer on duty the flag waits, untold, for the next check.
        """
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(_FLAG, unit, day, due, now)
            if not officers:
                return False
            told = await conn.fetchval(_NOTIFY, unit, day, now, list(officers))
            return told is not None
