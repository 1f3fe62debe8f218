"""Linked incidents in the pure core: a medical incident opened from a collective visit."""

from __future__ import annotations

import io
from dataclasses import replace
from uuid import uuid4

import pypdf
import pytest

from incidents.domain import fold
from incidents.errors import IllegalTransition, InvalidCommand
from incidents.events import verify_chain
from incidents.kinds import IncidentType, Status
from incidents.lifecycle import ChangeStatus, CloseIncident
from incidents.links import RecordLink, grouped
from incidents.state import Link
from server.export.run import render
from server.export.view import view_of
from tests.export.support import translator
from tests.support import DUTY, open_cmd
from tests.test_domain import Log, opened

PLACE = "一楼大厅 🏛️ Hall A"


def first_and_medical() -> tuple[Log, Log]:
    first = Log()
    first.run(replace(open_cmd(IncidentType.COLLECTIVE_VISIT, 12), location=PLACE), DUTY)
    found = Link(first.id, first.s.type, first.s.location)
    medical = Log()
    medical.run(replace(open_cmd(), linked_to=first.id, linked_from=found), DUTY)
    first.run(RecordLink(Link(medical.id, medical.s.type, medical.s.location)), DUTY)
    return first, medical


def test_each_incident_names_the_other_on_its_own_chain() -> None:
    """The medical one says what it was opened from; the first lists it; both chains hold."""
    first, medical = first_and_medical()
    assert medical.s.linked_to == Link(first.id, IncidentType.COLLECTIVE_VISIT, PLACE)
    assert medical.events[0].payload["linked_location"] == PLACE
    assert first.s.linked == (Link(medical.id, IncidentType.MEDICAL, "一楼大厅"),)
    assert first.events[-1].kind == "incident_linked"
    verify_chain(first.events)
    verify_chain(medical.events)
    assert fold(first.events) == first.s and fold(medical.events) == medical.s


def test_an_opening_from_no_such_incident_is_refused_by_name() -> None:
    """The server found nothing under that id: refused, naming the field."""
    with pytest.raises(InvalidCommand) as refused:
        Log().run(replace(open_cmd(), linked_to=uuid4()), DUTY)
    assert refused.value.reason == "link.unknown" and refused.value.field == "linked_to"


def test_the_link_is_recorded_once_and_also_on_a_closed_incident() -> None:
    """A second record of the same link is refused; a closed first still records one."""
    first, _ = first_and_medical()
    with pytest.raises(IllegalTransition):
        first.run(RecordLink(first.s.linked[0]), DUTY)
    first.run(ChangeStatus(Status.CONTAINED))
    first.run(CloseIncident())
    other = opened()
    first.run(RecordLink(Link(other.id, other.s.type, other.s.location)), DUTY)
    assert len(first.s.linked) == 2 and first.s.status is Status.CLOSED


def test_closing_one_leaves_the_other_open() -> None:
    """Each incident has its own status: closing the medical one changes nothing on the first."""
    first, medical = first_and_medical()
    medical.run(ChangeStatus(Status.RESPONDING))
    medical.run(CloseIncident())
    assert medical.s.status is Status.CLOSED and first.s.is_open


def _report(log: Log, fmt: str, language: str) -> str:
    data = render(fmt, view_of(log.events, redact=True), translator(language), {}, exported_by="x")
    if fmt == "pdf":
        return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    return data.decode("utf-8")


@pytest.mark.parametrize("fmt", ["md", "pdf"])
def test_the_exports_name_the_linked_incidents_by_type_and_place(fmt: str) -> None:
    """The first's report lists the medical one; the medical one's says where it came from."""
    first, medical = first_and_medical()
    zh = _report(first, fmt, "zh-CN")
    assert "关联事件" in zh and "突发疾病 · 一楼大厅" in zh
    assert str(medical.id) not in zh
    assert "关联自" in _report(medical, fmt, "zh-CN")
    assert "集体访 · 一楼大厅" in _report(medical, fmt, "zh-CN")
    assert "Opened from" in _report(medical, fmt, "en")
    if fmt == "md":  # the PDF's text extraction drops the emoji
        assert f"集体访 · {PLACE}" in _report(medical, "md", "zh-CN")


def test_the_board_puts_each_linked_incident_under_the_one_it_came_from() -> None:
    """Newest first, except that an incident opened from another sits right under it; one
    opened from an incident no longer shown (closed) stands alone."""
    first, medical = first_and_medical()
    other, gone = opened(), Log()
    gone.run(open_cmd(), DUTY)
    orphan = Log()
    lost = Link(gone.id, gone.s.type, gone.s.location)
    orphan.run(replace(open_cmd(), linked_to=gone.id, linked_from=lost), DUTY)
    newest_first = [orphan.s, other.s, medical.s, first.s]
    assert [s.id for s in grouped(newest_first)] == [orphan.id, other.id, first.id, medical.id]
