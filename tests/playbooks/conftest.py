"""Fixtures for the playbooks tests: the packaged units registry and library."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from playbooks.loader import Library, load_library, load_units, packaged_dir, packaged_units
from playbooks.schema import Unit


@pytest.fixture(scope="session")
def units() -> Mapping[str, Unit]:
    """The packaged units registry."""
    return load_units(packaged_units())


@pytest.fixture(scope="session")
def library() -> Library:
    """The packaged default library, without any user folder."""
    return load_library([packaged_dir()])
