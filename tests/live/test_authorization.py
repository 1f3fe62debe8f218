"""Every role × every action over HTTP: allowed, or 403 — generated from the one table."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from incidents.authz import PERMISSIONS, Action
from incidents.kinds import Role
from tests.live.conftest import Live

LOGIN = {
    Role.DUTY_OFFICER: "duty1",
    Role.ONSITE_STAFF: "staff1",
    Role.COMMANDER: "commander1",
    Role.ADMIN: "admin1",
    Role.VIEWER: "viewer1",
}

# action -> (status the incident needs first, path under /incidents/{id}, body)
REQUESTS: dict[Action, tuple[list[str], str, dict[str, Any]]] = {
    Action.ADD_NOTE: ([], "notes", {"text": "记录"}),
    Action.UPDATE_HEADCOUNT: ([], "headcount", {"headcount": 2}),
    Action.CHANGE_LEVEL: ([], "level", {"to": "major", "reason": "升级"}),
    Action.CHANGE_STATUS: ([], "status", {"to": "responding"}),
    Action.CLOSE: (["contained"], "close", {"reason": "处置完毕"}),
    Action.REOPEN: (["contained", "close"], "reopen", {"reason": "再次到访"}),
    Action.ASSIGN_COMMANDER: ([], "commander", {"user_id": "commander1"}),
    Action.WORK_CHECKLIST: ([], "items/report_to_head/tick", {}),
}


_clients: dict[tuple[int, str], httpx.AsyncClient] = {}


async def signed_in(live: Live, login: str) -> httpx.AsyncClient:
    """One sign-in per user for the whole matrix (argon2 is slow on purpose)."""
    if (id(live), login) not in _clients:
        _clients[(id(live), login)] = await live.client(login)
    return _clients[(id(live), login)]


async def prepared(live: Live, steps: list[str]) -> str:
    """A fresh medical incident, moved by the commander to where the action applies."""
    lead = await signed_in(live, "commander1")
    opened = await lead.post(
        "/incidents",
        json={"type": "medical", "location": "大厅", "headcount": 1, "summary": "测试"},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    incident = str(opened.json()["incident_id"])
    for step in steps:
        path, body = ("close", {}) if step == "close" else ("status", {"to": step})
        reply = await lead.post(
            f"/incidents/{incident}/{path}",
            json=body,
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        assert reply.status_code == 201, reply.text
    return incident


async def attempt(live: Live, role: Role, action: Action) -> int:
    client = await signed_in(live, LOGIN[role])
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    if action is Action.OPEN:
        body = {"type": "violence", "location": "门口", "headcount": 2, "summary": "争吵"}
        return (await client.post("/incidents", json=body, headers=headers)).status_code
    steps, path, body = REQUESTS[action]
    incident = await prepared(live, steps)
    return (
        await client.post(f"/incidents/{incident}/{path}", json=body, headers=headers)
    ).status_code


async def test_every_role_and_action_is_allowed_or_refused_as_the_table_says(live: Live) -> None:
    """Each role may do exactly what PERMISSIONS lists; anything else is 403."""
    wrong = []
    for role in Role:
        for action in Action:
            status = await attempt(live, role, action)
            expected = 201 if role in PERMISSIONS[action] else 403
            if status != expected:
                wrong.append(f"{role.value} {action.value}: {status}, expected {expected}")
    assert wrong == []
