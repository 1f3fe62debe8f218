"""API tokens for systems: a random token shown once, its SHA-256 kept; revoked by name.

A system sends `Authorization: Bearer <token>` to /api/ routes only (server/auth/protect.py).
Its commands are on the record as `token:<name>`, so the timeline names the token.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import asyncpg
import structlog

from incidents.clock import Clock, SystemClock
from incidents.kinds import Role
from incidents.text import is_refused
from server.auth import store
from server.auth.errors import TokenExists, TokenNameInvalid, UnknownToken
from server.auth.sessions import Session, hash_token
from server.auth.users import User

log = structlog.get_logger(__name__)

PREFIX = "wf_"  # a token found in a log or a paste is recognisably ours
ACTOR_PREFIX = "token:"
MAX_NAME = 64
_MAX_TOKEN_LENGTH = 128


@dataclass(frozen=True, slots=True)
class ApiToken:
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None

    @property
    def actor_id(self) -> str:
        return ACTOR_PREFIX + self.name


def _token(row: asyncpg.Record) -> ApiToken:
    return ApiToken(row["name"], Role(row["role"]), row["created_at"], row["revoked_at"])


def checked_name(name: str) -> str:
    """A name a timeline can show: 1 to 64 characters, no control character or bidi override."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise TokenNameInvalid(f"a token name has 1 to {MAX_NAME} characters")
    bad = next((c for c in name if is_refused(c)), None)
    if bad is not None:
        raise TokenNameInvalid(f"the token name holds a control character (U+{ord(bad):04X})")
    return name


class ApiTokenStore:
    def __init__(self, pool: asyncpg.Pool, clock: Clock | None = None) -> None:
        self._pool = pool
        self._clock = clock or SystemClock()

    async def create(self, name: str, role: Role) -> tuple[str, ApiToken]:
        """A new token: the raw token (to show once) and its record."""
        name, raw, now = checked_name(name), PREFIX + secrets.token_urlsafe(32), self._clock.now()
        try:
            await store.add_token(self._pool, name, role.value, hash_token(raw), now)
        except asyncpg.UniqueViolationError:
            raise TokenExists(f"the token name {name!r} is taken") from None
        log.info("api_token_created", token=name, role=role.value)  # the name, never the token
        return raw, ApiToken(name, role, now, None)

    async def list(self) -> list[ApiToken]:
        return [_token(r) for r in await store.tokens(self._pool)]

    async def revoke(self, name: str) -> ApiToken:
        """Revoke at once: the next request with the token is refused."""
        row = await store.revoke_token(self._pool, name.strip(), self._clock.now())
        if row is None:
            raise UnknownToken(f"no token named {name!r}")
        log.info("api_token_revoked", token=row["name"])
        return _token(row)

    async def lookup(self, raw: str) -> ApiToken | None:
        """The token's record (a revoked one too: the caller says why it is refused)."""
        if not raw or len(raw) > _MAX_TOKEN_LENGTH:
            return None
        row = await store.token_by_hash(self._pool, hash_token(raw))
        return _token(row) if row else None


def token_session(token: ApiToken) -> Session:
    """What the routes see of a request made with a live token: a user named after it (its
    dates are the token's own; a token has no idle deadline: it lasts until revoked)."""
    user = User(token.actor_id, token.name, token.role, "zh-CN", disabled=False)
    made = token.created_at
    return Session(user, token.actor_id, "", made, made, bearer=True)
