"""A CSV export opened in a spreadsheet runs no formula: a cell starting =, +, -, @ is text."""

from __future__ import annotations

import csv
import io
import uuid

import pytest

from incidents.kinds import Role
from server.auth.cli import DEMO_PASSWORD
from server.export.as_csv import cell
from tests.live.conftest import Live


@pytest.mark.parametrize(
    "value", ['=HYPERLINK("http://evil.example","点我")', "+1", "-2", "@SUM(1)"]
)
def test_a_formula_is_written_as_text(value: str) -> None:
    assert cell(value) == "'" + value


@pytest.mark.parametrize("value", ["王小明", "1+1", "a=b", 12, "📞 13812345678"])
def test_anything_else_is_written_as_it_is(value: object) -> None:
    assert cell(value) == value


async def test_a_name_that_is_a_formula_is_not_one_in_the_export(live: Live) -> None:
    """A user whose display name is a formula: the CSV's who column holds it as text."""
    await live.app.state.services.users.add(
        "mallory", '=HYPERLINK("http://evil.example","值班")', Role.COMMANDER, DEMO_PASSWORD
    )
    client = await live.client("mallory")
    opened = await client.post(
        "/incidents",
        json={"type": "medical", "location": "大厅", "headcount": 1, "summary": "晕倒"},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    incident = opened.json()["incident_id"]
    reply = await client.post(
        f"/incidents/{incident}/export",
        data={"format": "csv", "full": "on", "idempotency_key": uuid.uuid4().hex},
    )
    assert reply.status_code == 200, reply.text
    rows = list(csv.reader(io.StringIO(reply.content.decode("utf-8-sig"))))
    cells = [c for row in rows[1:] for c in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))], cells
    assert '\'=HYPERLINK("http://evil.example","值班")' in cells
