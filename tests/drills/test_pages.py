"""Over HTTP: /drills is for commanders and admins; a drill's incidents stay off the real
follow-up board (their follow-up is listed with the drill) and the zero report; its review
and exports say 演练; refusals name the field."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from tests.i18n_check import chinese_runs
from tests.live.conftest import Live, live  # noqa: F401  (the fixture)

REPORT = {"time": "今天 10:00", "place": "大厅", "scale": "35 人", "cause": "集体访 😀 mixed"}


async def _json(client: httpx.AsyncClient, path: str, **body: Any) -> httpx.Response:
    key = uuid.uuid4().hex
    return await client.post(path, json=body, headers={"Idempotency-Key": key})


async def _start(client: httpx.AsyncClient, script: str, speed: int) -> str:
    reply = await client.post(
        "/drills/start", data={"script": script, "speed": str(speed), "auto": "on"}
    )
    assert reply.status_code == 303, reply.text
    page = (await client.get("/drills")).text
    return page.split('id="run-', 1)[1].split('"', 1)[0]


async def _ended(client: httpx.AsyncClient, incident: str) -> None:
    for _ in range(100):
        if "已结束" in (await client.get("/drills")).text.split(f'id="run-{incident}"', 1)[1]:
            return
        await asyncio.sleep(0.2)
    raise AssertionError("the drill did not end")


async def test_drills_pages_and_what_the_office_counts(live: Live) -> None:  # noqa: F811
    lead = await live.client("commander1")
    duty = await live.client("duty1")
    assert (await duty.get("/drills")).status_code == 403  # commanders and admins only
    drill = await _start(lead, "self_harm_poison", 600)
    await _ended(lead, drill)

    # closed with the drill's end: off the board, its follow-up items the drill's
    assert (await lead.get(f"/api/incidents/{drill}")).json()["status"] == "closed"
    assert drill not in (await lead.get("/")).text
    board = (await lead.get("/followup")).text
    assert drill not in board and "二楼接谈室（演练）" not in board
    assert "演练善后事项" in (await lead.get("/drills")).text
    zero = (await duty.get("/zero-report")).text
    assert drill not in zero and "演练" not in zero.replace("/drills", "")

    review = await lead.get(f"/drills/{drill}/review")
    assert review.status_code == 200 and "<svg" in review.text and "演练评估" in review.text
    md = await lead.get(f"/drills/{drill}/review.md")
    assert md.text.startswith("# 演练评估: ") and "| 首报 |" in md.text
    en = await lead.get(f"/drills/{drill}/review.md?lang=en")
    assert en.text.startswith("# After-action review: ") and chinese_runs(en.text) == []
    pdf = await lead.get(f"/drills/{drill}/review.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"

    exported = await lead.post(
        f"/incidents/{drill}/export",
        data={"format": "md"},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert exported.text.startswith("# 演练 · ")
    page = (await lead.get(f"/incidents/{drill}")).text
    assert '<span class="drill-badge">演练</span>' in page

    bad = await lead.post("/drills/start", data={"script": "nope", "speed": "60"})
    assert bad.status_code == 404 and "没有这个演练脚本" in bad.text
    fast = await lead.post("/drills/start", data={"script": "self_harm_poison", "speed": "0"})
    assert fast.status_code == 422 and "加速倍数" in fast.text


async def test_an_admin_pauses_resumes_and_stops_a_drill(live: Live) -> None:  # noqa: F811
    """Pausing holds the drill's clock; stopping ends every incident of the run, on record."""
    admin = await live.client("admin1")
    drill = await _start(admin, "collective_visit_grows", 1)

    async def state() -> str:
        return (await admin.get("/drills")).text.split(f'id="run-{drill}"', 1)[1][:2000]

    for move, shown in (("pause", "已暂停"), ("resume", "进行中"), ("stop", "已结束")):
        reply = await admin.post(
            f"/drills/{drill}/{move}", data={"idempotency_key": uuid.uuid4().hex}
        )
        assert reply.status_code == 303, reply.text
        assert shown in await state()
    again = await admin.post(f"/drills/{drill}/pause", data={"idempotency_key": uuid.uuid4().hex})
    assert again.status_code == 409 and "事件已关闭" in again.text  # it closed with the drill
    events = (await admin.get(f"/api/incidents/{drill}/events")).json()
    kinds = [e["kind"] for e in (events["events"] if isinstance(events, dict) else events)]
    shown = {"drill_paused", "drill_resumed", "drill_ended", "status_changed"}
    moves = [k for k in kinds if k in shown]
    assert moves[-4:] == ["drill_paused", "drill_resumed", "drill_ended", "status_changed"]
