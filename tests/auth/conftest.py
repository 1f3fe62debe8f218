"""Fixtures for sign-in tests: the stores on a real PostgreSQL, a cheap password hasher."""

from __future__ import annotations

import asyncpg
import pytest
from argon2 import PasswordHasher

from incidents.clock import ManualClock
from incidents.kinds import Role
from server.auth.passwords import Passwords
from server.auth.ratelimit import LoginLimiter
from server.auth.sessions import SessionStore
from server.auth.users import User, UserStore

PASSWORD = "correct-horse-42"


@pytest.fixture
def passwords() -> Passwords:
    """Argon2id with the smallest cost, so that tests sign in quickly."""
    return Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def users(pool: asyncpg.Pool, clock: ManualClock, passwords: Passwords) -> UserStore:
    return UserStore(pool, clock, passwords)


@pytest.fixture
def sessions(pool: asyncpg.Pool, clock: ManualClock) -> SessionStore:
    return SessionStore(pool, clock)


@pytest.fixture
def limiter(pool: asyncpg.Pool, clock: ManualClock) -> LoginLimiter:
    return LoginLimiter(pool, clock)


@pytest.fixture
async def duty(users: UserStore) -> User:
    return await users.add("duty1", "值班员 张", Role.DUTY_OFFICER, PASSWORD)


@pytest.fixture
async def viewer(users: UserStore) -> User:
    return await users.add("viewer1", "观察员 赵", Role.VIEWER, PASSWORD)
