"""The live app fixture (tests/live/conftest.py), for this folder too."""

from tests.live.conftest import live

__all__ = ["live"]
