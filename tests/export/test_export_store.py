"""Exporting through the store: the export is an event, and the roles are checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from incidents.clock import ManualClock
from incidents.errors import NotAuthorized
from incidents.kinds import IncidentType, Status
from incidents.lifecycle import AddNote, ChangeStatus, CloseIncident
from incidents.reports import FileReport, ReportKind
from incidents.store import EventStore
from playbooks.loader import default_dirs, load_library
from server.export.run import export_incident
from server.export.verify_json import verify_bytes
from server.services import plans_from
from tests.export.support import ADMIN, FIRST_REPORT, PLANTED, translator
from tests.support import DUTY, LEAD, STAFF, open_cmd

WATCHFLOOR = str(Path(sys.executable).parent / "watchfloor")


def key() -> str:
    return uuid.uuid4().hex


async def closed_incident(store: EventStore) -> uuid.UUID:
    opened = await store.execute(None, open_cmd(IncidentType.MEDICAL), DUTY, key())
    iid = opened.incident_id
    await store.execute(iid, AddNote(f"家属电话 {PLANTED['mobile']}"), STAFF, key())
    await store.execute(iid, ChangeStatus(Status.CONTAINED, ""), LEAD, key())
    for kind in (ReportKind.FIRST, ReportKind.FINAL):
        await store.execute(iid, FileReport(kind, FIRST_REPORT), DUTY, key())
    await store.execute(iid, CloseIncident("处置完毕"), LEAD, key())
    return iid


@pytest.fixture
def library_store(pool, clock: ManualClock) -> EventStore:  # type: ignore[no-untyped-def]
    return EventStore(pool, clock, plans=plans_from(load_library(default_dirs({}))))


async def test_an_export_is_recorded_and_carries_its_own_record(library_store: EventStore) -> None:
    """Exporting a closed incident appends `exported` (who, format); the file ends with it."""
    iid = await closed_incident(library_store)
    done = await export_incident(
        library_store, iid, DUTY, "json", full=False, key=key(), t=translator("zh-CN"), units={}
    )
    events = await library_store.events(iid)
    last = events[-1]
    assert last.kind == "exported" and last.recorded_by == "duty1"
    assert last.payload == {"format": "json", "redacted": True}
    assert done.head_hash == last.hash
    assert verify_bytes(done.data).broken is None
    assert PLANTED["mobile"] not in done.data.decode()


async def test_only_commanders_and_admins_may_ask_for_the_full_export(
    library_store: EventStore,
) -> None:
    """A duty officer's full export is refused before anything is written; a viewer's any."""
    iid = await closed_incident(library_store)
    before = len(await library_store.events(iid))
    t = translator("en")
    with pytest.raises(NotAuthorized):
        await export_incident(library_store, iid, DUTY, "md", full=True, key=key(), t=t, units={})
    with pytest.raises(NotAuthorized):
        await export_incident(library_store, iid, STAFF, "md", full=False, key=key(), t=t, units={})
    assert len(await library_store.events(iid)) == before
    done = await export_incident(
        library_store, iid, ADMIN, "md", full=True, key=key(), t=t, units={}
    )
    assert PLANTED["mobile"] in done.data.decode()


def cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "WATCHFLOOR_LOG_LEVEL": "warning"}
    return subprocess.run(
        [WATCHFLOOR, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


async def test_the_command_line_exports_and_verifies_offline(
    database_url: str, library_store: EventStore, tmp_path: Path
) -> None:
    """`watchfloor export … -o` writes the file; `watchfloor verify FILE` proves it, offline."""
    iid = await closed_incident(library_store)
    out = tmp_path / "incident.json"
    done = cli(database_url, "export", str(iid), "--format", "json", "--full", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "events" in done.stderr  # the progress line
    doc = json.loads(out.read_text("utf-8"))
    assert doc["events"][-1]["kind"] == "exported" and not doc["manifest"]["redacted"]
    offline = "postgresql://nobody@127.0.0.1:1/none"  # no database is reached
    ok = cli(offline, "verify", str(out))
    assert ok.returncode == 0 and "the chain is whole" in ok.stdout, ok.stdout + ok.stderr
    seq = next(e["seq"] for e in doc["events"] if e["kind"] == "note_added")
    out.write_bytes(out.read_bytes().replace(PLANTED["mobile"].encode(), b"13812345679", 1))
    bad = cli(offline, "verify", str(out))
    assert bad.returncode == 1 and f"seq {seq}:" in bad.stdout
    pdf = tmp_path / "report.pdf"
    made = cli(database_url, "export", str(iid), "--format", "pdf", "--lang", "en", "-o", str(pdf))
    assert made.returncode == 0, made.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    plain = tmp_path / "plain.json"  # no flag: redacted, as the help says; a visitor's details out
    assert cli(database_url, "export", str(iid), "-o", str(plain)).returncode == 0
    redacted = json.loads(plain.read_text("utf-8"))
    assert redacted["manifest"]["redacted"] and PLANTED["mobile"] not in plain.read_text("utf-8")
