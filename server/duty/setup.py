"""Putting the duty routine into the app: its store, its rules, its periodic check."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import structlog

from incidents.duty import ZeroReportRules
from playbooks.schema import Unit
from server.duty.store import DutyStore
from server.duty.worker import flag_missing_zero_reports
from server.settings import Settings

log = structlog.get_logger(__name__)
ZERO_CHECK_EVERY = 5.0  # seconds between looks for zero reports missing after the hour


def rules_from(settings: Settings, units: Mapping[str, Unit]) -> ZeroReportRules:
    """The units that must report (unknown ids are logged and left out), the hour, the zone."""
    unknown = [u for u in settings.zero_report_units if u not in units]
    if unknown:
        log.warning("zero_report_units_unknown", units=unknown)
    known = tuple(u for u in settings.zero_report_units if u in units)
    return ZeroReportRules(known, settings.zero_report_hour, ZoneInfo(settings.timezone))


def install(state: Any, settings: Settings, pool: asyncpg.Pool) -> None:
    """app.state.duty and app.state.zero_rules (the library must be on app.state)."""
    state.duty = DutyStore(pool)
    state.zero_rules = rules_from(settings, state.library.units)


async def zero_check(state: Any) -> int:
    return await flag_missing_zero_reports(state.duty, state.zero_rules, state.clock)
