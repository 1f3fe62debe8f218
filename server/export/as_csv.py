"""The timeline as CSV: one row per event, with its sentence, payload and hashes."""

from __future__ import annotations

import csv
import io
import json

from server.export.model import Report
from server.i18n import Translator
from server.timeline import describe

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


def render_csv(report: Report, t: Translator, redacted: dict[int, tuple[str, ...]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*COLUMNS, "redacted"])
    for e in report.events:
        writer.writerow(
            [
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
        )
    return "\ufeff" + out.getvalue()  # a byte-order mark, so spreadsheet programs read UTF-8
