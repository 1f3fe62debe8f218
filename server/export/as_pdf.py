"""The report as PDF: HTML with the drawn timeline (SVG), laid out by WeasyPrint.

WeasyPrint finds fonts through fontconfig, so Chinese is set in Noto Sans CJK
(Debian: fonts-noto-cjk). Imported only when a PDF is asked for: it is slow to load.
"""

from __future__ import annotations

from collections.abc import Mapping

from incidents.plan import Bilingual
from server.export.model import Report
from server.export.text import context, environment
from server.i18n import Translator


def render_html(report: Report, t: Translator, units: Mapping[str, Bilingual]) -> str:
    return environment().get_template("report.html").render(**context(report, t, units))


def render_pdf(report: Report, t: Translator, units: Mapping[str, Bilingual]) -> bytes:
    import weasyprint  # type: ignore[import-untyped]  # heavy: loaded for PDFs only

    html = render_html(report, t, units)
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf
