"""Console users: who may sign in, in which role and language. Login names are lowercase."""

from __future__ import annotations

import asyncio
import builtins
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, TypeAlias, cast

import asyncpg
import structlog

from incidents.clock import Clock, SystemClock
from incidents.kinds import Role
from incidents.state import Actor
from incidents.store import Conn
from server.auth.errors import InvalidUser, UnknownUser, UserExists
from server.auth.passwords import Passwords, check_strength

log = structlog.get_logger(__name__)

Language: TypeAlias = Literal["zh-CN", "en"]
LANGUAGES: tuple[Language, ...] = ("zh-CN", "en")
_LOGIN = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")
USER_COLUMNS = "u.id, u.display_name, u.role, u.language, u.disabled_at IS NOT NULL AS disabled"


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


async def revoke_user_sessions(conn: Conn, user_id: str, at: datetime) -> int:
    """End every live session of one user; the number ended. (Shared with sessions.py.)"""
    status = await conn.execute(
        "UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
        user_id,
        at,
    )
    return int(status.split()[-1])


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
            await self._pool.execute(
                "INSERT INTO users (id, display_name, role, password_hash, language, created_at) "
                "VALUES ($1, $2, $3, $4, $5, $6)",
                login,
                display_name,
                Role(role).value,
                hashed,
                lang,
                self._clock.now(),
            )
        except asyncpg.UniqueViolationError:
            raise UserExists(f"the login name {login!r} is taken") from None
        log.info("user_added", user_id=login, role=Role(role).value)
        return User(login, display_name, Role(role), lang, disabled=False)

    async def get(self, id: str) -> User | None:
        row = await self._pool.fetchrow(
            f"SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1", normalize_login(id)
        )
        return user_from_row(row) if row else None

    async def list(self) -> builtins.list[User]:
        rows = await self._pool.fetch(f"SELECT {USER_COLUMNS} FROM users u ORDER BY u.id")
        return [user_from_row(r) for r in rows]

    async def disable(self, id: str) -> User:
        """Stop a user from signing in and end their sessions at once; disabling twice is fine."""
        login, now = normalize_login(id), self._clock.now()
        async with self._pool.acquire() as conn, conn.transaction():
            found = await conn.fetchval(
                "UPDATE users SET disabled_at = coalesce(disabled_at, $2) WHERE id = $1 "
                "RETURNING id",
                login,
                now,
            )
            if found is None:
                raise UnknownUser(f"no user {login!r}")
            ended = await revoke_user_sessions(conn, login, now)
        log.info("user_disabled", user_id=login, sessions_ended=ended)
        user = await self.get(login)
        assert user is not None
        return user

    async def authenticate(self, id: str, password: str) -> User | None:
        """The user when the password is right and the user is active; None otherwise.

        Unknown, disabled and wrong-password cases take the same time and look the same.
        """
        login = normalize_login(id)
        row = await self._pool.fetchrow(
            f"SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.id = $1", login
        )
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
        await self._pool.execute("UPDATE users SET password_hash = $2 WHERE id = $1", login, hashed)
        log.info("password_rehashed", user_id=login)
