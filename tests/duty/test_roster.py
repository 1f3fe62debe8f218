"""The roster in PostgreSQL: who is on duty when, ending a shift, and the default commander."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import asyncpg
import pytest

from incidents.clock import ManualClock
from incidents.commanders import Candidate
from incidents.duty import DutyRole
from incidents.errors import InvalidCommand, NotFound
from incidents.kinds import Role
from incidents.lifecycle import AddNote, OpenIncident
from incidents.recusal import DeclareConflict
from server.auth.users import UserStore
from server.duty.commander import with_roster
from server.duty.store import DutyStore
from server.duty.worker import duty_at
from tests.duty.conftest import office
from tests.support import open_cmd


async def test_the_leader_on_duty_changes_at_the_handover(duty: DutyStore) -> None:
    """Commander1 leads until 08:00 on the 3rd, commander2 from then; each moment has one."""
    await duty.add_shift(
        "commander1", DutyRole.LEADER, (office(2, 8), office(3, 8)), "a", office(1, 9)
    )
    await duty.add_shift(
        "commander2", DutyRole.LEADER, (office(3, 8), office(4, 8)), "a", office(1, 9)
    )
    await duty.add_shift("duty1", DutyRole.OFFICER, (office(2, 8), office(3, 8)), "a", office(1, 9))
    night = await duty_at(duty, office(3, 2))
    assert night.leaders == ("commander1",) and night.officers == ("duty1",)
    morning = await duty_at(duty, office(3, 8))
    assert morning.leaders == ("commander2",) and morning.officers == ()


async def test_ending_a_shift_takes_the_leader_off_duty_from_that_moment(duty: DutyStore) -> None:
    """Commander1 is called away at 11:00: at 11:00 nobody leads; ending it again is refused."""
    shift = await duty.add_shift(
        "commander1", DutyRole.LEADER, (office(2, 8), office(3, 8)), "a", office(1, 9)
    )
    await duty.end_shift(shift.id, "admin1", office(2, 11))
    assert (await duty_at(duty, office(2, 10, 59))).leaders == ("commander1",)
    assert (await duty_at(duty, office(2, 11))).leaders == ()
    with pytest.raises(NotFound):
        await duty.end_shift(shift.id, "admin1", office(2, 12))


async def test_a_shift_for_nobody_or_ending_before_it_starts_is_refused(duty: DutyStore) -> None:
    """An unknown user, and a shift from 08:00 to 07:00, are refused with the field named."""
    with pytest.raises(InvalidCommand) as unknown:
        await duty.add_shift(
            "ghost", DutyRole.LEADER, (office(2, 8), office(3, 8)), "a", office(1, 9)
        )
    assert unknown.value.field == "user_id"
    with pytest.raises(InvalidCommand) as backwards:
        await duty.add_shift(
            "duty1", DutyRole.OFFICER, (office(2, 8), office(2, 7)), "a", office(1, 9)
        )
    assert backwards.value.field == "ends_at"


async def test_a_new_incident_defaults_to_the_leader_on_duty_and_an_explicit_one_wins(
    duty: DutyStore, clock: ManualClock, pool: asyncpg.Pool
) -> None:
    """Opened with no commander: commander1 (on duty); opened naming commander2: commander2."""
    await duty.add_shift(
        "commander1", DutyRole.LEADER, (office(2, 8), office(3, 8)), "a", office(1, 9)
    )
    clock.set(office(2, 9))
    app = SimpleNamespace(duty=duty, clock=clock, users=UserStore(pool, clock))
    default = await with_roster(app, open_cmd())
    assert isinstance(default, OpenIncident)
    assert (default.commander, default.commander_source) == ("commander1", "roster")
    explicit = await with_roster(app, replace(open_cmd(), commander="commander2"))
    assert isinstance(explicit, OpenIncident) and explicit.commander == "commander2"
    assert explicit.candidate == Candidate("commander2", Role.COMMANDER)  # the directory's word
    clock.set(office(3, 9))  # nobody on the roster: no commander, as before
    assert await with_roster(app, open_cmd()) == open_cmd()


async def test_a_declared_conflict_carries_the_leaders_on_duty(
    duty: DutyStore, clock: ManualClock
) -> None:
    """Declaring a conflict is filled in with who leads now; other commands are left alone."""
    for user in ("commander1", "commander2"):
        await duty.add_shift(user, DutyRole.LEADER, (office(2, 8), office(3, 8)), "a", office(1, 9))
    clock.set(office(2, 9))
    app = SimpleNamespace(duty=duty, clock=clock)
    declared = await with_roster(app, DeclareConflict("亲属"))
    assert isinstance(declared, DeclareConflict)
    assert declared.duty_leaders == ("commander1", "commander2")
    assert await with_roster(app, AddNote("记录")) == AddNote("记录")
