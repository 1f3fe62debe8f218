"""Who may be made commander: the domain refuses anyone but an enabled commander, by reason."""

from __future__ import annotations

from dataclasses import replace

import pytest

from incidents.commanders import Candidate
from incidents.errors import InvalidCommand, Recused
from incidents.kinds import Role
from incidents.lifecycle import AssignCommander
from incidents.recusal import DeclareConflict
from tests.support import DUTY, open_cmd
from tests.test_domain import Log, opened

REFUSED = [
    (None, "no user"),
    (Candidate("nosuchuser", None), "no user"),
    (Candidate("nosuchuser", Role.COMMANDER, disabled=True), "disabled"),
    (Candidate("nosuchuser", Role.ONSITE_STAFF), "only a commander"),
    (Candidate("someone_else", Role.COMMANDER), "no user"),  # facts about another user
]


@pytest.mark.parametrize(("candidate", "why"), REFUSED)
def test_an_unfit_commander_is_refused_with_the_reason(candidate: Candidate, why: str) -> None:
    """Naming an unknown, disabled or non-commanding user is refused, and nothing is recorded."""
    log = opened()
    before = len(log.events)
    with pytest.raises(InvalidCommand) as refused:
        log.run(AssignCommander("nosuchuser", candidate), DUTY)
    assert why in refused.value.message and refused.value.field == "user_id"
    assert refused.value.reason.startswith("commander.")
    assert len(log.events) == before and log.s.commander is None


def test_an_enabled_commander_takes_command() -> None:
    """An enabled user of the commander role becomes the commander, on the timeline."""
    log = opened()
    kinds = log.run(AssignCommander("commander2", Candidate("commander2", Role.COMMANDER)), DUTY)
    assert kinds == ["commander_assigned"] and log.s.commander == "commander2"


def test_a_recused_user_cannot_be_made_commander() -> None:
    """A commander who declared a conflict of interest is refused as commander, by reason."""
    log = opened()
    log.run(DeclareConflict("来访人系其亲属", "commander2"))
    with pytest.raises(Recused):
        log.run(AssignCommander("commander2", Candidate("commander2", Role.COMMANDER)), DUTY)


def test_an_incident_opened_naming_an_unknown_commander_is_refused() -> None:
    """Opening with commander 'nosuchuser' is refused; no incident exists afterwards."""
    log = Log()
    unknown = replace(open_cmd(), commander="nosuchuser", candidate=Candidate("nosuchuser", None))
    with pytest.raises(InvalidCommand) as refused:
        log.run(unknown, DUTY)
    assert refused.value.field == "commander" and log.state is None
