"""A user with a direct interest steps aside (回避), and is refused with the reason."""

from __future__ import annotations

import pytest

from incidents.commanders import Candidate
from incidents.errors import InvalidCommand, NotAuthorized, Recused
from incidents.kinds import Role
from incidents.lifecycle import AddNote, AssignCommander
from incidents.recusal import DeclareConflict
from incidents.resources import RequestResource
from incidents.state import Actor
from tests.resources.support import opened
from tests.support import DUTY, LEAD, STAFF

OTHER_LEAD = Actor("commander2", Role.COMMANDER)


def test_a_recused_user_cannot_act_and_is_told_why() -> None:
    """Staff1 is the visitor's relative: their note is refused, naming the reason."""
    log = opened()
    log.run(DeclareConflict("来访人亲属", "staff1"), LEAD)
    with pytest.raises(Recused, match="来访人亲属") as refused:
        log.run(AddNote("我来处理"), STAFF)
    assert refused.value.reason == "recusal.actor"
    assert refused.value.params["interest"] == "来访人亲属"
    assert log.run(AddNote("记录"), DUTY) == ["note_added"]


def test_a_recused_user_cannot_be_made_commander() -> None:
    """Commander2 declared an interest: assigning them as commander is refused."""
    log = opened()
    log.run(DeclareConflict("曾经手此案", ""), OTHER_LEAD)
    assert log.s.recused[0].user_id == "commander2"
    with pytest.raises(Recused) as refused:
        log.run(AssignCommander("commander2", Candidate("commander2", Role.COMMANDER)), LEAD)
    assert refused.value.field == "user_id"
    with pytest.raises(Recused):
        log.run(RequestResource("ambulance"), OTHER_LEAD)


def test_only_commanders_declare_for_others_but_anyone_for_themself() -> None:
    """The duty officer may recuse themself, not staff1; the same user twice is refused."""
    log = opened()
    with pytest.raises(NotAuthorized):
        log.run(DeclareConflict("亲属", "staff1"), DUTY)
    log.run(DeclareConflict("亲属"), DUTY)
    with pytest.raises(InvalidCommand):
        log.run(DeclareConflict("又一次", "duty1"), LEAD)
    assert [r.user_id for r in log.s.recused] == ["duty1"]
