"""The timeline as CSV: one row per event, with its sentence, payload and hashes."""

from __future__ import annotations

import csv
import io
import json

from server.export.model import Report
from server.i18n import Translator
from server.incident.timeline import describe

COLUMNS = (
    "seq",
    "occurred_at",
    "recorded_by",
    "who",  # recorded_by as a person reads it: the user's name, the unit's name
    "kind",
    "text",
    "payload",
    "prev_hash",
    "hash",
)


# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...) sends
# data away): such a cell is written with a leading apostrophe, shown as text, never run.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value


def render_csv(report: Report, t: Translator, redacted: dict[int, tuple[str, ...]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*COLUMNS, "redacted"])
    for e in report.events:
        row = [
            e.seq,
            e.occurred_at.astimezone(t.zone).isoformat(),
            e.recorded_by,
            t.who(e.recorded_by),
            e.kind,
            describe(e, report.state, t),
            json.dumps(e.payload, ensure_ascii=False, sort_keys=True),
            e.prev_hash,
            e.hash,
            " ".join(redacted.get(e.seq, ())),
        ]
        writer.writerow([cell(value) for value in row])
    return "\ufeff" + out.getvalue()  # a byte-order mark, so spreadsheet programs read UTF-8
