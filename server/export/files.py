"""Attached files in an export: listed by hash in the JSON's manifest (full or redacted, never
their content), and, for a full export on request, their bytes in a zip beside the JSON
(`FILE.files.zip`, one entry `files/<sha256>` each), which `watchfloor verify FILE.json`
checks against the hashes the verified events recorded.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from incidents.events import ChainBreak, Event

KIND = "evidence_attached"
LISTED = ("sha256", "kind", "content_type", "size")  # never the file's name: it may name someone


def listed(events: Iterable[Event]) -> list[dict[str, Any]]:
    """Each attached file as the manifest lists it, in seq order."""
    return [{"seq": e.seq, **{k: e.payload[k] for k in LISTED}} for e in events if e.kind == KIND]


def listed_rows(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """The same list, read back from an export's event rows (after they verified)."""
    found = []
    for row in rows:
        if isinstance(row, Mapping) and row.get("kind") == KIND:
            payload = row.get("payload") or {}
            found.append({"seq": row.get("seq"), **{k: payload.get(k) for k in LISTED}})
    return found


def zip_beside(path: Path) -> Path:
    return path.with_name(f"{path.stem}.files.zip")


def write_zip(path: Path, files: Iterable[tuple[str, bytes]]) -> int:
    """The files, stored as they are (photos and recordings are compressed already)."""
    n = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for sha, content in files:
            z.writestr(f"files/{sha}", content)
            n += 1
    return n


def check_zip(path: Path, attachments: Sequence[Mapping[str, Any]]) -> ChainBreak | None:
    """Every listed file is in the zip and hashes to what its event recorded."""
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            for a in attachments:
                seq, sha = int(a["seq"]), str(a["sha256"])
                if f"files/{sha}" not in names:
                    return ChainBreak(seq, f"the file attached at seq {seq} is not in {path.name}")
                if hashlib.sha256(z.read(f"files/{sha}")).hexdigest() != sha:
                    return ChainBreak(
                        seq, f"the file attached at seq {seq} no longer hashes to {sha}"
                    )
    except (zipfile.BadZipFile, OSError) as exc:
        return ChainBreak(int(attachments[0]["seq"]), f"{path.name}: {exc}")
    return None
