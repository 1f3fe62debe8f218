"""The review for people: its rows in words, its timeline drawn (SVG), Markdown and PDF."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from incidents.drill_review import Review
from server.drills.runner import DrillRunner
from server.drills.text import Words, clock, markdown
from server.export import pdf_ready
from server.export.chart import Milestone, timeline_svg
from server.i18n import Translator

PDF_STYLE = (
    "body{font-family:'Noto Sans CJK SC','Noto Color Emoji',sans-serif;font-size:10pt}"
    "table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:2px 4px}"
    ".late,.missed{color:#b00;font-weight:bold}"
)


async def _gather(runner: DrillRunner, main: UUID, language: str) -> tuple[Review, Words]:
    review = await runner.review(main)
    ids = [main, *dict.fromkeys(k.incident for k in review.times)]
    states = {i: await runner.state(i) for i in ids}
    t = runner.translator(language)
    return review, Words(t, states)


def chart(review: Review, words: Words) -> str:
    start = review.started_at
    end = review.ended_at or max((k.at for k in review.times if k.at), default=start)
    marks = [Milestone(k.at, words.what(k), k.late) for k in review.times if k.at is not None]

    def label(at: datetime) -> str:
        return clock(round((at - start).total_seconds() * review.speed))

    return timeline_svg(
        start,
        max(end, start + timedelta(seconds=1)),
        marks,
        (),
        time_label=label,
        title=words.t("drill.review.title"),
        progress_label=words.t("drill.review.axis"),
    )


async def review_context(runner: DrillRunner, main: UUID, language: str) -> dict[str, Any]:
    review, words = await _gather(runner, main, language)
    state = words.states[main]
    script = runner.scripts.get(review.script)
    return {
        "review": review,
        "main": state,
        "script": script,
        "rows": [words.row(k) for k in review.times],
        "unanswered": [words.unanswered(u) for u in review.unanswered],
        "chart": chart(review, words),
    }


async def review_markdown(runner: DrillRunner, main: UUID, language: str) -> str:
    review, words = await _gather(runner, main, language)
    return markdown(review, words, runner.scripts.get(review.script))


async def review_pdf(runner: DrillRunner, main: UUID, language: str) -> bytes:
    """Laid out in a thread (the request path does not wait on the loop); refused, naming
    the packages, where this machine cannot lay out a PDF."""
    lacking = await asyncio.to_thread(pdf_ready.missing)
    if lacking:
        raise pdf_ready.unavailable(lacking)
    review, words = await _gather(runner, main, language)
    text = markdown(review, words, runner.scripts.get(review.script))
    svg = chart(review, words)
    return await asyncio.to_thread(_pdf, text, svg, words.t)


def _pdf(text: str, svg: str, t: Translator) -> bytes:
    import html

    import markdown_it
    import weasyprint  # type: ignore[import-untyped]  # heavy: loaded for PDFs only

    body = markdown_it.MarkdownIt("commonmark").enable("table").render(text)
    page = (
        f"<!doctype html><html lang='{html.escape(t.language)}'><head><meta charset='utf-8'>"
        f"<style>{PDF_STYLE}</style></head><body>{svg}{body}</body></html>"
    )
    pdf: bytes = weasyprint.HTML(string=page).write_pdf()
    return pdf
