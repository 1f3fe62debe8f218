"""Load one playbook or one units registry from bytes or a file; every problem at once."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from playbooks.damage import believed
from playbooks.errors import PlaybookError, Problem
from playbooks.fields import Ctx
from playbooks.parse_playbook import read_playbook
from playbooks.parse_units import read_units
from playbooks.schema import Playbook, Unit
from playbooks.validate import check_playbook
from playbooks.yamlnodes import MAX_BYTES, Parsed, read_nodes


def playbook_hash(data: bytes) -> str:
    """The sha256 hex digest of a playbook's raw bytes, pinned by the incidents using it."""
    return hashlib.sha256(data).hexdigest()


def load_playbook_text(source: str | bytes, filename: str, units: Mapping[str, Unit]) -> Playbook:
    """The playbook in `source`; PlaybookError listing every problem when it is refused."""
    ctx = Ctx(filename)
    data = _as_bytes(ctx, source)
    parsed = None if data is None else read_nodes(ctx, data)
    if data is None or parsed is None:
        raise _error(ctx)
    syntax = len(ctx.problems)
    playbook = read_playbook(ctx, parsed.root, playbook_hash(data))
    check_playbook(ctx, playbook, units, whole=not parsed.left_out)
    if ctx.problems:
        raise _error(ctx, _believed(ctx, syntax, parsed))
    return playbook


def load_playbook(path: Path, units: Mapping[str, Unit]) -> Playbook:
    """The playbook in the file at `path` (see load_playbook_text)."""
    return load_playbook_text(read_capped(path), str(path), units)


def load_units_text(source: str | bytes, filename: str) -> dict[str, Unit]:
    """Units by id from a units registry; PlaybookError listing every problem."""
    ctx = Ctx(filename)
    data = _as_bytes(ctx, source)
    parsed = None if data is None else read_nodes(ctx, data)
    syntax = len(ctx.problems)
    units = {} if parsed is None else read_units(ctx, parsed.root)
    if ctx.problems:
        raise _error(ctx, None if parsed is None else _believed(ctx, syntax, parsed))
    return units


def load_units(path: Path) -> dict[str, Unit]:
    """Units by id from the registry file at `path` (see load_units_text)."""
    return load_units_text(read_capped(path), str(path))


def read_capped(path: Path) -> bytes:
    """At most one byte past the size cap (enough to refuse it); unreadable → PlaybookError."""
    try:
        with path.open("rb") as file:
            return file.read(MAX_BYTES + 1)
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise PlaybookError(
            [Problem(str(path), 1, 1, "", f"cannot read the file: {reason}")]
        ) from None


def _as_bytes(ctx: Ctx, source: str | bytes) -> bytes | None:
    if isinstance(source, bytes):
        return source
    try:
        return source.encode("utf-8")
    except UnicodeEncodeError as err:
        ctx.report_at(1, 1, "", f"the text is not valid Unicode: {err.reason}")
        return None


def _believed(ctx: Ctx, syntax: int, parsed: Parsed) -> list[Problem]:
    """The syntax problems, then the schema problems the left-out lines cannot explain."""
    schema = believed(ctx.problems[syntax:], ctx.nodes[syntax:], parsed.root, parsed.left_out)
    return [*ctx.problems[:syntax], *schema]


def _error(ctx: Ctx, problems: list[Problem] | None = None) -> PlaybookError:
    """Every problem of the file (or those given), in file order."""
    found = ctx.problems if problems is None else problems
    return PlaybookError(sorted(found, key=lambda p: (p.line, p.column)))
