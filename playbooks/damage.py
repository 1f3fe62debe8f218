"""Which schema problems to believe when lines were left out to read past syntax errors.

Leaving out an entry can only take things away: a key goes missing, a value or a
list loses its block, a `- ~` placeholder stands where an item was. So a problem is
believed when

- it is about a value exactly as written: a non-empty scalar, not a key, none of
  whose lines was left out (a bad duration, an unknown role, a bad id), or
- it is about a node, key or entry of a collection none of whose lines was left out
  (neither its path nor its parent's path spans a left-out line).

Everything else (a missing key, an emptied value, the placeholder) may be a
consequence of the hole, and is dropped: the syntax error already refuses the file.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterator, Sequence

import yaml

from playbooks.errors import Problem
from playbooks.fields import Node, join, parent


def believed(
    problems: Sequence[Problem],
    nodes: Sequence[Node | None],
    root: Node,
    left_out: Collection[int],
) -> list[Problem]:
    """The problems (each reported at nodes[i], if any) that the left-out lines cannot explain."""
    if not left_out:
        return list(problems)
    holes = sorted(left_out)
    keys = {id(key) for key in _keys(root)}
    damaged = {path for path, node in _paths(root, "") if _spans_hole(node, holes)}

    def keep(problem: Problem, node: Node | None) -> bool:
        if _written_value(node, keys, holes):
            return True
        return problem.path not in damaged and parent(problem.path) not in damaged

    return [p for p, n in zip(problems, nodes, strict=True) if keep(p, n)]


def _written_value(node: Node | None, keys: set[int], holes: list[int]) -> bool:
    return (
        isinstance(node, yaml.ScalarNode)
        and bool(node.value)
        and id(node) not in keys
        and not _spans_hole(node, holes)
    )


def _spans_hole(node: Node, holes: list[int]) -> bool:
    """True when a left-out line lies within the node's lines (its end mark's line included)."""
    first, last = node.start_mark.line + 1, node.end_mark.line + 1
    at = bisect.bisect_left(holes, first)
    return at < len(holes) and holes[at] <= last


def _paths(node: Node, path: str) -> Iterator[tuple[str, Node]]:
    """Every node with its path, written as fields.py writes them (`phases[0].items[2].due`)."""
    yield path, node
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                yield from _paths(value, join(path, str(key.value)))
    elif isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            yield from _paths(child, f"{path}[{i}]")


def _keys(node: Node) -> Iterator[Node]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield key
            yield from _keys(value)
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            yield from _keys(child)
