"""The public face of the playbooks package: load playbooks, units and the library.

    load_playbook(path, units) -> Playbook
    load_playbook_text(text_or_bytes, filename, units) -> Playbook
    load_units(path) -> dict[str, Unit]
    load_library(dirs) -> Library          # later folders override earlier ones
    default_dirs() -> [packaged library, $WATCHFLOOR_PLAYBOOKS]

Every refusal is one PlaybookError whose `problems` are Problem(file, line,
column, path, message); no other exception escapes, whatever the input bytes.
"""

from __future__ import annotations

from playbooks.catalog import (
    ENV_VAR,
    Library,
    default_dirs,
    library_files,
    load_library,
    packaged_dir,
    packaged_units,
    playbook_files,
)
from playbooks.errors import PlaybookError, Problem
from playbooks.reading import (
    load_playbook,
    load_playbook_text,
    load_units,
    load_units_text,
    playbook_hash,
)
from playbooks.yamlnodes import MAX_BYTES

__all__ = [
    "ENV_VAR",
    "MAX_BYTES",
    "Library",
    "PlaybookError",
    "Problem",
    "default_dirs",
    "library_files",
    "load_library",
    "load_playbook",
    "load_playbook_text",
    "load_units",
    "load_units_text",
    "packaged_dir",
    "packaged_units",
    "playbook_files",
    "playbook_hash",
]
