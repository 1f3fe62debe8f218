"""Reading past a YAML syntax error, by lines: leave the broken entry out and read again.

PyYAML stops at the first syntax error. To find the next one, the loader leaves
out the entry where the broken construct began (that line and the lines indented
under it: an item and its keys, a key and its block value) and reads the file
again. The next line at the same or a lesser indentation is a sibling or an
ancestor's sibling, so the block structure around the hole is untouched: that is
the resync point (panic-mode recovery, with indentation as the synchronising
token). A left-out list entry `- …` becomes the placeholder `- ~`, so the entries
after it keep their index in problem paths. A left-out line becomes empty and
keeps its line break, so every later line and column is still right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from playbooks.textlines import Lines, has_content, indent

MAX_SYNTAX_ERRORS = 10
PLACEHOLDER = "- ~"
LIST_ENTRY = re.compile(r"[ \t]*-(?:[ \t]|$)")
COMMENT = re.compile(r"(?:^|[ \t])#.*$")


@dataclass(frozen=True, slots=True)
class Recovery:
    """The text as read so far, the lines left out of it, and how many syntax errors it had."""

    text: str
    left_out: frozenset[int] = frozenset()
    placeholders: frozenset[int] = frozenset()
    errors: int = 0

    def past(self, fault: int) -> Recovery | None:
        """The text without the entry at line `fault`; None when nothing is left to leave out."""
        lines = Lines(self.text)
        span = entry(lines, fault)
        if not any(lines.line(n) for n in span):  # a left-out line is already empty
            return None
        new = dict.fromkeys(span, "")
        first = lines.line(fault)
        placed = frozenset({fault}) if LIST_ENTRY.match(first) else frozenset()
        if placed:
            new[fault] = " " * indent(first) + PLACEHOLDER
        return Recovery(
            text=lines.replaced(new),
            left_out=self.left_out | set(span),
            placeholders=self.placeholders | placed,
            errors=self.errors + 1,
        )

    def unplaced(self, line: int) -> Recovery:
        """Our placeholder at `line` did not fit where it stood: leave it out too (no new error)."""
        text = Lines(self.text).replaced({line: ""})
        return replace(self, text=text, placeholders=self.placeholders - {line})

    def cut_at(self, offset: int) -> Recovery:
        """Only the text before `offset` (where a second document starts)."""
        return replace(self, text=self.text[:offset])


def entry(lines: Lines, fault: int) -> range:
    """Line `fault` and the lines under it: indented deeper, or `- ` entries of a bare `key:`."""
    first = lines.line(fault)
    opens = COMMENT.sub("", first).rstrip().endswith(":")
    width = _width(lines, fault, opens or bool(LIST_ENTRY.match(first)))
    last = fault
    for number in range(fault + 1, len(lines) + 1):
        line = lines.line(number)
        if not has_content(line):
            continue
        deeper = indent(line) > width
        if not (deeper or (opens and indent(line) == width and LIST_ENTRY.match(line))):
            break
        last = number
    return range(fault, last + 1)


def _width(lines: Lines, fault: int, opens: bool) -> int:
    """The indentation of line `fault`; for a tab-indented line that opens a block, at most
    one less than the next line's, since a tab's width is a guess and its block is below it."""
    first = lines.line(fault)
    width = indent(first)
    if "\t" not in first[: len(first) - len(first.lstrip(" \t"))] or not opens:
        return width
    below = next(
        (lines.line(n) for n in range(fault + 1, len(lines) + 1) if has_content(lines.line(n))), ""
    )
    return min(width, indent(below) - 1) if below else width
