"""The garbage collector paused while an export is built, and always running again after."""

from __future__ import annotations

import gc

import pytest

from server.export.paused_gc import paused_gc
from server.export.run import render
from server.export.view import view_of
from tests.export.support import closed_medical, translator


def test_the_collector_runs_again_after_an_export() -> None:
    """Paused inside, running after: the JSON and the Markdown export leave it as it was."""
    _, events = closed_medical()
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    for fmt in ("json", "md"):
        render(fmt, view_of(events, redact=True), translator("zh-CN"), {}, exported_by="c1")
        assert gc.isenabled(), fmt


def test_the_collector_runs_again_when_an_export_fails() -> None:
    """A render that raises still leaves the collector running."""
    with pytest.raises(RuntimeError), paused_gc():
        raise RuntimeError("the renderer failed")
    assert gc.isenabled()


def test_an_inner_pause_leaves_the_collector_to_the_outer_one() -> None:
    """Nested (redaction inside an export): paused until the outermost block ends; a collector
    that was off before stays off."""
    with paused_gc():
        with paused_gc():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
