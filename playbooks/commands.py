"""`watchfloor playbooks check|show`: validate playbook files, print a playbook's checklist."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from incidents.kinds import IncidentType
from incidents.text import visible
from playbooks.catalog import (
    default_dirs,
    library_files,
    load_library,
    packaged_units,
    units_file,
)
from playbooks.errors import PlaybookError, Problem
from playbooks.fields import enum_value
from playbooks.reading import load_playbook, load_units
from playbooks.render import render_playbook
from playbooks.schema import Unit

LANGUAGES = ("zh", "en")


def check_command(paths: list[Path], out: TextIO) -> int:
    """Validate files or folders (the default library when none); 0 when all are valid."""
    dirs = default_dirs()
    problems = _check_paths(paths) if paths else _check_library(dirs)
    files = len(_files(paths)) if paths else len(library_files(dirs)) + 1  # + packaged units
    for problem in problems:
        print(visible(str(problem)), file=out)  # it may quote the file: shown, not obeyed
    if problems:
        bad = len({p.file for p in problems})
        print(f"{len(problems)} problem(s) in {bad} of {files} file(s)", file=out)
        return 1
    print(f"ok: {files} file(s) checked, no problems", file=out)
    return 0


def _check_library(dirs: Sequence[Path]) -> list[Problem]:
    """The layered library, which must cover all eight incident types."""
    try:
        library = load_library(dirs)
    except PlaybookError as err:
        return list(err.problems)
    message = "no playbook for incident type {}"
    return [Problem(str(dirs[0]), 1, 1, "", message.format(t)) for t in library.missing()]


def _check_paths(paths: Sequence[Path]) -> list[Problem]:
    problems: list[Problem] = []
    for path in paths:
        try:
            _check_path(path)
        except PlaybookError as err:
            problems.extend(err.problems)
    return problems


def _check_path(path: Path) -> None:
    """Raise PlaybookError for a bad folder, units file or playbook file."""
    if path.is_dir():
        load_library([path])
    elif path.name in ("units.yaml", "units.yml"):
        load_units(path)
    else:
        load_playbook(path, _units_beside(path))


def _units_beside(path: Path) -> dict[str, Unit]:
    """The packaged units, plus those of a units.yaml next to the playbook."""
    units = load_units(packaged_units())
    beside = units_file(path.parent)
    return units | (load_units(beside) if beside is not None else {})


def _files(paths: Sequence[Path]) -> list[Path]:
    return [f for p in paths for f in (library_files([p]) if p.is_dir() else [p])]


class _ShowRefused(ValueError):
    """`show` cannot print what was asked for; the message says why."""


def show_command(incident_type: str, lang: str, out: TextIO) -> int:
    """Print the playbook for `incident_type` as a checklist tree in zh or en."""
    try:
        lines, code = list(_checklist(incident_type, lang)), 0
    except (PlaybookError, _ShowRefused) as err:
        lines, code = [str(err)], 1
    for line in lines:
        print(visible(line), file=out)
    return code


def _checklist(incident_type: str, lang: str) -> Iterator[str]:
    kind = enum_value(IncidentType, incident_type)
    if kind is None:
        known = ", ".join(IncidentType)
        raise _ShowRefused(f"unknown incident type {incident_type!r}; one of: {known}")
    if lang not in LANGUAGES:
        raise _ShowRefused(f"unknown language {lang!r}; use zh or en")
    library = load_library(default_dirs())
    if kind not in library.playbooks:
        raise _ShowRefused(f"no playbook for incident type {kind}")
    return render_playbook(library.playbooks[kind], library.units, lang)
