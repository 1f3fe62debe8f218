"""The drill script model (应急演练脚本): an opening, then timed injects. Built by the loader.

An inject happens `at` seconds after the drill starts, on the drill's own clock (divided by
the run's speed). It is played by the script itself (`play: auto`: an automated actor makes
the command) or shown to the trainer as a prompt (`prompt`), which a run with `--auto` plays
too.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from incidents.kinds import IncidentType
from playbooks.schema import Seconds, Text


class InjectKind(StrEnum):
    """What an inject does: the closed vocabulary of `do:`."""

    HEADCOUNT = "headcount"  # the headcount changes (`headcount: 35`)
    LINKED = "linked"  # a linked incident opens (`linked: {type, summary, headcount}`)
    ACK = "ack"  # a unit answers its notification (`unit: police`)
    NO_ANSWER = "no_answer"  # a unit does not answer (`unit: health`): nothing is sent back
    NOTE = "note"  # a note from the scene (`note: …`)
    TICK = "tick"  # a checklist item is ticked (`item: count_people`)
    REPORT = "report"  # the first report is filed
    CONTAINED = "contained"  # the commander declares it contained (事态平息)


class Target(StrEnum):
    """Which incident of the run an inject acts on."""

    MAIN = "main"
    LINKED = "linked"  # the latest linked incident the script opened


@dataclass(frozen=True, slots=True)
class Opening:
    """The incident a drill opens (or a linked one): its type and opening fields."""

    type: IncidentType
    location: str
    headcount: int
    summary: str
    demands: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Inject:
    at: Seconds
    do: InjectKind
    auto: bool  # play: auto; else the prompt is shown to the trainer
    prompt: Text | None = None
    target: Target = Target.MAIN
    headcount: int = 0
    unit: str = ""
    item: str = ""
    note: str = ""
    linked: Opening | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DrillScript:
    id: str
    version: int
    title: Text
    opening: Opening
    injects: tuple[Inject, ...]
    ends: Seconds
    source_hash: str = ""
