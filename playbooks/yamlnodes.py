"""Raw bytes to one YAML node tree, safely: size cap, UTF-8, no anchors, aliases or tags.

Composing uses a SafeLoader with no implicit resolvers, so every scalar stays the
string it was written as (`NO`, `12:30`, `1e3`). Anchors, aliases and tags are
refused as their events arrive: an alias is never resolved to its anchored node,
so an alias bomb cannot expand. Nesting is capped before Python's stack is.
"""

from __future__ import annotations

from typing import Any, Protocol

import yaml

from playbooks.fields import Ctx, Node

MAX_BYTES = 256 * 1024
MAX_DEPTH = 32
SECOND_DOCUMENT = "but found another document"


class Mark(Protocol):
    """A position in the text, as PyYAML (pure or libyaml) reports it; 0-based."""

    line: int
    column: int


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


def read_nodes(ctx: Ctx, data: bytes) -> Node | None:
    """The root node of `data`; None when a problem (always reported in ctx) stops reading."""
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
        ctx.report_at(line, column, "", f"not valid UTF-8 (byte {byte}); save the file as UTF-8")
        return None


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """Line and column (in characters, as an editor shows them) of a byte offset."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    before = data[line_start:offset].decode("utf-8", errors="replace")
    return data.count(b"\n", 0, offset) + 1, len(before) + 1


def _compose(ctx: Ctx, text: str) -> Node | None:
    """The single document of `text`; refusals and YAML errors are reported in ctx."""
    before = len(ctx.problems)
    loader = _strict_loader(ctx, text)
    root = None if loader is None else _single_node(ctx, loader, text)
    if root is None and len(ctx.problems) == before:
        ctx.report_at(1, 1, "", "the file is empty")
    return root if len(ctx.problems) == before else None


def _strict_loader(ctx: Ctx, text: str) -> StrictLoader | None:
    try:
        return StrictLoader(text)
    except yaml.YAMLError as err:
        _report_yaml_error(ctx, err, text)
        return None


def _single_node(ctx: Ctx, loader: StrictLoader, text: str) -> Node | None:
    try:
        return loader.get_single_node()
    except yaml.YAMLError as err:
        _report_yaml_error(ctx, err, text)
        return None
    except TooDeep as err:
        _report_mark(ctx, err.mark, f"nested deeper than {MAX_DEPTH} levels")
        return None
    finally:
        for mark, message in loader.refusals:
            _report_mark(ctx, mark, message)
        loader.dispose()


def _report_mark(ctx: Ctx, mark: Mark | None, message: str) -> None:
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    ctx.report_at(line, column, "", message)


def _report_yaml_error(ctx: Ctx, err: yaml.YAMLError, text: str) -> None:
    if isinstance(err, yaml.reader.ReaderError):
        line, column = _char_position(text, int(err.position))
        character = f"U+{int(err.character):04X}"
        ctx.report_at(line, column, "", f"character {character} is not allowed in YAML")
    elif isinstance(err, yaml.MarkedYAMLError):
        _report_mark(ctx, err.problem_mark, _describe(err))
    else:
        ctx.report_at(1, 1, "", f"YAML error: {err}")


def _describe(err: yaml.MarkedYAMLError) -> str:
    if err.problem == SECOND_DOCUMENT:
        return "a playbook file holds one YAML document; found a second"
    context = f" ({err.context})" if err.context else ""
    return f"YAML syntax error: {err.problem}{context}"


def _char_position(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1
