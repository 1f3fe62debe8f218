"""Reaching PostgreSQL: the configured server, or an embedded one (one code path either way)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import structlog

from incidents.migrate import migrate
from server.settings import Settings

log = structlog.get_logger(__name__)

EMBEDDED_DATABASE = "watchfloor"


@dataclass(frozen=True, slots=True)
class Database:
    dsn: str
    pool: asyncpg.Pool


def _start_embedded(folder: Path) -> Any:
    from pgserver import postgres_server  # imported here: only the embedded default needs it

    folder.mkdir(parents=True, exist_ok=True)
    return postgres_server.get_server(folder / "pg", cleanup_mode="stop")


@asynccontextmanager
async def embedded_postgres(data_dir: Path) -> AsyncIterator[str]:
    """Start (or join) the embedded PostgreSQL; stop it when this process is done with it."""
    server = await asyncio.to_thread(_start_embedded, data_dir)
    try:
        yield await _ensure_database(server, EMBEDDED_DATABASE)
    finally:
        await asyncio.to_thread(server.cleanup)


async def _ensure_database(server: Any, name: str) -> str:
    conn = await asyncpg.connect(server.get_uri())
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
    log.info("embedded_postgres_ready")
    return str(server.get_uri(name))


@asynccontextmanager
async def database_dsn(settings: Settings) -> AsyncIterator[str]:
    """DATABASE_URL when set; otherwise the embedded server, for as long as it is needed."""
    if settings.database_url:
        yield settings.database_url
        return
    async with embedded_postgres(settings.data_dir) as dsn:
        yield dsn


async def release(conn: asyncpg.Connection) -> None:
    """Hand a connection back to the pool without asyncpg's RESET ALL round trip.

    The app keeps no session state on pooled connections (no SET, LISTEN, advisory lock or
    cursor outside a transaction; the role is a startup setting), so the only thing to undo
    is a transaction left open. This saves one round trip on every command.
    """
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


@asynccontextmanager
async def open_database(settings: Settings, *, max_size: int = 20) -> AsyncIterator[Database]:
    """Migrate as the connecting user, then pool connections acting as the app's role."""
    async with database_dsn(settings) as dsn:
        conn = await asyncpg.connect(dsn)
        try:
            await migrate(conn)
        finally:
            await conn.close()
        server_settings = {"role": settings.db_role} if settings.db_role else None
        pool = await asyncpg.create_pool(
            dsn, min_size=1, max_size=max_size, server_settings=server_settings, reset=release
        )
        try:
            yield Database(dsn, pool)
        finally:
            await pool.close()
