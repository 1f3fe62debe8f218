"""Load drill scripts (playbooks/drills/*.yaml) with the playbooks' strict loader.

    load_drill(path, library) -> DrillScript
    load_drill_text(text_or_bytes, filename, library) -> DrillScript
    load_drills(library, folder=packaged) -> {id: DrillScript}

Every refusal is one PlaybookError whose problems each carry file:line:col.
"""

from __future__ import annotations

from pathlib import Path

from playbooks.catalog import Library, playbook_files
from playbooks.drill_schema import DrillScript
from playbooks.errors import PlaybookError, Problem
from playbooks.fields import Ctx
from playbooks.parse_drill import check_drill, read_drill
from playbooks.reading import playbook_hash, read_capped
from playbooks.yamlnodes import read_nodes


def drills_dir() -> Path:
    """The drill scripts shipped with Watchfloor."""
    return Path(__file__).parent / "drills"


def load_drill_text(source: str | bytes, filename: str, library: Library) -> DrillScript:
    ctx = Ctx(filename)
    data = source.encode("utf-8", errors="surrogatepass") if isinstance(source, str) else source
    parsed = read_nodes(ctx, data)
    if parsed is None:
        raise _error(ctx)
    drill = read_drill(ctx, parsed.root, playbook_hash(data))
    if not ctx.problems:
        check_drill(ctx, drill, library.playbooks, library.units)
    if ctx.problems:
        raise _error(ctx)
    return drill


def load_drill(path: Path, library: Library) -> DrillScript:
    return load_drill_text(read_capped(path), str(path), library)


def load_drills(library: Library, folder: Path | None = None) -> dict[str, DrillScript]:
    """The scripts of a folder by id, sorted by file name; every problem of every file."""
    problems: list[Problem] = []
    found: dict[str, DrillScript] = {}
    for path in playbook_files(folder or drills_dir()):
        try:
            drill = load_drill(path, library)
        except PlaybookError as err:
            problems.extend(err.problems)
            continue
        found[drill.id] = drill
    if problems:
        raise PlaybookError(problems)
    return found


def _error(ctx: Ctx) -> PlaybookError:
    return PlaybookError(sorted(ctx.problems, key=lambda p: (p.line, p.column)))
