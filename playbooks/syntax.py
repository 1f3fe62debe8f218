"""What a PyYAML syntax error says to the person who wrote the file, and where it points.

PyYAML's own wording is kept after "YAML syntax error:" unless a plainer sentence
fits the common cases: a tab, an unclosed quote, an unclosed [ or {, a stray ': '.
"""

from __future__ import annotations

import re
from typing import Protocol

import yaml

SECOND_DOCUMENT = "but found another document"
BROAD_CONTEXTS = ("while parsing a block mapping", "while parsing a block collection")
CANNOT_START = re.compile(r"found character '(.+)' that cannot start any token")
OPENED = {
    "while parsing a flow sequence": ("list", "["),
    "while parsing a flow mapping": ("mapping", "{"),
}


class Mark(Protocol):
    """A position in the text, as PyYAML (pure or libyaml) reports it; 0-based."""

    line: int
    column: int
    index: int


def is_second_document(err: yaml.MarkedYAMLError) -> bool:
    return err.problem == SECOND_DOCUMENT


def fault_line(err: yaml.MarkedYAMLError) -> int:
    """The 1-based line where the broken construct began (an unclosed quote's, not its end)."""
    mark = err.problem_mark if _broad(err) else err.context_mark or err.problem_mark
    return 1 if mark is None else mark.line + 1


def describe(err: yaml.MarkedYAMLError) -> tuple[Mark | None, str]:
    """Where to point, and the message."""
    if is_second_document(err):
        return err.problem_mark, "a playbook file holds one YAML document; found a second"
    if err.context == "while scanning a quoted scalar" and "end of stream" in str(err.problem):
        return err.context_mark, "YAML syntax error: this quote is never closed"
    return err.problem_mark, f"YAML syntax error: {_problem(err)}{_context(err)}"


def _problem(err: yaml.MarkedYAMLError) -> str:
    problem = str(err.problem or "")
    found = CANNOT_START.fullmatch(problem)
    if found and found.group(1) == "\\t":
        return "a tab character where YAML allows only spaces; replace it with spaces"
    if found:
        return f"a value cannot begin with {found.group(1)}; put the value in quotes"
    if problem == "mapping values are not allowed here":
        return (
            "unexpected ': ' (a colon and a space); check this line's indentation,"
            " or put a value that contains ': ' in quotes"
        )
    return problem


def _context(err: yaml.MarkedYAMLError) -> str:
    if not err.context or CANNOT_START.fullmatch(str(err.problem or "")):
        return ""
    mark = err.context_mark
    if mark is None or _broad(err):
        return f" ({err.context})"
    where = f"line {mark.line + 1}, column {mark.column + 1}"
    if err.context in OPENED:
        what, bracket = OPENED[err.context]
        return f" (in the {what} opened with '{bracket}' at {where})"
    return f" ({err.context} at {where})"


def _broad(err: yaml.MarkedYAMLError) -> bool:
    """A context that names the enclosing block, maybe far above: not where the fault is."""
    return err.context_mark is None or err.context in BROAD_CONTEXTS
