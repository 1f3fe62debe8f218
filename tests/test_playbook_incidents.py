"""Opening incidents from the real playbook library: checklists and notifications on the
timeline, pinned so that editing the YAML later changes no open incident."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from incidents.checklist import TickItem
from incidents.clock import ManualClock
from incidents.kinds import IncidentType, Level
from incidents.lifecycle import ChangeLevel, ReportInjury, UpdateHeadcount
from incidents.store import EventStore
from playbooks.loader import default_dirs, load_library, packaged_dir
from server.services import plans_from
from tests.support import DUTY, LEAD, STAFF, open_cmd


def key() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def library_store(pool, clock: ManualClock) -> EventStore:  # type: ignore[no-untyped-def]
    return EventStore(pool, clock, plans=plans_from(load_library(default_dirs({}))))


@pytest.mark.parametrize("kind", list(IncidentType))
async def test_each_type_opens_with_its_checklist_and_notifications(
    library_store: EventStore, kind: IncidentType
) -> None:
    """Every one of the eight types opens with its checklist, its notices and first-report timer."""
    outcome = await library_store.execute(None, open_cmd(kind), DUTY, key())
    kinds = [e.kind for e in outcome.events]
    assert kinds[0] == "opened"
    assert kinds.count("checklist_item_added") == len(outcome.state.checklist) > 3
    planned = {n.unit for n in outcome.state.notifications}
    assert {"petition_bureau", "police"} <= planned, planned  # always told (DOMAIN.md)
    assert any(t.id == "report:first" for t in outcome.state.timers)
    assert outcome.state.plan is not None
    assert outcome.state.plan.playbook_id and len(outcome.state.plan.hash) == 64


async def test_collective_visit_of_30_brings_the_major_items(library_store: EventStore) -> None:
    """A collective visit growing to 30 is major, and the major-level items and units are added."""
    opened = await library_store.execute(
        None, open_cmd(IncidentType.COLLECTIVE_VISIT, 12), DUTY, key()
    )
    before = {i.id for i in opened.state.checklist}
    raised = await library_store.execute(opened.incident_id, UpdateHeadcount(30), STAFF, key())
    assert raised.state.level.rank >= Level.MAJOR.rank
    added = {i.id for i in raised.state.checklist} - before
    assert added, "major brings more checklist items"
    again = await library_store.execute(
        opened.incident_id, ChangeLevel(Level.CRITICAL, "人群情绪激动"), LEAD, key()
    )
    ids = [i.id for i in again.state.checklist]
    assert len(ids) == len(set(ids))


async def test_pinned_plan_survives_an_edited_playbook(
    pool,
    clock: ManualClock,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    """After the YAML changes, an open incident still runs on the plan it was opened with."""
    first = EventStore(pool, clock, plans=plans_from(load_library([packaged_dir()])))
    opened = await first.execute(None, open_cmd(IncidentType.MEDICAL), DUTY, key())
    folder = tmp_path / "override"
    folder.mkdir()
    text = (packaged_dir() / "medical.yaml").read_text("utf-8")
    edited = text.replace("id: call_ambulance", "id: call_ambulance_now").replace(
        "[call_ambulance]", "[call_ambulance_now]"
    )
    (folder / "medical.yaml").write_text(edited, "utf-8")
    shutil.copy(packaged_dir().parent / "units.yaml", folder / "units.yaml")
    later = EventStore(pool, clock, plans=plans_from(load_library([packaged_dir(), folder])))
    ticked = await later.execute(opened.incident_id, TickItem("call_ambulance"), STAFF, key())
    assert ticked.state.plan == opened.state.plan
    fresh = await later.execute(None, open_cmd(IncidentType.MEDICAL), DUTY, key())
    assert fresh.state.plan is not None and opened.state.plan is not None
    assert fresh.state.plan.hash != opened.state.plan.hash
    assert fresh.state.item("call_ambulance_now") is not None


async def test_someone_hurt_raises_violence_to_major(library_store: EventStore) -> None:
    """A fight where someone is hurt: the violence playbook's rule raises the level to major."""
    opened = await library_store.execute(None, open_cmd(IncidentType.VIOLENCE, 2), DUTY, key())
    assert opened.state.level is Level.GENERAL
    hurt = await library_store.execute(
        opened.incident_id, ReportInjury("一人头部受伤"), STAFF, key()
    )
    assert hurt.state.injured
    assert hurt.state.level is Level.MAJOR
    raised = [e for e in hurt.events if e.kind == "level_changed"]
    assert (raised[0].payload["rule"], raised[0].payload["injured"]) == ("playbook_rule", True)
