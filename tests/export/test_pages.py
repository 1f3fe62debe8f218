"""The follow-up board and the incident page's export panel, over real HTTP."""

from __future__ import annotations

import uuid

from incidents.clock import SystemClock
from incidents.store import EventStore
from playbooks.instantiate import to_plan
from playbooks.loader import default_dirs, load_library
from tests.export.support import close_through
from tests.live.conftest import Live


async def closed_incident(live: Live) -> uuid.UUID:
    library = load_library(default_dirs({}))
    store = EventStore(live.pool, SystemClock(), plans=lambda k: to_plan(library.playbook(k)))
    return await close_through(store)


async def test_the_board_lists_follow_up_and_the_page_offers_exports(live: Live) -> None:
    """A duty officer sees the closed incident's follow-up items and a redacted-only export."""
    iid = await closed_incident(live)
    duty = await live.client("duty1")
    board = await duty.get("/followup")
    assert board.status_code == 200
    assert f"/incidents/{iid}/followup/register_matter/complete" in board.text
    page = await duty.get(f"/incidents/{iid}")
    assert f'action="/incidents/{iid}/export"' in page.text
    assert 'name="full"' not in page.text  # only commanders and admins may ask for it
    reply = await duty.post(
        f"/incidents/{iid}/export",
        data={"format": "pdf", "idempotency_key": uuid.uuid4().hex},
    )
    assert reply.status_code == 200 and reply.content.startswith(b"%PDF")
    assert "attachment" in reply.headers["content-disposition"]
    staff = await live.client("staff1")
    assert (await staff.get("/followup")).status_code == 403
