"""Which failures mean "the database is unavailable" (503, try again) and which are bugs."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from server.database import DatabaseUnavailable, unavailable
from tests.faults.cluster import free_port


async def test_a_refused_connection_from_asyncpg_is_unavailable() -> None:
    """Connection refused, raised through asyncpg: unavailable, named by its type."""
    with pytest.raises(ConnectionRefusedError) as refused:
        await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{free_port()}/x", timeout=2)
    down = unavailable(refused.value)
    assert isinstance(down, DatabaseUnavailable) and down.cause == "ConnectionRefusedError"


async def test_a_timeout_elsewhere_is_not_the_database() -> None:
    """A TimeoutError that never went through asyncpg (an SMS gateway, say) stays a bug."""
    with pytest.raises(TimeoutError) as timed_out:
        async with asyncio.timeout(0.001):
            await asyncio.sleep(1)
    assert unavailable(timed_out.value) is None
    assert unavailable(OSError("disk")) is None


def test_connection_errors_count_and_bad_arguments_do_not() -> None:
    """A lost connection is unavailable; a bad query argument (DataError) is a bug."""
    assert unavailable(asyncpg.ConnectionDoesNotExistError("closed")) is not None
    assert unavailable(asyncpg.CannotConnectNowError("starting up")) is not None
    assert unavailable(asyncpg.QueryCanceledError("statement timeout")) is not None
    stale = "cannot switch to state 12; another operation (2) is in progress"
    assert unavailable(asyncpg.InternalClientError(stale)) is not None  # a PG stop, in CI
    assert unavailable(asyncpg.DataError("invalid input for query argument")) is None
    assert unavailable(ValueError("x")) is None
