"""Every role × every action over HTTP: allowed, or 403 — generated from the one table."""

from __future__ import annotations

import hashlib
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

REPORT = {"time": "09:00", "place": "大厅", "scale": "1 人", "cause": "测试"}
# action -> (status the incident needs first, path under /incidents/{id}, body)
REQUESTS: dict[Action, tuple[list[str], str, dict[str, Any]]] = {
    Action.ADD_NOTE: ([], "notes", {"text": "记录"}),
    Action.UPDATE_HEADCOUNT: ([], "headcount", {"headcount": 2}),
    Action.CHANGE_LEVEL: ([], "level", {"to": "major", "reason": "升级"}),
    Action.CHANGE_STATUS: ([], "status", {"to": "responding"}),
    Action.CLOSE: (["contained", "reports"], "close", {"reason": "处置完毕"}),
    Action.REOPEN: (["contained", "close"], "reopen", {"reason": "再次到访"}),
    Action.ASSIGN_COMMANDER: ([], "commander", {"user_id": "commander1"}),
    Action.WORK_CHECKLIST: ([], "items/report_to_head/tick", {}),
    Action.RECORD_PHONE_ACK: ([], "notifications/tell_police/acknowledge", {"by": "王警官"}),
    Action.RESEND_NOTIFICATION: ([], "notifications/tell_police/resend", {}),
    Action.EXPORT: ([], "export", {"format": "json"}),
    Action.EXPORT_FULL: (["contained", "close"], "export", {"format": "md", "full": "1"}),
    Action.WORK_FOLLOWUP: (
        ["contained", "close"],
        "followup/register_matter/complete",
        {"evidence": "登记编号 031"},
    ),
    Action.EXTEND_REPLY: (["contained", "close"], "extend-reply", {"days": 10, "reason": "会商"}),
    Action.DISPATCH_RESOURCE: ([], "resources", {"resource": "ambulance"}),
    Action.MOVE_RESOURCE: (
        ["resource"],
        "resource-move",
        {"dispatch": "ambulance-1", "to": "en_route", "eta_minutes": 5},
    ),
    Action.FILE_REPORT: ([], "reports", {"kind": "first", **REPORT}),
    Action.DECLARE_CONFLICT: ([], "conflict", {"reason": "与来访人系亲属"}),  # for themself
}
# Steps of `prepared` besides statuses: what a step needs first (closing needs a final report).
PREPARE: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "reports": [("reports", {"kind": "first", **REPORT}), ("reports", {"kind": "final", **REPORT})],
    "close": [
        ("reports", {"kind": "first", **REPORT}),
        ("reports", {"kind": "final", **REPORT}),
        ("close", {}),
    ],
    "resource": [("resources", {"resource": "ambulance"})],
}
# An export answers with the file itself (200), not with a created record (201).
ALLOWED_STATUS: dict[Action, int] = {
    Action.EXPORT: 200,
    Action.EXPORT_FULL: 200,
    Action.VIEW_EVIDENCE: 200,  # the original file
}
PDF = b"%PDF-1.4\n" + b"0" * 100
ALLOWED_STATUS[Action.RUN_DRILL] = 303  # /drills answers a form with the page again
# What only the workers and acknowledgement links do: no route takes it from a login.
SYSTEM_ONLY = frozenset(a for a, roles in PERMISSIONS.items() if roles == {Role.SYSTEM})


class Clients:
    """One sign-in per user for the whole matrix (argon2 is slow on purpose)."""

    def __init__(self, live: Live) -> None:
        self.live, self.by_login = live, dict[str, httpx.AsyncClient]()

    async def get(self, login: str) -> httpx.AsyncClient:
        if login not in self.by_login:
            self.by_login[login] = await self.live.client(login)
        return self.by_login[login]


async def prepared(clients: Clients, steps: list[str]) -> str:
    """A fresh medical incident, moved by the commander to where the action applies."""
    lead = await clients.get("commander1")
    opened = await lead.post(
        "/incidents",
        json={"type": "medical", "location": "大厅", "headcount": 1, "summary": "测试"},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    incident = str(opened.json()["incident_id"])
    for step in steps:
        for path, body in PREPARE.get(step, [("status", {"to": step})]):
            reply = await lead.post(
                f"/incidents/{incident}/{path}",
                json=body,
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            assert reply.status_code == 201, reply.text
    return incident


async def attempt(clients: Clients, role: Role, action: Action) -> int:
    client = await clients.get(LOGIN[role])
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    if action is Action.OPEN:
        body = {"type": "violence", "location": "门口", "headcount": 2, "summary": "争吵"}
        return (await client.post("/incidents", json=body, headers=headers)).status_code
    if action is Action.VIEW_EVIDENCE:  # a GET of a file the commander attached
        incident = await prepared(clients, [])
        lead = await clients.get("commander1")
        files = {"file": ("记录.pdf", PDF, "application/pdf")}
        json_reply = {**headers, "Accept": "application/json"}
        note = await lead.post(f"/incidents/{incident}/notes", files=files, headers=json_reply)
        assert note.status_code == 201, note.text
        sha = hashlib.sha256(PDF).hexdigest()
        return (await client.get(f"/incidents/{incident}/evidence/{sha}")).status_code
    if action is Action.RUN_DRILL:
        return await drill_attempt(clients, client)
    steps, path, body = REQUESTS[action]
    incident = await prepared(clients, steps)
    return (
        await client.post(f"/incidents/{incident}/{path}", json=body, headers=headers)
    ).status_code


async def drill_attempt(clients: Clients, client: httpx.AsyncClient) -> int:
    """A drill the commander started, paused by `client`."""
    lead = await clients.get("commander1")
    await lead.post("/drills/start", data={"script": "self_harm_poison", "speed": "1"})
    drill = (await lead.get("/drills")).text.split('id="run-', 1)[1].split('"', 1)[0]
    body = {"idempotency_key": uuid.uuid4().hex}
    return (await client.post(f"/drills/{drill}/pause", data=body)).status_code


async def test_every_role_and_action_is_allowed_or_refused_as_the_table_says(live: Live) -> None:
    """Each role may do exactly what PERMISSIONS lists; anything else is 403."""
    wrong, clients = [], Clients(live)
    for role in (r for r in Role if r.assignable):
        for action in (a for a in Action if a not in SYSTEM_ONLY):
            status = await attempt(clients, role, action)
            allowed = ALLOWED_STATUS.get(action, 201)
            expected = allowed if role in PERMISSIONS[action] else 403
            if status != expected:
                wrong.append(f"{role.value} {action.value}: {status}, expected {expected}")
    assert wrong == []


def test_the_system_role_is_nobody_s_login_and_only_the_workers_act_as_it() -> None:
    """No person's role may record deliveries or acknowledge for a unit; the system may not open."""
    assert not Role.SYSTEM.assignable
    assert all(Role.SYSTEM not in roles for a, roles in PERMISSIONS.items() if a not in SYSTEM_ONLY)
    assert {Action.RECORD_DELIVERY, Action.ACKNOWLEDGE_NOTIFICATION} == SYSTEM_ONLY
