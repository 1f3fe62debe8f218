"""Drill fixtures: a units registry whose every unit has a real contact and a drill contact,
both real HTTP receivers (tests/notify/conftest.py), at /real/<unit> and /drill/<unit>."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from playbooks.loader import Library, default_dirs, load_library, load_units, packaged_units
from tests.notify.conftest import Receiver, receiver  # noqa: F401  (a fixture)


def drill_units(url: str) -> str:
    lines = ["units:"]
    for unit in load_units(packaged_units()).values():
        lines += [
            f"  - id: {unit.id}",
            f"    name: {{zh: {json.dumps(unit.name.zh)}, en: {json.dumps(unit.name.en)}}}",
            f"    kind: {unit.kind.value}",
            "    contacts:",
            f'      - {{name: 真实联系人, channel: webhook, address: "{url}/real/{unit.id}"}}',
            f'    drill: {{name: 演练联系人, channel: webhook, address: "{url}/drill/{unit.id}"}}',
        ]
    return "\n".join(lines) + "\n"


@pytest.fixture
def drill_library(tmp_path: Path, receiver: Receiver) -> Library:  # noqa: F811
    folder = tmp_path / "playbooks"
    folder.mkdir()
    (folder / "units.yaml").write_text(drill_units(receiver.url), "utf-8")
    return load_library(default_dirs({"WATCHFLOOR_PLAYBOOKS": str(folder)}))
