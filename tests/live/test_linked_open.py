"""Opening a linked incident over HTTP: a missing first incident is refused by name, and a
retried opening records the link on the first once."""

from __future__ import annotations

import uuid

from tests.live.conftest import Live

BODY = {"type": "medical", "location": "一楼大厅 🏥 Hall", "headcount": 1, "summary": "晕倒 😟"}


async def test_an_opening_from_no_such_incident_is_refused_by_name(live: Live) -> None:
    """422 naming the field, said in Chinese; nothing is opened."""
    duty = await live.client("duty1")
    before = (await duty.get("/api/incidents")).json()
    for linked_to, reason in [(str(uuid.uuid4()), "link.unknown"), ("一二三", "input.uuid")]:
        reply = await duty.post(
            "/incidents",
            json=BODY | {"linked_to": linked_to},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        assert reply.status_code == 422, reply.text
        assert reply.json()["reason"] == reason and reply.json()["field"] == "linked_to"
        assert "事件" in reply.json()["text"], reply.json()  # zh-CN, the default
    assert (await duty.get("/api/incidents")).json() == before


async def test_a_retried_opening_records_the_link_once(live: Live) -> None:
    """The same key twice (over the JSON API): one medical incident, one link on the first."""
    duty = await live.client("duty1")
    key = uuid.uuid4().hex
    first = (
        await duty.post(
            "/incidents",
            json=BODY | {"type": "collective_visit", "headcount": 8},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
    ).json()["incident_id"]
    replies = [
        await duty.post(
            "/api/incidents", json=BODY | {"linked_to": first}, headers={"Idempotency-Key": key}
        )
        for _ in range(2)
    ]
    assert [r.status_code for r in replies] == [201, 200]
    medical = replies[0].json()["incident_id"]
    assert replies[1].json()["incident_id"] == medical
    events = (await duty.get(f"/api/incidents/{first}/events")).json()
    linked = [e["payload"] for e in events if e["kind"] == "incident_linked"]
    assert linked == [{"incident": medical, "type": "medical", "location": BODY["location"]}]
    opened = (await duty.get(f"/api/incidents/{medical}/events")).json()[0]["payload"]
    assert opened["linked_to"] == first and opened["linked_location"] == BODY["location"]
