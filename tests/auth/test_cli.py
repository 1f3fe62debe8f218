"""The user commands an administrator runs: add, list, disable, and the demo users."""

from __future__ import annotations

import io

import asyncpg
import pytest

from incidents.clock import ManualClock
from incidents.kinds import Role
from server.auth.cli import DEMO_PASSWORD, ensure_demo_users, users_add, users_disable, users_list
from server.auth.users import UserStore
from tests.auth.conftest import PASSWORD


async def test_add_list_and_disable_a_user(pool: asyncpg.Pool) -> None:
    """An admin adds staff1, sees them in the table, disables them, and sees that too."""
    out, err = io.StringIO(), io.StringIO()
    code = await users_add(
        pool, "staff1", "现场工作人员 李", "onsite_staff", PASSWORD, out=out, err=err
    )
    assert code == 0 and "added staff1" in out.getvalue() and not err.getvalue()
    table = io.StringIO()
    assert await users_list(pool, table) == 0
    header, row = table.getvalue().splitlines()
    assert header.split() == ["id", "name", "role", "language", "disabled"]
    assert row.split() == ["staff1", "现场工作人员", "李", "onsite_staff", "zh-CN"]
    assert await users_disable(pool, "staff1", out=out, err=err) == 0
    table = io.StringIO()
    await users_list(pool, table)
    assert table.getvalue().splitlines()[1].endswith("yes")


@pytest.mark.parametrize(
    ("role", "password", "message"),
    [
        ("chief", PASSWORD, "unknown role"),
        ("viewer", "short", "at least 10 characters"),
    ],
)
async def test_add_refuses_bad_input_with_a_clear_message(
    pool: asyncpg.Pool, role: str, password: str, message: str
) -> None:
    """An unknown role or a weak password is refused with exit code 1 and says why."""
    err = io.StringIO()
    assert await users_add(pool, "staff1", "李", role, password, err=err) == 1
    assert message in err.getvalue()


async def test_add_twice_and_disable_nobody_fail_with_exit_code_1(pool: asyncpg.Pool) -> None:
    """A taken name and an unknown user each end with exit code 1 and a message."""
    err = io.StringIO()
    assert await users_add(pool, "staff1", "李", Role.ONSITE_STAFF, PASSWORD) == 0
    assert await users_add(pool, "staff1", "李", Role.ONSITE_STAFF, PASSWORD, err=err) == 1
    assert await users_disable(pool, "ghost", err=err) == 1
    assert "taken" in err.getvalue() and "no user 'ghost'" in err.getvalue()


async def test_demo_users_are_made_once_and_can_sign_in(
    pool: asyncpg.Pool, clock: ManualClock
) -> None:
    """The demo has one user per role plus an English speaker, all with the demo password."""
    first = await ensure_demo_users(pool)
    again = await ensure_demo_users(pool)
    assert first == again
    assert {role for _, _, role in first} == {r for r in Role if r.assignable}
    store = UserStore(pool, clock)
    english = await store.authenticate("officer_en", DEMO_PASSWORD)
    assert english is not None and english.language == "en"
    assert english.role is Role.DUTY_OFFICER
    assert len(await store.list()) == len(first)
