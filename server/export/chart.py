"""The drawn timeline: milestones on a time axis over the checklist's progress, as SVG text.

Pure ElementTree: no plotting library. The caller gives labels already translated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.etree import ElementTree as ET

WIDTH, HEIGHT = 760, 300
LEFT, RIGHT, TOP, BOTTOM = 50, 20, 20, 40
PLOT_H = 120  # the progress band, under the milestones
FONT = "Noto Sans CJK SC, Noto Sans, sans-serif"


@dataclass(frozen=True, slots=True)
class Milestone:
    at: datetime
    label: str
    late: bool = False


@dataclass(frozen=True, slots=True)
class CheckMark:
    """A welfare check on the visitor: recorded (a green dot) or missed (a red cross)."""

    at: datetime
    missed: bool = False


CHECK_ROW = HEIGHT - BOTTOM - PLOT_H - 14  # between the milestones and the progress band


def _scale(start: datetime, end: datetime) -> Callable[[datetime], float]:
    span = max((end - start).total_seconds(), 1.0)
    usable = WIDTH - LEFT - RIGHT
    return lambda t: LEFT + usable * min(max((t - start).total_seconds() / span, 0.0), 1.0)


def _el(parent: ET.Element, tag: str, **attrs: object) -> ET.Element:
    return ET.SubElement(parent, tag, {k.replace("_", "-"): str(v) for k, v in attrs.items()})


def _axis(svg: ET.Element, start: datetime, end: datetime, fmt: Callable[[datetime], str]) -> None:
    x = _scale(start, end)
    base = HEIGHT - BOTTOM
    _el(svg, "line", x1=LEFT, y1=base, x2=WIDTH - RIGHT, y2=base, stroke="#333")
    for n in range(5):
        t = start + (end - start) * n / 4
        _el(svg, "line", x1=x(t), y1=base, x2=x(t), y2=base + 4, stroke="#333")
        label = _el(svg, "text", x=x(t), y=base + 16, font_size=10, text_anchor="middle")
        label.text = fmt(t)


def _progress(
    svg: ET.Element, steps: Sequence[tuple[datetime, int, int]], x: Callable[[datetime], float]
) -> None:
    base = HEIGHT - BOTTOM
    total = max((s[2] for s in steps), default=0)
    if not total:
        return
    points, prev_y = [], float(base)
    for at, done, _ in steps:
        y = base - PLOT_H * done / total
        points += [f"{x(at):.1f},{prev_y:.1f}", f"{x(at):.1f},{y:.1f}"]
        prev_y = y
    points.append(f"{WIDTH - RIGHT:.1f},{prev_y:.1f}")
    _el(svg, "polyline", points=" ".join(points), fill="none", stroke="#2a7", stroke_width=2)
    top = _el(svg, "text", x=LEFT - 4, y=base - PLOT_H + 4, font_size=10, text_anchor="end")
    top.text = str(total)


def _milestones(
    svg: ET.Element, milestones: Sequence[Milestone], x: Callable[[datetime], float]
) -> None:
    base = HEIGHT - BOTTOM
    for n, m in enumerate(sorted(milestones, key=lambda m: m.at)):
        colour = "#c00" if m.late else "#135"
        y = TOP + 12 + (n % 6) * 14  # stagger the labels so that close ones do not overlap
        _el(
            svg,
            "line",
            x1=x(m.at),
            y1=y + 2,
            x2=x(m.at),
            y2=base,
            stroke=colour,
            stroke_dasharray="2,2",
        )
        _el(svg, "circle", cx=x(m.at), cy=y, r=3, fill=colour)
        text = _el(svg, "text", x=x(m.at) + 5, y=y + 4, font_size=10, fill=colour)
        text.text = m.label


def _checks(svg: ET.Element, marks: Sequence[CheckMark], x: Callable[[datetime], float]) -> None:
    y = CHECK_ROW
    if marks:
        _el(svg, "line", x1=LEFT, y1=y, x2=WIDTH - RIGHT, y2=y, stroke="#ccd", stroke_width=1)
    for m in sorted(marks, key=lambda m: m.at):
        if m.missed:
            cx = x(m.at)
            for dx in (-4, 4):
                _el(
                    svg,
                    "line",
                    x1=cx - dx,
                    y1=y - 4,
                    x2=cx + dx,
                    y2=y + 4,
                    stroke="#c00",
                    stroke_width=2,
                    **{"class": "check-missed"},
                )
        else:
            _el(svg, "circle", cx=x(m.at), cy=y, r=3, fill="#2a7", **{"class": "check-recorded"})


def timeline_svg(
    start: datetime,
    end: datetime,
    milestones: Sequence[Milestone],
    progress: Sequence[tuple[datetime, int, int]],
    *,
    time_label: Callable[[datetime], str],
    title: str,
    progress_label: str,
    checks: Sequence[CheckMark] = (),
    checks_label: str = "",
) -> str:
    """An SVG document: milestones as dotted markers, checklist progress as a step line."""
    end = max(end, start)
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "width": str(WIDTH),
            "height": str(HEIGHT),
            "viewBox": f"0 0 {WIDTH} {HEIGHT}",
            "font-family": FONT,
            "role": "img",
        },
    )
    _el(svg, "title").text = title
    x = _scale(start, end)
    _progress(svg, progress, x)
    _axis(svg, start, end, time_label)
    _milestones(svg, milestones, x)
    _checks(svg, checks, x)
    legend = _el(svg, "text", x=LEFT, y=HEIGHT - 6, font_size=10, fill="#2a7")
    legend.text = progress_label
    if checks:
        key = _el(svg, "text", x=WIDTH - RIGHT, y=HEIGHT - 6, font_size=10, text_anchor="end")
        key.text = checks_label
    return ET.tostring(svg, encoding="unicode")
