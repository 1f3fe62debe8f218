"""Raw bytes to one YAML node tree, safely: size cap, UTF-8, no anchors, aliases or tags.

Composing uses a SafeLoader with no implicit resolvers, so every scalar stays the
string it was written as (`NO`, `12:30`, `1e3`). Anchors, aliases and tags are
refused as their events arrive: an alias is never resolved to its anchored node,
so an alias bomb cannot expand. Nesting is capped before Python's stack is.

A syntax error (or a control character) is reported and read past (resync.py), up
to MAX_SYNTAX_ERRORS of them, so the rest of the file is still checked; when that
is not possible the last message says that checking stopped at that line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from playbooks.fields import Ctx, Node
from playbooks.resync import MAX_SYNTAX_ERRORS, Recovery
from playbooks.syntax import Mark, describe, fault_line, is_second_document
from playbooks.textlines import Lines

MAX_BYTES = 256 * 1024
MAX_DEPTH = 32
NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE
STOPPED = "checking stopped at this line: the rest of the file could not be read"


class TooDeep(Exception):
    """Raised by the strict loader to stop reading a document nested too deeply."""

    def __init__(self, mark: Mark | None) -> None:
        super().__init__(mark)
        self.mark = mark


class StrictLoader(yaml.SafeLoader):
    """A SafeLoader that keeps every scalar as raw text and refuses anchors, aliases and tags.

    Refusals are collected in `refusals` as (mark, message); reading goes on.
    """

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 (PyYAML reads it per class)

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.refusals: list[tuple[Mark | None, str]] = []
        self.depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped stub
        if isinstance(event, yaml.AliasEvent):
            self.refusals.append((event.start_mark, f"aliases (*{event.anchor}) are not allowed"))
            self.get_event()  # type: ignore[no-untyped-call]  # untyped stub
            return yaml.ScalarNode("tag:yaml.org,2002:str", "")  # never expanded, never read
        self._refuse_anchor_and_tag(event)
        nested = isinstance(event, yaml.CollectionStartEvent)
        if self.depth + nested > MAX_DEPTH:
            raise TooDeep(event.start_mark)
        self.depth += nested
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= nested

    def _refuse_anchor_and_tag(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.NodeEvent) and event.anchor is not None:
            self.refusals.append((event.start_mark, f"anchors (&{event.anchor}) are not allowed"))
            event.anchor = None
        if isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent) and event.tag:
            self.refusals.append((event.start_mark, f"tags ({event.tag}) are not allowed"))


@dataclass(frozen=True, slots=True)
class Parsed:
    """The root node of a file's one document, and the lines left out to read past errors."""

    root: Node
    left_out: frozenset[int]


@dataclass(frozen=True, slots=True)
class _Attempt:
    """One reading of the text: a root, or the error that stopped it; refusals either way."""

    root: Node | None
    refusals: tuple[tuple[Mark | None, str], ...]
    error: yaml.YAMLError | TooDeep | None


def read_nodes(ctx: Ctx, data: bytes) -> Parsed | None:
    """The root node of `data`; None when no tree can be checked (the reason is in ctx)."""
    if len(data) > MAX_BYTES:
        size = f"{len(data)} bytes"
        ctx.report_at(1, 1, "", f"the file is {size}; the limit is {MAX_BYTES // 1024} KiB")
        return None
    text = _decode(ctx, data)
    return None if text is None else _compose(ctx, text)


def _decode(ctx: Ctx, data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line, column = _byte_position(data, err.start)
        byte = f"0x{data[err.start]:02x}"
        message = f"not valid UTF-8 (byte {byte}); save the file as UTF-8"
        ctx.report_at(line, column, "", f"{message} (nothing in the file was checked)")
        return None


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """Line and column (in characters, as an editor shows them) of a byte offset."""
    before = data[:offset].decode("utf-8", errors="replace")
    return Lines(before).position(len(before))


def _compose(ctx: Ctx, text: str) -> Parsed | None:
    """The single document of `text`; refusals and YAML errors are reported in ctx."""
    before = len(ctx.problems)
    recovery = _past_unprintable(ctx, Recovery(text))
    root = None if recovery is None else _read_on(ctx, recovery)
    if root is None and len(ctx.problems) == before:
        empty = "the file is empty" if _blank(text) else "the file is empty: it holds only comments"
        ctx.report_at(1, 1, "", empty)
    return root


def _blank(text: str) -> bool:
    return not text.lstrip("\ufeff").strip()


def _past_unprintable(ctx: Ctx, recovery: Recovery) -> Recovery | None:
    """Report each line holding a control character, and leave it out; None once stopped."""
    lines = Lines(recovery.text)
    for found in NON_PRINTABLE.finditer(recovery.text):
        line, column = lines.position(found.start())
        if line in recovery.left_out:
            continue
        message = f"character U+{ord(found.group()):04X} is not allowed in YAML"
        after = _next(ctx, recovery, line, column, message, line)
        if after is None:
            return None
        recovery = after
    return recovery


def _read_on(ctx: Ctx, recovery: Recovery) -> Parsed | None:
    """Read, and read again past each syntax error, until the text parses or checking stops."""
    while True:
        attempt = _attempt(recovery.text)
        err = attempt.error
        if not isinstance(err, yaml.MarkedYAMLError):
            return _finish(ctx, attempt, recovery)
        if is_second_document(err) and err.problem_mark is not None:
            _report_mark(ctx, *describe(err))  # refused; the first document is still checked
            recovery = recovery.cut_at(err.problem_mark.index)
        elif fault_line(err) in recovery.placeholders:
            recovery = recovery.unplaced(fault_line(err))
        else:
            mark, message = describe(err)
            line, column = _line_column(mark)
            after = _next(ctx, recovery, line, column, message, fault_line(err))
            if after is None:
                _report_refusals(ctx, attempt)
                return None
            recovery = after


def _next(
    ctx: Ctx, recovery: Recovery, line: int, column: int, message: str, fault: int
) -> Recovery | None:
    """Report one syntax error and leave its entry out; None when checking stops here."""
    if recovery.errors == MAX_SYNTAX_ERRORS:
        many = f"more than {MAX_SYNTAX_ERRORS} YAML syntax errors"
        ctx.report_at(line, column, "", f"{many}; {STOPPED}")
        return None
    after = recovery.past(fault)
    ctx.report_at(line, column, "", message if after is not None else f"{message}; {STOPPED}")
    return after


def _attempt(text: str) -> _Attempt:
    try:
        loader = StrictLoader(text)
    except yaml.YAMLError as err:
        return _Attempt(None, (), err)
    try:
        return _Attempt(loader.get_single_node(), tuple(loader.refusals), None)
    except (yaml.YAMLError, TooDeep) as err:
        return _Attempt(None, tuple(loader.refusals), err)
    finally:
        loader.dispose()


def _finish(ctx: Ctx, attempt: _Attempt, recovery: Recovery) -> Parsed | None:
    """The tree to check, unless a refusal, the depth cap or an odd error stops checking."""
    _report_refusals(ctx, attempt)
    if isinstance(attempt.error, TooDeep):
        _report_mark(ctx, attempt.error.mark, f"nested deeper than {MAX_DEPTH} levels")
    elif attempt.error is not None:
        ctx.report_at(1, 1, "", f"YAML error: {attempt.error}")
    if attempt.error is not None or attempt.refusals or attempt.root is None:
        return None
    return Parsed(attempt.root, recovery.left_out)


def _report_refusals(ctx: Ctx, attempt: _Attempt) -> None:
    for mark, message in attempt.refusals:
        _report_mark(ctx, mark, message)


def _line_column(mark: Mark | None) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _report_mark(ctx: Ctx, mark: Mark | None, message: str) -> None:
    ctx.report_at(*_line_column(mark), "", message)
