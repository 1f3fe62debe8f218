"""Bytes waiting for the command that attaches them: kept in the same transaction as its
events, by the projector the event store runs (so a refused command leaves no file, and an
accepted one is never without its file).

The route stages the upload before it runs the command and drops it after the answer; the
projector finds it there by hash. Nothing else crosses: the command itself holds only the
file's hash, type, size and name.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from incidents.append import Conn
from incidents.events import Event
from incidents.state import IncidentState
from server.evidence import store


class MissingFile(RuntimeError):
    """An event attaches a file no upload brought: a bug, never input."""


class Staging:
    def __init__(self) -> None:
        self._held: dict[str, tuple[str, bytes, int]] = {}  # sha -> (type, bytes, holders)

    @contextmanager
    def hold(self, sha256: str, content_type: str, content: bytes) -> Iterator[None]:
        _, _, n = self._held.get(sha256, (content_type, content, 0))
        self._held[sha256] = (content_type, content, n + 1)
        try:
            yield
        finally:
            kind, data, n = self._held[sha256]
            if n == 1:
                del self._held[sha256]
            else:
                self._held[sha256] = (kind, data, n - 1)

    def get(self, sha256: str) -> tuple[str, bytes] | None:
        found = self._held.get(sha256)
        return (found[0], found[1]) if found else None


class EvidenceProjector:
    """Keeps the bytes of each attached file in the command's transaction."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    async def __call__(self, conn: Conn, state: IncidentState, events: Sequence[Event]) -> None:
        for e in events:
            if e.kind == "evidence_attached":
                sha = str(e.payload["sha256"])
                found = self._staging.get(sha)
                if found is None:
                    raise MissingFile(f"seq {e.seq} attaches {sha}, which no upload brought")
                await store.keep(conn, sha, found[0], found[1])
