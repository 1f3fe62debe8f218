"""Console users: who may sign in, in which role and language. Login names are lowercase."""

from __future__ import annotations

import asyncio
import builtins
import re
from dataclasses import dataclass
from typing import Literal, TypeAlias, cast

import asyncpg
import structlog

from incidents.clock import Clock, SystemClock
from incidents.kinds import Role
from incidents.state import Actor
from server.auth import store
from server.auth.errors import InvalidUser, UnknownUser, UserExists
from server.auth.passwords import Passwords, check_strength

log = structlog.get_logger(__name__)

Language: TypeAlias = Literal["zh-CN", "en"]
LANGUAGES: tuple[Language, ...] = ("zh-CN", "en")
_LOGIN = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")


@dataclass(frozen=True, slots=True)
class User:
    id: str
    display_name: str
    role: Role
    language: Language
    disabled: bool

    @property
    def actor(self) -> Actor:
        """The user as the incident domain knows them."""
        return Actor(self.id, self.role)


def user_from_row(row: asyncpg.Record) -> User:
    """A user from a row with store.USER_COLUMNS."""
    return User(
        id=row["id"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        language=cast(Language, row["language"]),
        disabled=row["disabled"],
    )


def normalize_login(login: str) -> str:
    """The stored form of a login name: trimmed, lowercase."""
    return login.strip().lower()


def _checked(login: str, display_name: str, language: str) -> tuple[str, str, Language]:
    login, display_name = normalize_login(login), display_name.strip()
    if not _LOGIN.match(login):
        raise InvalidUser(
            "a login name is 2 to 64 characters: a-z, 0-9, '_', '.', '-', starting with a-z or 0-9"
        )
    if not 1 <= len(display_name) <= 100:
        raise InvalidUser("a display name is 1 to 100 characters")
    if language not in LANGUAGES:
        raise InvalidUser(f"the language must be one of {', '.join(LANGUAGES)}")
    return login, display_name, language


class UserStore:
    def __init__(
        self, pool: asyncpg.Pool, clock: Clock | None = None, passwords: Passwords | None = None
    ) -> None:
        self._pool = pool
        self._clock = clock or SystemClock()
        self._passwords = passwords or Passwords()

    async def add(
        self,
        id: str,
        display_name: str,
        role: Role,
        password: str,
        language: str = "zh-CN",
    ) -> User:
        """Create a user; refuses a taken login name, a weak password, a bad name or language."""
        login, display_name, lang = _checked(id, display_name, language)
        check_strength(login, password)
        hashed = await asyncio.to_thread(self._passwords.hash, password)
        try:
            await store.add_user(
                self._pool, login, display_name, Role(role).value, hashed, lang, self._clock.now()
            )
        except asyncpg.UniqueViolationError:
            raise UserExists(f"the login name {login!r} is taken") from None
        log.info("user_added", user_id=login, role=Role(role).value)
        return User(login, display_name, Role(role), lang, disabled=False)

    async def get(self, id: str) -> User | None:
        row = await store.user(self._pool, normalize_login(id))
        return user_from_row(row) if row else None

    async def list(self) -> builtins.list[User]:
        return [user_from_row(r) for r in await store.users(self._pool)]

    async def disable(self, id: str) -> User:
        """Stop a user from signing in and end their sessions at once; disabling twice is fine."""
        login, now = normalize_login(id), self._clock.now()
        async with self._pool.acquire() as conn, conn.transaction():
            if not await store.disable_user(conn, login, now):
                raise UnknownUser(f"no user {login!r}")
            ended = await store.revoke_user_sessions(conn, login, now)
        log.info("user_disabled", user_id=login, sessions_ended=ended)
        user = await self.get(login)
        assert user is not None
        return user

    async def authenticate(self, id: str, password: str) -> User | None:
        """The user when the password is right and the user is active; None otherwise.

        Unknown, disabled and wrong-password cases take the same time and look the same.
        """
        login = normalize_login(id)
        row = await store.user_with_hash(self._pool, login)
        stored: str | None = row["password_hash"] if row else None
        ok = await asyncio.to_thread(self._passwords.verify, stored, password)
        if row is None or stored is None or not ok or row["disabled"]:
            reason = "unknown_user" if row is None else "bad_password" if not ok else "disabled"
            log.info("authentication_failed", user_id=login, reason=reason)
            return None
        if self._passwords.needs_rehash(stored):
            await self._rehash(login, password)
        return user_from_row(row)

    async def _rehash(self, login: str, password: str) -> None:
        hashed = await asyncio.to_thread(self._passwords.hash, password)
        await store.set_password_hash(self._pool, login, hashed)
        log.info("password_rehashed", user_id=login)
