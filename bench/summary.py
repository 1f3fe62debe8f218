"""bench/results/summary.json: one object, a key per figure, each {measured, target, baseline}.

Every benchmark adds its own figures with `record`, merged into what the others wrote, so a
figure is found under the same name whichever benchmark ran last.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypedDict

from bench.common import RESULTS

SUMMARY = RESULTS / "summary.json"


class Figure(TypedDict):
    measured: float | None
    target: float
    baseline: float | None


def figure(measured: float | None, target: float, baseline: float | None) -> Figure:
    return {"measured": measured, "target": target, "baseline": baseline}


def record(figures: dict[str, Figure], path: Path = SUMMARY) -> Path:
    """Merge these figures into the summary (those of other benchmarks are kept)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    current = json.loads(path.read_text()) if path.exists() else {}
    current.update(figures)
    tmp = path.with_suffix(".tmp")  # written whole, then renamed: never half a file
    tmp.write_text(json.dumps(current, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    tmp.replace(path)
    return path
