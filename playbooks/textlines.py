"""A text's lines as PyYAML counts them, so our line numbers agree with its marks.

A line ends at CR LF, CR, LF, NEL (U+0085), LS (U+2028) or PS (U+2029); columns
count characters (code points), as PyYAML's do: 中, 😀 and a tab are one column each.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property

BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
TAB_STOP = 8


@dataclass(frozen=True)
class Lines:
    """The lines of `text`, numbered from 1."""

    text: str

    @cached_property
    def spans(self) -> tuple[tuple[int, int], ...]:
        """(start, end) character offsets of each line's content, without its break."""
        spans, start = [], 0
        for found in BREAK.finditer(self.text):
            spans.append((start, found.start()))
            start = found.end()
        spans.append((start, len(self.text)))
        return tuple(spans)

    def __len__(self) -> int:
        return len(self.spans)

    def line(self, number: int) -> str:
        """Line `number` (1-based) without its break; "" past the end."""
        if not 1 <= number <= len(self.spans):
            return ""
        start, end = self.spans[number - 1]
        return self.text[start:end]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset."""
        line = bisect.bisect_right([start for start, _ in self.spans], offset)
        return line, offset - self.spans[line - 1][0] + 1

    def replaced(self, new: dict[int, str]) -> str:
        """The text with the given lines' content replaced; every break kept, so lines stay put."""
        parts, last = [], 0
        for number in sorted(new):
            start, end = self.spans[number - 1]
            parts += [self.text[last:start], new[number]]
            last = end
        return "".join([*parts, self.text[last:]])


def indent(line: str) -> int:
    """The width of the leading blanks, a tab reaching the next multiple of 8 (as a terminal)."""
    expanded = line.expandtabs(TAB_STOP)
    return len(expanded) - len(expanded.lstrip(" "))


def has_content(line: str) -> bool:
    """True unless the line is blank or only a comment."""
    stripped = line.strip(" \t\ufeff")
    return bool(stripped) and not stripped.startswith("#")
