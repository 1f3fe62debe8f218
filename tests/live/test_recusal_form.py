"""The conflict-of-interest form asks whose conflict only of those who may declare another's."""

from __future__ import annotations

import uuid

from incidents.recusal import MAY_DECLARE_FOR_OTHERS
from tests.live.conftest import Live

BODY = {"type": "collective_visit", "location": "一楼大厅", "headcount": 3, "summary": "集体访"}
ROLES = {"duty1": False, "staff1": False, "commander1": True, "admin1": True}


async def test_only_commanders_and_admins_are_asked_whose_conflict(live: Live) -> None:
    duty = await live.client("duty1")
    reply = await duty.post("/incidents", json=BODY, headers={"Idempotency-Key": uuid.uuid4().hex})
    incident = reply.json()["incident_id"]
    for login, asked in ROLES.items():
        page = (await (await live.client(login)).get(f"/incidents/{incident}")).text
        assert 'id="conflict-form"' in page, login  # everyone may step aside themself
        assert ('id="conflict-user"' in page) is asked, login
    assert len(MAY_DECLARE_FOR_OTHERS) == sum(ROLES.values())
