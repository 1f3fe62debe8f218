"""Drill scripts load with the playbooks' strict loader: the shipped ones, and bad ones refused."""

from __future__ import annotations

import pytest

from playbooks.drill_loader import drills_dir, load_drill_text, load_drills
from playbooks.drill_schema import InjectKind
from playbooks.errors import PlaybookError
from playbooks.loader import Library, default_dirs, load_library


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(default_dirs())


def test_the_four_shipped_scripts_load(library: Library) -> None:
    """The cases the plans describe are shipped, each with timed injects in order."""
    drills = load_drills(library)
    assert set(drills) == {
        "collective_visit_grows",
        "self_harm_poison",
        "prohibited_item",
        "collapse_during_visit",
    }
    grows = drills["collective_visit_grows"]
    assert any(i.do is InjectKind.HEADCOUNT and i.headcount >= 30 for i in grows.injects)
    assert any(i.do is InjectKind.LINKED for i in drills["collapse_during_visit"].injects)
    assert len(list(drills_dir().glob("*.yaml"))) == 4


BAD = """id: bad
version: 1
title: {zh: 坏脚本😀, en: bad}
incident: {type: medical, location: 大厅, headcount: 1, summary: 晕倒}
injects:
  - at: 5 minutes
    do: jump
    play: auto
  - at: 1m
    do: note
    note: 两者都有
    prompt: {zh: 好, en: ok}
    play: auto
ends: 2m
"""


def test_a_malformed_script_is_refused_with_file_line_col(library: Library) -> None:
    """Every problem at once, each at its line and column."""
    with pytest.raises(PlaybookError) as refused:
        load_drill_text(BAD, "drills/bad.yaml", library)
    lines = str(refused.value).splitlines()
    assert lines == [
        "drills/bad.yaml:6:9: injects[0].at: '5 minutes' is not a duration; "
        "write it like 30s, 5m, 1h, 1h30m or 2d",
        "drills/bad.yaml:7:9: injects[0].do: 'jump' is not a valid inject; expected one of: "
        "headcount, linked, ack, no_answer, note, tick, report, contained",
        "drills/bad.yaml:9:5: injects[1]: an inject has either play: auto or a prompt for "
        "the trainer, not both",
    ]


def test_references_to_the_library_are_checked(library: Library) -> None:
    """An unknown unit or checklist item is named where it is written."""
    text = """id: refs
version: 1
title: {zh: 引用, en: refs}
incident: {type: medical, location: 大厅, headcount: 1, summary: 晕倒}
injects:
  - at: 1m
    do: ack
    unit: poliec
    play: auto
  - at: 2m
    do: tick
    item: call_ambulanse
    play: auto
ends: 3m
"""
    with pytest.raises(PlaybookError) as refused:
        load_drill_text(text, "refs.yaml", library)
    assert [str(p).split(": ", 1)[0] for p in refused.value.problems] == [
        "refs.yaml:8:11",
        "refs.yaml:12:11",
    ]
