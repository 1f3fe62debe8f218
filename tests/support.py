"""Actors and commands shared by the tests."""

from incidents.kinds import IncidentType, Role
from incidents.lifecycle import OpenIncident
from incidents.state import Actor

DUTY = Actor("duty1", Role.DUTY_OFFICER)
STAFF = Actor("staff1", Role.ONSITE_STAFF)
LEAD = Actor("commander1", Role.COMMANDER)
VIEWER = Actor("viewer1", Role.VIEWER)


def open_cmd(kind: IncidentType = IncidentType.MEDICAL, headcount: int = 1) -> OpenIncident:
    return OpenIncident(kind, "一楼大厅", headcount, "来访人晕倒", "反映工资问题", "窗口 3")
