"""Every refusal the code can raise, read from the source: its reason and parameters."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import incidents.errors as domain_errors

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("incidents", "playbooks", "server")


def error_classes() -> frozenset[str]:
    """DomainError and every class under it, by name."""
    found, todo = set(), [domain_errors.DomainError]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo += cls.__subclasses__()
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class Raised:
    where: str  # file:line
    reason: str | None  # None: not a literal (the test says so)
    params: frozenset[str]
    spread: bool  # **kwargs: parameters the scan cannot see


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def sources() -> Iterator[Path]:
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


def calls(names: frozenset[str]) -> Iterator[tuple[str, ast.Call]]:
    """Each call of a function or class named in `names`, with file:line."""
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and _name(node.func) in names:
                yield f"{path.relative_to(ROOT)}:{node.lineno}", node


def literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def raised() -> list[Raised]:
    """Every construction of a DomainError in incidents/, playbooks/ and server/."""
    found = []
    for where, call in calls(error_classes()):
        reason = literal(call.args[0]) if call.args else None
        params = frozenset(k.arg for k in call.keywords if k.arg not in (None, "field"))
        spread = any(k.arg is None for k in call.keywords)
        found.append(Raised(where, reason, params, spread))
    return found


def named() -> list[tuple[str, str | None]]:
    """Each `Named(kind, id)` in the source: its kind, and its id when written as a literal."""
    found = []
    for where, call in calls(frozenset({"Named"})):
        kind = literal(call.args[0])
        assert kind is not None, f"{where}: the kind of a Named is written out"
        found.append((kind, literal(call.args[1]) if len(call.args) > 1 else None))
    return found


# The functions that read or check an input field by name, and where the name is.
FIELD_READERS = {
    "text": 1,
    "count": 1,
    "integer": 1,
    "optional_integer": 1,
    "names": 1,
    "moment": 1,
    "choice": 2,
}


def field_names() -> frozenset[str]:
    """Every input field a refusal may name: read or checked by name, or a refusal's `field`."""
    found = set()
    for _, call in calls(frozenset(FIELD_READERS)):
        at = FIELD_READERS[_name(call.func)]
        found |= {name for arg in call.args[at : at + 1] if (name := literal(arg)) is not None}
    for _, call in calls(error_classes()):
        found |= {name for k in call.keywords if k.arg == "field" and (name := literal(k.value))}
    return frozenset(found)
