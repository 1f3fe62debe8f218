"""Typed readers over a YAML node tree that record problems instead of raising.

Every scalar arrives as its raw string; a reader converts it only to the type the
schema expects there. On a bad value a reader records a Problem in the Ctx and
returns a placeholder of the right type, so reading goes on and every problem is
reported at once. The loader never hands out a model built while the Ctx has
problems.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeAlias, TypeVar

import yaml

from playbooks.durations import parse_duration
from playbooks.errors import Problem
from playbooks.schema import Text

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)
Node: TypeAlias = yaml.Node
Converter: TypeAlias = Callable[["Ctx", Node, str], T]

ID = re.compile(r"[a-z][a-z0-9_]{0,63}")
ID_RULE = "ids are lowercase letters, digits and _, starting with a letter"
NO_TEXT = Text(zh="", en="")


@dataclass
class Ctx:
    """The file being read, the problems found so far, and where each path was seen."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    marks: dict[str, tuple[int, int]] = field(default_factory=dict)
    nodes: list[Node | None] = field(default_factory=list)  # where each problem was found

    def report_at(
        self, line: int, column: int, path: str, message: str, node: Node | None = None
    ) -> None:
        self.problems.append(Problem(self.file, line, column, path, message))
        self.nodes.append(node)

    def report(self, path: str, message: str, node: Node | None = None) -> None:
        """Record a problem at `node`, or where `path` (or its nearest parent) was seen."""
        line, column = position(node) if node is not None else self.mark_of(path)
        self.report_at(line, column, path, message, node)

    def mark_of(self, path: str) -> tuple[int, int]:
        while path and path not in self.marks:
            path = parent(path)
        return self.marks.get(path, (1, 1))

    def failed(self, path: str) -> bool:
        """True when a problem was already reported at `path` or below it."""
        return any(_within(p.path, path) for p in self.problems)


def _within(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith((prefix + ".", prefix + "["))


def position(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def parent(path: str) -> str:
    return path[: max(path.rfind("."), path.rfind("["), 0)]


def suggest(word: str, choices: Iterable[str]) -> str:
    """A " (did you mean 'x'?)" hint, or nothing."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def describe(node: Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"the text {node.value!r}" if node.value else "nothing"


@dataclass
class Fields:
    """The values of one mapping, by key, already checked against its closed key set."""

    ctx: Ctx
    path: str
    nodes: dict[str, Node]

    def get(self, key: str, convert: Converter[T], default: T) -> T:
        """The converted value at `key`, or `default` when the key is absent."""
        node = self.nodes.get(key)
        return default if node is None else convert(self.ctx, node, join(self.path, key))

    def optional(self, key: str, convert: Converter[T]) -> T | None:
        node = self.nodes.get(key)
        return None if node is None else convert(self.ctx, node, join(self.path, key))


def mapping(
    ctx: Ctx, node: Node, path: str, required: Collection[str], optional: Collection[str] = ()
) -> Fields:
    """Read a mapping with exactly these keys; report unknown, duplicate and missing keys."""
    ctx.marks[path] = position(node)
    if not isinstance(node, yaml.MappingNode):
        keys = ", ".join([*required, *optional])
        ctx.report(path, f"expected a mapping (keys: {keys}), got {describe(node)}", node)
        return Fields(ctx, path, {})
    nodes = _keyed(ctx, node, path, {*required, *optional})
    for key in required:
        if key not in nodes:
            ctx.report(join(path, key), f"required key {key!r} is missing", node)
    return Fields(ctx, path, nodes)


def _keyed(ctx: Ctx, node: yaml.MappingNode, path: str, allowed: set[str]) -> dict[str, Node]:
    nodes: dict[str, Node] = {}
    seen: dict[str, int] = {}
    for key_node, value in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if key is None:
            ctx.report(path, f"a key must be a plain word, got {describe(key_node)}", key_node)
        elif key in seen:
            ctx.report(
                join(path, key), f"duplicate key {key!r} (first on line {seen[key]})", key_node
            )
        elif key not in allowed:
            ctx.report(join(path, key), f"unknown key {key!r}{suggest(key, allowed)}", key_node)
        else:
            nodes[key] = value
            ctx.marks[join(path, key)] = position(value)
        if key is not None:
            seen.setdefault(key, position(key_node)[0])
    return nodes


def scalar(ctx: Ctx, node: Node, path: str) -> str | None:
    """The raw string of a scalar; None (reported) for a list or mapping."""
    if isinstance(node, yaml.ScalarNode):
        return str(node.value)
    ctx.report(path, f"expected a single value, got {describe(node)}", node)
    return None


def _checked(ctx: Ctx, node: Node, path: str, check: Callable[[str], str | None]) -> str | None:
    """The scalar when `check` finds no fault; else report the fault and return None."""
    value = scalar(ctx, node, path)
    fault = None if value is None else check(value)
    if fault is not None:
        ctx.report(path, fault, node)
    return None if fault is not None else value


def as_str(ctx: Ctx, node: Node, path: str) -> str:
    """A non-empty text, taken exactly as written."""
    value = _checked(ctx, node, path, lambda v: None if v.strip() else "must not be empty")
    return value or ""


def as_id(ctx: Ctx, node: Node, path: str) -> str:
    value = _checked(ctx, node, path, _id_fault)
    return value or ""


def _id_fault(value: str) -> str | None:
    return None if ID.fullmatch(value) else f"{value!r} is not a valid id; {ID_RULE}"


def as_int(ctx: Ctx, node: Node, path: str) -> int:
    """A positive whole number written in plain digits."""
    value = _checked(ctx, node, path, _int_fault)
    return int(value) if value is not None else 0


def _int_fault(value: str) -> str | None:
    if re.fullmatch(r"[1-9][0-9]{0,8}", value):
        return None
    return f"expected a positive whole number (like 1 or 30), got {value!r}"


def as_bool(ctx: Ctx, node: Node, path: str) -> bool:
    """Only `true` or `false`; YAML 1.1 spellings such as yes, NO or on are refused."""
    fault = "expected true or false, got {!r}"
    value = _checked(ctx, node, path, lambda v: None if v in ("true", "false") else fault.format(v))
    return value == "true"


def as_duration(ctx: Ctx, node: Node, path: str) -> int:
    """Seconds from a duration such as 30s, 5m, 1h30m or 2d."""
    value = scalar(ctx, node, path)
    try:
        return 0 if value is None else parse_duration(value)
    except ValueError as err:
        ctx.report(path, str(err), node)
        return 0


def as_text(ctx: Ctx, node: Node, path: str) -> Text:
    """A bilingual text: a mapping with exactly `zh` and `en`."""
    fields = mapping(ctx, node, path, ("zh", "en"))
    return Text(zh=fields.get("zh", as_str, ""), en=fields.get("en", as_str, ""))


def enum_value(cls: type[E], value: str) -> E | None:
    return next((member for member in cls if member.value == value), None)


def enum_of(cls: type[E], what: str, allowed: Collection[E] | None = None) -> Converter[E]:
    """A reader for one member of `cls` (or of `allowed`), written as its value."""
    choices = list(cls) if allowed is None else list(allowed)

    def convert(ctx: Ctx, node: Node, path: str) -> E:
        value = scalar(ctx, node, path)
        member = None if value is None else enum_value(cls, value)
        if member is not None and member in choices:
            return member
        if value is not None:
            names = ", ".join(choices)
            ctx.report(path, f"{value!r} is not a valid {what}; expected one of: {names}", node)
        return choices[0]

    return convert


def list_of(
    convert: Converter[T], *, non_empty: bool = False, unique: bool = False
) -> Converter[tuple[T, ...]]:
    """A reader for a list whose every entry is read by `convert`."""

    def read(ctx: Ctx, node: Node, path: str) -> tuple[T, ...]:
        if not isinstance(node, yaml.SequenceNode):
            ctx.report(path, f"expected a list, got {describe(node)}", node)
            return ()
        if non_empty and not node.value:
            ctx.report(path, "the list must not be empty", node)
        values = tuple(
            _entry(ctx, convert, child, f"{path}[{i}]") for i, child in enumerate(node.value)
        )
        if unique:
            _check_unique(ctx, values, path)
        return values

    return read


def one_or_list(convert: Converter[T]) -> Converter[tuple[T, ...]]:
    """A list of distinct entries, or one entry alone (`evidence: photo`)."""
    many = list_of(convert, unique=True)

    def read(ctx: Ctx, node: Node, path: str) -> tuple[T, ...]:
        if isinstance(node, yaml.SequenceNode):
            return many(ctx, node, path)
        return (convert(ctx, node, path),)

    return read


def _entry(ctx: Ctx, convert: Converter[T], node: Node, path: str) -> T:
    ctx.marks[path] = position(node)
    return convert(ctx, node, path)


def _check_unique(ctx: Ctx, values: tuple[T, ...], path: str) -> None:
    seen: set[T] = set()
    for i, value in enumerate(values):
        if value and value in seen:
            ctx.report(f"{path}[{i}]", f"{value!s} is listed twice")
        seen.add(value)
