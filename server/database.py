"""Reaching PostgreSQL: the configured server, or an embedded one (one code path either way)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import asyncpg
import structlog

from incidents.migrate import migrate
from server.settings import DatabaseTimeouts, Settings

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


async def ping(pool: asyncpg.Pool) -> None:
    """A round trip to PostgreSQL: for /readyz."""
    await pool.fetchval("SELECT 1")


async def release(conn: asyncpg.Connection) -> None:
    """Hand a connection back to the pool without asyncpg's RESET ALL round trip.

    The app keeps no session state on pooled connections (no SET, LISTEN, advisory lock or
    cursor outside a transaction; the role is a startup setting), so the only thing to undo
    is a transaction left open. This saves one round trip on every command.
    """
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


class DatabaseUnavailable(Exception):
    """PostgreSQL is stopped, frozen, unreachable or out of connections: try again shortly."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(type(cause).__name__)
        self.cause = type(cause).__name__


# Failures that say nothing about the request and everything about the server being away.
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,  # class 08, ConnectionDoesNotExistError among them
    asyncpg.InterfaceError,  # "connection is closed", "pool is closing"
    asyncpg.CannotConnectNowError,  # starting up or shutting down
    asyncpg.OperatorInterventionError,  # admin shutdown, crash shutdown, statement timeout
    asyncpg.InsufficientResourcesError,  # too many connections, disk full
    # A shutting-down server's FATAL on an idle pooled connection leaves its protocol
    # discarding messages until the socket closes; a query taken in between fails with
    # "cannot switch to state 12; another operation (2) is in progress" (asyncpg#1069).
    asyncpg.InternalClientError,
)


def unavailable(exc: BaseException) -> DatabaseUnavailable | None:
    """The one place that decides a failure means "the database is unavailable".

    OSError (connection refused, reset) and TimeoutError (connect, acquire, command
    timeouts) count only when they came out of asyncpg: a timeout elsewhere is not ours.
    """
    if isinstance(exc, DatabaseUnavailable):
        return exc
    if isinstance(exc, _UNAVAILABLE):
        return DatabaseUnavailable(exc)
    if isinstance(exc, OSError | TimeoutError) and _through_asyncpg(exc.__traceback__):
        return DatabaseUnavailable(exc)
    return None


def _through_asyncpg(tb: TracebackType | None) -> bool:
    while tb is not None:
        if tb.tb_frame.f_globals.get("__name__", "").startswith("asyncpg"):
            return True
        tb = tb.tb_next
    return False


if TYPE_CHECKING:  # generic in the stubs only
    _Pool = asyncpg.Pool[asyncpg.Record]
else:
    _Pool = asyncpg.Pool


class BoundedPool(_Pool):
    """A pool whose `acquire` waits `acquire_timeout` unless told otherwise.

    asyncpg has no pool-wide default, and every store calls `acquire()` bare. The same
    timeout bounds the release, so a statement cancelled on a frozen server is not waited
    on for longer than that either.
    """

    __slots__ = ("_acquire_timeout",)
    _acquire_timeout: float

    def acquire(
        self, *, timeout: float | None = None
    ) -> asyncpg.pool.PoolAcquireContext[asyncpg.Record]:
        return super().acquire(timeout=self._acquire_timeout if timeout is None else timeout)


class _NoTraceback(logging.Filter):
    """asyncpg logs each failed refill of the pool's floor with a traceback; while the
    server is away that is expected: keep the line, name the failure, drop the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        down = unavailable(record.exc_info[1]) if record.exc_info and record.exc_info[1] else None
        if down is not None:
            record.msg, record.exc_info = f"{record.msg} ({down.cause})", None
        return True


def _quiet_pool_log() -> None:
    logger = logging.getLogger("asyncpg.pool")
    if not any(isinstance(f, _NoTraceback) for f in logger.filters):
        logger.addFilter(_NoTraceback())


async def bounded_pool(
    dsn: str, timeouts: DatabaseTimeouts, *, max_size: int, server_settings: dict[str, str] | None
) -> BoundedPool:
    """create_pool's own construction, with the acquire default and the other timeouts."""
    _quiet_pool_log()
    pool = BoundedPool(
        dsn,
        min_size=1,
        max_size=max_size,
        max_queries=50000,
        max_inactive_connection_lifetime=300.0,
        reset=release,
        loop=None,
        connection_class=asyncpg.Connection,
        record_class=asyncpg.Record,
        server_settings=server_settings,
        timeout=timeouts.connect,
        command_timeout=timeouts.command,
    )
    pool._acquire_timeout = timeouts.acquire
    return await pool


@asynccontextmanager
async def open_database(
    settings: Settings, *, max_size: int = 20, timeouts: DatabaseTimeouts | None = None
) -> AsyncIterator[Database]:
    """Migrate as the connecting user, then pool connections acting as the app's role.

    `timeouts` for the console's requests (see DatabaseTimeouts); None for commands and
    workers, whose long statements (verifying every chain, exports) are their job.
    """
    async with database_dsn(settings) as dsn:
        conn = await asyncpg.connect(dsn, timeout=timeouts.connect if timeouts else 60)
        try:
            await migrate(conn)
        finally:
            await conn.close()
        server_settings = {"role": settings.db_role} if settings.db_role else None
        pool = (
            await bounded_pool(dsn, timeouts, max_size=max_size, server_settings=server_settings)
            if timeouts
            else await asyncpg.create_pool(
                dsn, min_size=1, max_size=max_size, server_settings=server_settings, reset=release
            )
        )
        try:
            yield Database(dsn, pool)
        finally:
            await pool.close()
