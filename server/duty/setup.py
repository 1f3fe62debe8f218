"""The duty routine's rules from the settings, and how often the zero report is checked."""

from __future__ import annotations

from collections.abc import Mapping
from zoneinfo import ZoneInfo

import structlog

from incidents.duty import ZeroReportRules
from playbooks.schema import Unit
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
