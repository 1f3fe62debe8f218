"""`watchfloor export` and `watchfloor verify FILE.json`: the command-line side of exports."""

from __future__ import annotations

import getpass
import sys
import time
import uuid
from pathlib import Path
from typing import TextIO
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from incidents.clock import SystemClock
from incidents.events import ChainBreak
from incidents.kinds import Role
from incidents.state import Actor
from incidents.store import EventStore
from incidents.text import visible
from playbooks.catalog import Library
from playbooks.loader import load_library
from server.auth.users import UserStore
from server.database import open_database
from server.evidence import store as evidence
from server.export import files
from server.export.as_json import FORMAT_1
from server.export.pdf_ready import PdfUnavailable
from server.export.run import export_incident, unit_names
from server.export.verify_json import FileVerdict, NotAnExport, verify_bytes
from server.i18n import Catalogue, Translator
from server.refusal import explain
from server.settings import Settings


def cli_actor() -> Actor:
    """Whoever holds the database URL can do anything: the CLI acts as an admin, by OS user."""
    return Actor(f"cli:{getpass.getuser()}", Role.ADMIN)


class ProgressLine:
    """One line on stderr, rewritten in place while a long export reads and renders."""

    def __init__(self, out: TextIO) -> None:
        self.out, self.started = out, time.monotonic()

    def __call__(self, stage: str, done: int, total: int) -> None:
        seconds = time.monotonic() - self.started
        self.out.write(f"\r{stage:7} {done:>7}/{total} events  {seconds:6.2f} s")
        if stage == "render" and done == total:
            self.out.write("\n")
        self.out.flush()


async def translator(pool: asyncpg.Pool, library: Library, language: str, zone: str) -> Translator:
    """The report's language, with units and people by name as the console shows them."""
    units = {u.id: (u.name.zh, u.name.en) for u in library.units.values()}
    names = {u.id: u.display_name for u in await UserStore(pool).list()}
    return Translator(Catalogue.load().with_names("unit", units), language, ZoneInfo(zone), names)


async def export_command(
    settings: Settings,
    incident_id: UUID,
    fmt: str,
    output: Path | None,
    *,
    full: bool,
    language: str,
    with_files: bool = False,
) -> int:
    if with_files and not (full and fmt == "json"):
        print("error: --files goes with --format json --full", file=sys.stderr)
        return 2
    library = load_library(settings.playbook_dirs)
    from server.services import plans_from  # the store needs the plans to decide

    async with open_database(settings, max_size=2) as db:
        t = await translator(db.pool, library, language, settings.timezone)
        store = EventStore(db.pool, SystemClock(), plans=plans_from(library))
        try:
            done = await export_incident(
                store,
                incident_id,
                cli_actor(),
                fmt,
                full=full,
                key=f"cli-export-{uuid.uuid4().hex}",
                t=t,
                units=unit_names(library),
                progress=ProgressLine(sys.stderr),
            )
        except PdfUnavailable as lacking:  # the packages to install, not a traceback
            print(explain(t, lacking), file=sys.stderr)
            return 2
        target = output or Path(done.filename)
        target.write_bytes(done.data)
        print(f"exported {done.events} events to {visible(str(target))} (head {done.head_hash})")
        if with_files:
            await _write_files(db.pool, target, done.data)
    return 0


async def _write_files(pool: asyncpg.Pool, target: Path, data: bytes) -> None:
    """The export's attached files, in a zip beside it, read one at a time."""
    listed = verify_bytes(data).attachments
    hashes = list(dict.fromkeys(str(a["sha256"]) for a in listed))
    async with pool.acquire() as conn:
        kept = [(sha, content) async for sha, content in evidence.stored(conn, hashes)]
    beside = files.zip_beside(target)
    n = files.write_zip(beside, kept)
    print(f"and {n} attached files to {visible(str(beside))}")


def _check_files(path: Path, verdict: FileVerdict, out: TextIO) -> ChainBreak | None:
    """The attached files, against the zip beside the export when there is one."""
    if not verdict.attachments:
        return None
    beside = files.zip_beside(path)
    if not beside.exists():
        out.write(
            f"{len(verdict.attachments)} attached files listed by hash; "
            f"no {visible(beside.name)} beside it to check their bytes\n"
        )
        return None
    broken = files.check_zip(beside, verdict.attachments)
    if broken is None:
        out.write(f"{len(verdict.attachments)} attached files verified in {visible(beside.name)}\n")
    return broken


def verify_file(path: Path, out: TextIO) -> int:
    """Verify a JSON export offline; exit 1 naming the first tampered seq."""
    try:
        verdict = verify_bytes(path.read_bytes())
    except (OSError, NotAnExport) as exc:
        out.write(f"NOT VERIFIED: {visible(str(path))}: {visible(str(exc))}\n")
        return 1
    if verdict.broken:
        brk = verdict.broken
        out.write(f"BROKEN: incident {verdict.incident_id} seq {brk.seq}: {visible(brk.reason)}\n")
        return 1
    out.write(
        f"verified {verdict.events} events of incident {verdict.incident_id}: "
        f"the chain is whole, head {verdict.head_hash}\n"
    )
    if (files_broken := _check_files(path, verdict, out)) is not None:
        out.write(f"BROKEN: incident {verdict.incident_id} seq {files_broken.seq}: ")
        out.write(f"{visible(files_broken.reason)}\n")
        return 1
    if verdict.redacted and verdict.format == FORMAT_1:
        out.write(
            f"{len(verdict.redacted)} redacted events verified by their links only "
            f"({FORMAT_1}); a full export or `watchfloor verify --incident` proves their content\n"
        )
    elif verdict.redacted:
        out.write(
            f"{len(verdict.redacted)} events with masked fields: every field shown verified, "
            "each masked field by its commitment\n"
        )
    return 0
