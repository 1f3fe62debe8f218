"""The live server fixture, for the page tests of this folder."""

from tests.live.conftest import live  # noqa: F401  (a fixture)
