"""Command-line user and API token management: `watchfloor users ...`, `watchfloor tokens ...`.

Each command prints a clear line and returns an exit code: 0 done, 1 refused.
"""

from __future__ import annotations

import contextlib
import sys
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TextIO

import asyncpg

from incidents.kinds import Role
from incidents.text import is_refused, visible
from server.auth.api_tokens import ApiTokenStore
from server.auth.errors import AuthError, InvalidUser, UserExists
from server.auth.users import UserStore

DEMO_PASSWORD = "watchfloor-demo"
DEMO_USERS: tuple[tuple[str, str, Role, str], ...] = (
    ("duty1", "值班员 张", Role.DUTY_OFFICER, "zh-CN"),
    ("staff1", "现场工作人员 李", Role.ONSITE_STAFF, "zh-CN"),
    ("commander1", "现场指挥 王", Role.COMMANDER, "zh-CN"),
    ("admin1", "系统管理员", Role.ADMIN, "zh-CN"),
    ("viewer1", "观察员 赵", Role.VIEWER, "zh-CN"),
    ("officer_en", "Duty Officer (English)", Role.DUTY_OFFICER, "en"),
)


async def users_add(
    pool: asyncpg.Pool,
    id: str,
    display_name: str,
    role: Role | str,
    password: str,
    language: str = "zh-CN",
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        _plain(id, "login name")
        _plain(display_name, "display name")
        user = await UserStore(pool).add(id, display_name, _role(role), password, language)
    except AuthError as exc:
        print(f"error: {visible(exc.message)}", file=err)
        return 1
    shown = f"{user.id} ({visible(user.display_name)}, {user.role.value}, {user.language})"
    print(f"added {shown}", file=out)
    return 0


async def users_list(pool: asyncpg.Pool, out: TextIO) -> int:
    users = await UserStore(pool).list()
    rows = [("id", "name", "role", "language", "disabled")]
    rows += [
        (visible(u.id), visible(u.display_name), u.role, u.language, "yes" if u.disabled else "")
        for u in users
    ]
    _print_table(rows, out)
    return 0


def _print_table(rows: Sequence[tuple[str, ...]], out: TextIO) -> None:
    """Columns lined up on a terminal, a header row first."""
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = (cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip(), file=out)


def _width(text: str) -> int:
    """Columns on a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


async def users_disable(
    pool: asyncpg.Pool, id: str, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        user = await UserStore(pool).disable(id)
    except AuthError as exc:
        print(f"error: {visible(exc.message)}", file=err)
        return 1
    print(f"disabled {user.id}: sign-in refused from now on, every session ended", file=out)
    return 0


async def ensure_demo_users(pool: asyncpg.Pool) -> list[tuple[str, str, Role]]:
    """Create the demo users that are missing (all with DEMO_PASSWORD): (login, password, role)."""
    store = UserStore(pool)
    for login, name, role, language in DEMO_USERS:
        if await store.get(login) is None:
            with contextlib.suppress(UserExists):  # another node made it a moment ago
                await store.add(login, name, role, DEMO_PASSWORD, language)
    return [(login, DEMO_PASSWORD, role) for login, _, role, _ in DEMO_USERS]


def _plain(text: str, what: str) -> None:
    """A name shown on every console page and terminal takes no control character and no
    bidi override (incidents/text.py)."""
    bad = next((c for c in text if is_refused(c)), None)
    if bad is not None:
        raise InvalidUser(f"the {what} holds a control character (U+{ord(bad):04X})")


def _role(value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise InvalidUser(f"unknown role {value!r}: one of {roles}") from None


async def tokens_new(
    pool: asyncpg.Pool,
    name: str,
    role: Role | str,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """A new API token: the token alone on stdout (for a script to keep), the note on stderr."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        raw, token = await ApiTokenStore(pool).create(name, _role(role))
    except AuthError as exc:
        print(f"error: {visible(exc.message)}", file=err)
        return 1
    print(raw, file=out)
    shown = f"{visible(token.name)} ({token.role.value})"
    print(f"created API token {shown}: shown this once, only its hash is kept", file=err)
    return 0


async def tokens_list(pool: asyncpg.Pool, out: TextIO) -> int:
    tokens = await ApiTokenStore(pool).list()
    rows = [("name", "role", "created", "revoked")]
    rows += [
        (visible(t.name), t.role.value, _when(t.created_at), _when(t.revoked_at)) for t in tokens
    ]
    _print_table(rows, out)
    return 0


def _when(at: datetime | None) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if at else ""


async def tokens_revoke(
    pool: asyncpg.Pool, name: str, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        token = await ApiTokenStore(pool).revoke(name)
    except AuthError as exc:
        print(f"error: {visible(exc.message)}", file=err)
        return 1
    print(f"revoked {visible(token.name)}: refused from the next request on", file=out)
    return 0
