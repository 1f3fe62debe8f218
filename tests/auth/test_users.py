"""Users on a real PostgreSQL: adding, refusing duplicates, signing in, disabling."""

from __future__ import annotations

import asyncpg
import pytest
from argon2 import PasswordHasher

from incidents.clock import ManualClock
from incidents.kinds import Role
from server.auth.errors import InvalidUser, UnknownUser, UserExists, WeakPassword
from server.auth.passwords import Passwords
from server.auth.sessions import SessionStore
from server.auth.users import User, UserStore
from tests.auth.conftest import PASSWORD


async def test_an_added_user_can_be_read_back(users: UserStore) -> None:
    """An added user is listed with their name, role and language, and is active."""
    await users.add("Staff1 ", "现场工作人员 李", Role.ONSITE_STAFF, PASSWORD)
    await users.add("officer_en", "Duty Officer", Role.DUTY_OFFICER, PASSWORD, "en")
    staff = await users.get("STAFF1")
    assert staff == User("staff1", "现场工作人员 李", Role.ONSITE_STAFF, "zh-CN", disabled=False)
    assert staff.actor.user_id == "staff1" and staff.actor.role is Role.ONSITE_STAFF
    assert [u.id for u in await users.list()] == ["officer_en", "staff1"]
    assert (await users.get("officer_en")) is not None
    assert await users.get("nobody") is None


async def test_a_taken_login_name_is_refused(users: UserStore, duty: User) -> None:
    """Adding duty1 twice (in any letter case) says the name is taken."""
    with pytest.raises(UserExists, match="taken"):
        await users.add("DUTY1", "另一个人", Role.VIEWER, "another-password-9")


@pytest.mark.parametrize(
    ("login", "name", "language"),
    [
        ("a", "名字", "zh-CN"),
        ("bad name", "名字", "zh-CN"),
        ("ok1", "", "zh-CN"),
        ("ok1", "x", "fr"),
    ],
)
async def test_bad_user_details_are_refused(
    users: UserStore, login: str, name: str, language: str
) -> None:
    """A malformed login name, an empty display name or an unknown language is refused."""
    with pytest.raises(InvalidUser):
        await users.add(login, name, Role.VIEWER, PASSWORD, language)


async def test_a_weak_password_is_refused_and_nothing_is_stored(users: UserStore) -> None:
    """A weak password is refused with a reason, and the user is not created."""
    with pytest.raises(WeakPassword, match="at least"):
        await users.add("staff2", "李", Role.ONSITE_STAFF, "123")
    assert await users.get("staff2") is None


async def test_only_the_right_password_signs_in(users: UserStore, duty: User) -> None:
    """Right password: the user; wrong password or unknown name: nothing, alike."""
    assert await users.authenticate("Duty1", PASSWORD) == duty
    assert await users.authenticate("duty1", PASSWORD + "x") is None
    assert await users.authenticate("nobody", PASSWORD) is None


async def test_a_disabled_user_cannot_sign_in_and_loses_sessions(
    users: UserStore, sessions: SessionStore, duty: User
) -> None:
    """Disabling duty1 refuses their password and ends their open sessions at once."""
    token, _ = await sessions.create(duty)
    disabled = await users.disable("duty1")
    assert disabled.disabled
    assert await users.authenticate("duty1", PASSWORD) is None
    assert await sessions.lookup(token) is None
    assert (await users.disable("duty1")).disabled  # twice is fine


async def test_disabling_an_unknown_user_says_so(users: UserStore) -> None:
    """Disabling a login name that does not exist is a clear error."""
    with pytest.raises(UnknownUser):
        await users.disable("ghost")


async def test_an_old_hash_is_upgraded_at_the_next_sign_in(
    pool: asyncpg.Pool, clock: ManualClock, users: UserStore, duty: User
) -> None:
    """After the hashing cost is raised, a user's stored hash is upgraded when they sign in."""
    stronger = Passwords(PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    assert await UserStore(pool, clock, stronger).authenticate("duty1", PASSWORD) == duty
    stored = await pool.fetchval("SELECT password_hash FROM users WHERE id = 'duty1'")
    assert not stronger.needs_rehash(stored)


async def test_the_app_role_cannot_delete_users(pool: asyncpg.Pool, duty: User) -> None:
    """The console's database role may disable a user but never erase one."""
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await pool.execute("DELETE FROM users WHERE id = 'duty1'")
