"""Whatever bytes arrive, the loader answers with a playbook or a PlaybookError, never a crash."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playbooks.loader import (
    PlaybookError,
    load_playbook_text,
    load_units_text,
    packaged_dir,
    packaged_units,
)
from playbooks.schema import Unit

SMALL = (Path(__file__).parent / "valid_small.yaml").read_text(encoding="utf-8")
VALID = [SMALL, *sorted(p.read_text(encoding="utf-8") for p in packaged_dir().glob("*.yaml"))]
UNITS_TEXT = packaged_units().read_text(encoding="utf-8")
SNIPPETS = [
    "&a ",
    "*a",
    "!!python/object:os.system ",
    "!!int ",
    "{",
    "}",
    "[",
    "]",
    "- ",
    ": ",
    "NO",
    "yes",
    "12:30",
    "1e3",
    "0x10",
    "~",
    "null",
    "---\n",
    "...\n",
    "\t",
    "\x00",
    "\x85",
    "? ",
    "<<: ",
    "-5m",
    "0",
    "1h30m",
    "item:nope",
    "level:huge",
    "item_done:",
    "open",
    "opened",
    "true",
    "false",
    '"',
    "'",
    "|\n",
    ">\n",
    "#",
    "%YAML 1.1\n",
    "\ufeff",
    "中文",
]
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def refusal(load: Callable[[], object]) -> PlaybookError | None:
    """The PlaybookError `load` raises, or None when it succeeds; anything else propagates."""
    try:
        load()
    except PlaybookError as err:
        return err
    return None


def outcome(source: str | bytes, units: Mapping[str, Unit]) -> None:
    """Load `source`; a refusal must be a PlaybookError with 1-based positions."""
    error = refusal(lambda: load_playbook_text(source, "fuzz.yaml", units))
    if error is not None:
        assert error.problems
        assert all(p.line >= 1 and p.column >= 1 for p in error.problems)
        assert len(str(error).splitlines()) >= len(error.problems)


@st.composite
def mutated_text(draw: st.DrawFn) -> str:
    """A default playbook with a few lines deleted, duplicated, swapped or spliced."""
    lines = draw(st.sampled_from(VALID)).splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "swap", "splice", "indent"]))
        if action == "delete":
            del lines[at]
        elif action == "duplicate":
            lines.insert(at, lines[at])
        elif action == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif action == "splice":
            cut = draw(st.integers(0, len(lines[at])))
            piece = draw(st.sampled_from(SNIPPETS) | st.text(max_size=8))
            lines[at] = lines[at][:cut] + piece + lines[at][cut:]
        else:
            lines[at] = draw(st.sampled_from(["", " ", "  ", "\t"])) + lines[at].lstrip()
    return "".join(lines)


def _values() -> st.SearchStrategy[Any]:
    scalars = st.none() | st.booleans() | st.integers(-5, 100) | st.text(max_size=12)
    return st.recursive(
        scalars | st.sampled_from(SNIPPETS),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
        ),
        max_leaves=8,
    )


@st.composite
def mutated_tree(draw: st.DrawFn) -> str:
    """A small valid playbook whose parsed tree had one value dropped or replaced, dumped again."""
    tree = yaml.load(SMALL, Loader=yaml.CSafeLoader)
    node, key = tree, None
    for _ in range(draw(st.integers(0, 5))):
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            break
        key = draw(st.sampled_from(keys))
        if not isinstance(node[key], dict | list):
            break
        node = node[key] if draw(st.booleans()) else node
    keys = list(node) if isinstance(node, dict) else list(range(len(node)))
    if keys:
        key = draw(st.sampled_from(keys))
        if draw(st.booleans()) and isinstance(node, dict):
            del node[key]
        else:
            node[key] = draw(_values())
    return str(yaml.dump(tree, Dumper=yaml.CSafeDumper, allow_unicode=True))


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_are_refused_cleanly(data: bytes) -> None:
    """Random bytes give a list of problems, never a crash."""
    outcome(data, {})


@FUZZ
@given(st.text(max_size=2000))
def test_arbitrary_text_is_refused_cleanly(text: str) -> None:
    """Random text, including lone surrogates and control characters, never crashes the loader."""
    outcome(text, {})


@FUZZ
@given(text=mutated_text())
def test_a_mangled_playbook_never_crashes_the_loader(text: str, units: Mapping[str, Unit]) -> None:
    """A default playbook with lines broken at random loads or is refused with problems."""
    outcome(text, units)


@FUZZ
@given(text=mutated_tree())
def test_a_playbook_with_a_wrong_value_never_crashes_the_loader(
    text: str, units: Mapping[str, Unit]
) -> None:
    """A playbook with any value dropped or swapped for another shape loads or is refused."""
    outcome(text, units)


@FUZZ
@given(st.text(max_size=200).map(lambda junk: UNITS_TEXT[: len(junk) * 20] + junk))
def test_a_mangled_units_registry_never_crashes_the_loader(text: str) -> None:
    """A truncated or garbled units.yaml is refused with problems, never a crash."""
    error = refusal(lambda: load_units_text(text, "units.yaml"))
    assert error is None or error.problems
