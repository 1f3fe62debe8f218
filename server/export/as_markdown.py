"""The report as Markdown: the same sections as the PDF, as text a leadership group can file."""

from __future__ import annotations

from collections.abc import Mapping

from incidents.plan import Bilingual
from server.export.model import Report
from server.export.text import context, environment
from server.i18n import Translator


def render_markdown(report: Report, t: Translator, units: Mapping[str, Bilingual]) -> str:
    template = environment().get_template("report.md")
    return template.render(**context(report, t, units))
