"""The library: playbooks by incident type and units by id, from layered folders.

Folders are read in order; a later folder adds playbooks and units or overrides
earlier ones (by incident type, by unit id). The packaged defaults come first,
then the folder named by WATCHFLOOR_PLAYBOOKS when it is set.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

from incidents.kinds import IncidentType
from playbooks.errors import PlaybookError, Problem
from playbooks.reading import load_playbook, load_units
from playbooks.schema import Playbook, Unit

ENV_VAR = "WATCHFLOOR_PLAYBOOKS"
UNITS_FILES = ("units.yaml", "units.yml")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Library:
    """Playbooks by incident type, units by id, and the file each playbook came from."""

    playbooks: Mapping[IncidentType, Playbook]
    units: Mapping[str, Unit]
    sources: Mapping[IncidentType, Path]

    def playbook(self, incident_type: IncidentType) -> Playbook:
        """The playbook for `incident_type`; KeyError when the library has none."""
        return self.playbooks[incident_type]

    def missing(self) -> tuple[IncidentType, ...]:
        """The incident types without a playbook."""
        return tuple(t for t in IncidentType if t not in self.playbooks)


def packaged_dir() -> Path:
    """The default playbooks shipped with Watchfloor."""
    return Path(__file__).parent / "library"


def packaged_units() -> Path:
    """The default units registry shipped with Watchfloor."""
    return Path(__file__).parent / "units.yaml"


def default_dirs(environ: Mapping[str, str] | None = None) -> list[Path]:
    """The packaged library, then the user folder in WATCHFLOOR_PLAYBOOKS if set."""
    user = (os.environ if environ is None else environ).get(ENV_VAR, "").strip()
    return [packaged_dir(), *([Path(user).expanduser()] if user else [])]


def playbook_files(folder: Path) -> list[Path]:
    """The playbook files of a folder (*.yaml, *.yml but not units.yaml), sorted by name."""
    if not folder.is_dir():
        return []
    found = [*folder.glob("*.yaml"), *folder.glob("*.yml")]
    return sorted(p for p in found if p.name not in UNITS_FILES and not p.name.startswith("."))


def units_file(folder: Path) -> Path | None:
    """The units registry of a folder, if it has one."""
    return next((folder / n for n in UNITS_FILES if (folder / n).is_file()), None)


def library_files(dirs: Sequence[Path]) -> list[Path]:
    """Every file load_library reads from `dirs` (not the packaged units)."""
    units = [u for u in map(units_file, dirs) if u is not None]
    return [*units, *(p for d in dirs for p in playbook_files(d))]


def load_library(dirs: Sequence[Path], base_units: Mapping[str, Unit] | None = None) -> Library:
    """Playbooks and units from `dirs`, later folders overriding earlier ones.

    Units start from `base_units`, or the packaged registry when None; each
    folder's units.yaml adds to them. Every problem in every file is raised
    together in one PlaybookError.
    """
    problems: list[Problem] = []
    units = _load_all_units(problems, dirs, base_units)
    playbooks: dict[IncidentType, Playbook] = {}
    sources: dict[IncidentType, Path] = {}
    for folder in dirs:
        for incident_type, (path, playbook) in _load_folder(problems, folder, units).items():
            playbooks[incident_type], sources[incident_type] = playbook, path
    if problems:
        raise PlaybookError(problems)
    return Library(MappingProxyType(playbooks), MappingProxyType(units), MappingProxyType(sources))


def _attempt(problems: list[Problem], load: Callable[[], T]) -> T | None:
    try:
        return load()
    except PlaybookError as err:
        problems.extend(err.problems)
        return None


def _load_all_units(
    problems: list[Problem], dirs: Sequence[Path], base: Mapping[str, Unit] | None
) -> dict[str, Unit]:
    loaded = _attempt(problems, partial(load_units, packaged_units())) if base is None else base
    units = dict(loaded or {})
    for folder in dirs:
        if not folder.is_dir():
            problems.append(Problem(str(folder), 1, 1, "", "no such folder"))
            continue
        path = units_file(folder)
        units.update((_attempt(problems, partial(load_units, path)) if path else None) or {})
    return units


def _load_folder(
    problems: list[Problem], folder: Path, units: Mapping[str, Unit]
) -> dict[IncidentType, tuple[Path, Playbook]]:
    found: dict[IncidentType, tuple[Path, Playbook]] = {}
    for path in playbook_files(folder):
        playbook = _attempt(problems, partial(load_playbook, path, units))
        if playbook is None:
            continue
        if playbook.incident_type in found:
            first = found[playbook.incident_type][0].name
            message = f"a second playbook for {playbook.incident_type} in this folder ({first})"
            problems.append(Problem(str(path), 1, 1, "incident_type", message))
            continue
        found[playbook.incident_type] = (path, playbook)
    return found
