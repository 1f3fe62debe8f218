"""A drill at speed 60 with --auto against real receivers: no real contact hears of it."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import asyncpg

from incidents.clock import SystemClock
from incidents.kinds import IncidentType, Role
from incidents.lifecycle import OpenIncident
from incidents.state import Actor
from playbooks.drill_loader import drills_dir, load_drill
from playbooks.loader import Library
from server.drills.cli import run_drill
from server.services import incident_store
from server.settings import Settings
from tests.notify.conftest import Receiver

DUTY = Actor("duty1", Role.DUTY_OFFICER)
KINDS = {
    "first_report": "report_filed",
    "ack": "notification_acknowledged",
    "item": "item_ticked",
    "contained": "status_changed",
}


def settings(database_url: str, tmp: Path) -> Settings:
    return Settings.from_env(
        {
            "DATABASE_URL": database_url,
            "WATCHFLOOR_DATA": str(tmp),
            "WATCHFLOOR_NOTIFY_POLL": "0.2",
            "WATCHFLOOR_PUBLIC_URL": "http://127.0.0.1:9",
        }
    )


async def _real_incident_during(pool: asyncpg.Pool, library: Library) -> UUID:
    """A real collective visit opened two seconds into the drill, from the same library."""
    await asyncio.sleep(2)
    store = incident_store(pool, SystemClock(), library)
    cmd = OpenIncident(IncidentType.COLLECTIVE_VISIT, "真实大厅 🏢", 8, "真实来访 real visit")
    return (await store.execute(None, cmd, DUTY, "real-incident-during-drill")).incident_id


async def test_a_drill_at_speed_60_reaches_only_drill_contacts(
    database_url: str,
    pool: asyncpg.Pool,
    drill_library: Library,
    receiver: Receiver,
    tmp_path: Path,
) -> None:
    """Real contacts receive nothing of the drill; drill contacts every message, 演练 first;
    the review's figures are the timeline's; a real incident beside it keeps real time."""
    script = load_drill(drills_dir() / "collapse_during_visit.yaml", drill_library)
    out = io.StringIO()
    real = asyncio.create_task(_real_incident_during(pool, drill_library))
    code = await run_drill(
        settings(database_url, tmp_path), drill_library, script, 60, True, "zh-CN", out
    )
    real_id = await real
    assert code == 0 and "# 演练评估" in out.getvalue()

    store = incident_store(pool, SystemClock(), drill_library)
    states = [s for s in await store.incidents(include_closed=True) if s.drill]
    drill_ids = {str(s.id) for s in states}
    assert len(states) == 2  # the collective visit and the linked medical incident

    bodies = [(path, json.loads(body)) for path, _, _, body in receiver.seen]
    real_seen = [b for path, b in bodies if path.startswith("/real/")]
    assert [b for b in real_seen if b["incident_id"] in drill_ids] == []
    assert {b["incident_id"] for b in real_seen} == {str(real_id)}  # the channel works
    drilled = [b for path, b in bodies if path.startswith("/drill/")]
    assert drilled and all(b["subject"].startswith("【演练】") and b["drill"] for b in drilled)
    assert all(b["text"].startswith("【演练】") for b in drilled)
    causes = [b["fields"].get("cause", "") for b in drilled]
    assert any(c.endswith(script.opening.summary) for c in causes)  # 18名…欠薪问题 💼, as typed
    notes = [j.note for j in script.injects if j.note]
    for s in states:
        events = await store.events(s.id)
        noted = [e.payload["text"] for e in events if e.kind == "note_added"]
        notes = [n for n in notes if n not in noted]
        delivered = {e.payload["delivery"] for e in events if e.kind == "notification_delivered"}
        keys = {b["idempotency_key"] for b in drilled if b["incident_id"] == str(s.id)}
        assert len(keys) == len(delivered) > 0

    assert notes == []  # every note the script played is on a timeline, as written
    main = next(s for s in states if s.drill and s.drill.main)
    from server.drills.runner import DrillRunner
    from server.i18n import Catalogue

    runner = DrillRunner(
        store, {script.id: script}, SystemClock(), _nothing, Catalogue.load(), "UTC"
    )
    review = await runner.review(main.id)
    assert review.speed == 60 and review.times
    for k in review.times:
        if k.at is None:
            continue
        events = await store.events(k.incident)
        shown = [e for e in events if e.occurred_at == k.at and e.kind == KINDS[k.kind]]
        assert shown, f"{k.key} at {k.at} is not on the timeline"
        assert k.seconds == round((k.at - main.opened_at).total_seconds() * 60)
    assert {u.unit for u in review.unanswered} >= {"petition_bureau"}
    escalated = next(u for u in review.unanswered if u.unit == "petition_bureau")
    assert [s.step for s in escalated.steps][:1] == ["renotify"]

    real_state = await store.state(real_id)
    assert real_state.drill is None
    police = next(n for n in real_state.plan.notifications if n.unit == "police")  # type: ignore[union-attr]
    assert police.ack_within == 600  # 10m, as the playbook says
    first = next(t for t in real_state.timers if t.id == "report:first")
    assert first.due_at - real_state.opened_at == timedelta(minutes=30)


async def _nothing(_: object) -> None:
    return None
