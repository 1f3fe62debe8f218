"""The evidence files' SQL: kept once by SHA-256, read back, and listed for checks.

The table refuses UPDATE, DELETE and TRUNCATE (migration 0010), and checks each row's hash
against its bytes on the way in; the app's role may only SELECT and INSERT.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg

from incidents.append import Conn

_INSERT = """
INSERT INTO evidence_files (sha256, content_type, size, content) VALUES ($1, $2, $3, $4)
ON CONFLICT (sha256) DO NOTHING
"""


@dataclass(frozen=True, slots=True)
class StoredFile:
    sha256: str
    content_type: str
    content: bytes


async def keep(conn: Conn, sha256: str, content_type: str, content: bytes) -> None:
    """Store the bytes unless a file with this hash is there already (then it is the same)."""
    await conn.execute(_INSERT, sha256, content_type, len(content), content)


async def read(pool: asyncpg.Pool, sha256: str) -> StoredFile | None:
    row = await pool.fetchrow(
        "SELECT sha256, content_type, content FROM evidence_files WHERE sha256 = $1", sha256
    )
    return StoredFile(row["sha256"], row["content_type"], row["content"]) if row else None


async def stored(conn: Conn, hashes: list[str]) -> AsyncIterator[tuple[str, bytes]]:
    """(the hash it was stored under, its bytes as they are now), one file at a time."""
    for sha in hashes:
        content = await conn.fetchval("SELECT content FROM evidence_files WHERE sha256 = $1", sha)
        if content is not None:
            yield sha, bytes(content)
