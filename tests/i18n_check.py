"""Finding the other language in what a person reads: English words in Chinese, Chinese in English.

from tests.i18n_check import chinese_runs, english_words, html_text

assert english_words(zh_text) == []
assert chinese_runs(en_text, typed=[incident.location, incident.summary]) == []
assert english_words(html_text(page_html)) == []
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser

# Latin words a Chinese text may hold: names of formats, the product, units of measure.
ALLOWED = frozenset(
    {
        "PDF",
        "JSON",
        "CSV",
        "Markdown",
        "SHA",
        "ETA",
        "URL",
        "IP",  # as written in Chinese: IP 地址, IP 白名单
        "seq",
        "Watchfloor",
        "km",
        "min",
        "KB",  # file sizes and the formats an attachment may be in
        "MB",
        "JPEG",
        "PNG",
        "WebP",
        "HEIC",
        "MP3",
        "M4A",
        "AMR",
        "WAV",
        "Ogg",
        "WebM",
        "DOCX",
    }
)
_ADDRESS = re.compile(r"https?://\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_HEX = re.compile(r"\b[0-9a-f]{8,}\b")  # hashes and their prefixes
_TOKEN = re.compile(r"[A-Za-z0-9_]+(?:[-.][A-Za-z0-9_]+)*")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def _is_id(token: str) -> bool:
    """A login or dispatch id, a time, a version, a number: a digit marks it ("duty1",
    "police_car-1", "2026-03-02T09"); a snake_case name without one ("identify_department")
    is words a person should not be shown."""
    return any(c.isdigit() for c in token)


def english_words(text: str) -> list[str]:
    """The Latin words in `text` that are no id, hash, UUID, address or allowed name (a leak)."""
    text = _HEX.sub(" ", _UUID.sub(" ", _ADDRESS.sub(" ", text)))
    found = []
    for token in _TOKEN.findall(text):
        if token in ALLOWED or _is_id(token):
            continue
        found += [w for w in re.split(r"[-._]", token) if w and w not in ALLOWED]
    return found


def chinese_runs(text: str, typed: Iterable[str] = ()) -> list[str]:
    """The runs of Chinese characters in `text`, once what a user typed is taken out."""
    for words in sorted(typed, key=len, reverse=True):  # the longest first: one may hold another
        if words:
            text = text.replace(words, " ")
    return _HAN.findall(text)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._hidden += tag in ("style", "script")
        self.parts += [v for k, v in attrs if k in ("title", "placeholder", "aria-label") and v]

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in ("style", "script")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_text(html: str) -> str:
    """What a person reads in an HTML page: its text, titles and placeholders (no tags, CSS)."""
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)
