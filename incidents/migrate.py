"""Versioned migrations, applied in order, each once, recorded in a table.

Most are SQL files. A step SQL cannot do (re-hashing a chain by the canonical form) is a
Python module beside them, `NNNN_name.py` with `async def upgrade(conn)`, run in the same
transaction; its checksum is that of its source.
"""

from __future__ import annotations

import hashlib
import importlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from importlib import resources

import asyncpg
import structlog

log = structlog.get_logger(__name__)

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.(sql|py)$")
Upgrade = Callable[[asyncpg.Connection], Awaitable[None]]
# Any fixed number: it serializes migrations across nodes starting at once.
_LOCK_KEY = 0x57F1_0001


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str  # for a Python step, its source
    upgrade: Upgrade | None = field(default=None, compare=False)

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


class MigrationError(RuntimeError):
    pass


def bundled() -> list[Migration]:
    found = []
    for entry in resources.files("incidents.migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            text = entry.read_text("utf-8")
            step = _python_step(entry.name) if match[3] == "py" else None
            found.append(Migration(int(match[1]), match[2], text, step))
    return sorted(found, key=lambda m: m.version)


def _python_step(filename: str) -> Upgrade:
    module = importlib.import_module(f"incidents.migrations.{filename.removesuffix('.py')}")
    step: Upgrade = module.upgrade
    return step


_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now())
"""


async def migrate(conn: asyncpg.Connection, migrations: list[Migration] | None = None) -> list[int]:
    """Apply what is missing; return the versions applied. Re-running is a no-op."""
    todo = bundled() if migrations is None else migrations
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK_KEY)
        await conn.execute(_LEDGER)
        applied = {
            r["version"]: r["checksum"]
            for r in await conn.fetch("SELECT version, checksum FROM schema_migrations")
        }
        done = []
        for m in todo:
            if m.version in applied:
                _check_unchanged(m, applied[m.version])
                continue
            if m.upgrade is not None:
                await m.upgrade(conn)
            else:
                await conn.execute(m.sql)
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                m.version,
                m.name,
                m.checksum,
            )
            log.info("migration_applied", version=m.version, name=m.name)
            done.append(m.version)
    return done


def _check_unchanged(m: Migration, checksum: str) -> None:
    if checksum != m.checksum:
        raise MigrationError(f"migration {m.version:04d}_{m.name} changed after it was applied")
