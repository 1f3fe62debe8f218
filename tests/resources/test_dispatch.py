"""Resources dispatched to an incident: requested → dispatched → en route → on scene → released."""

from __future__ import annotations

from datetime import timedelta

import pytest

from incidents.errors import IllegalTransition, InvalidCommand, NotAuthorized, NotFound
from incidents.resources import MoveResource, RequestResource, SetResourceEta
from tests.resources.support import opened
from tests.support import DUTY, LEAD, STAFF


def test_a_resource_goes_through_its_states_with_time_and_who() -> None:
    """The commander asks for an ambulance; each step shows when it happened and who said so."""
    log = opened()
    assert log.run(RequestResource("ambulance"), LEAD) == ["resource_requested"]
    log.clock.advance(timedelta(minutes=1))
    log.run(MoveResource("ambulance-1", "dispatched"), DUTY)
    log.clock.advance(timedelta(minutes=1))
    log.run(MoveResource("ambulance-1", "en_route", eta_minutes=12), DUTY)
    d = log.s.dispatches[0]
    assert (d.status, d.by, d.unit) == ("en_route", "duty1", "health")
    assert d.eta_at == log.clock.now() + timedelta(minutes=12)
    log.clock.advance(timedelta(minutes=10))
    log.run(MoveResource("ambulance-1", "on_scene"), STAFF)
    log.run(MoveResource("ambulance-1", "released"), LEAD)
    d = log.s.dispatches[0]
    assert list(d.times) == ["requested", "dispatched", "en_route", "on_scene", "released"]
    assert d.eta_at is None and not d.active
    assert d.times["on_scene"] - d.times["requested"] == timedelta(minutes=12)


def test_going_backwards_or_past_released_is_refused() -> None:
    """An ambulance on scene cannot be en route again; a released one cannot move at all."""
    log = opened()
    log.run(RequestResource("ambulance"), LEAD)
    log.run(MoveResource("ambulance-1", "on_scene"), STAFF)
    with pytest.raises(IllegalTransition, match="on_scene: it cannot become en_route"):
        log.run(MoveResource("ambulance-1", "en_route"), STAFF)
    log.run(MoveResource("ambulance-1", "released"), LEAD)
    with pytest.raises(IllegalTransition):
        log.run(MoveResource("ambulance-1", "on_scene"), STAFF)
    with pytest.raises(IllegalTransition, match="no ETA"):
        log.run(SetResourceEta("ambulance-1", 5), STAFF)


def test_unknown_resources_states_and_dispatches_are_refused_by_name() -> None:
    """A typo in the resource, the state or the dispatch id is refused, naming the field."""
    log = opened()
    with pytest.raises(InvalidCommand) as bad:
        log.run(RequestResource("helicopter"), LEAD)
    assert bad.value.field == "resource"
    log.run(RequestResource("ambulance"), LEAD)
    with pytest.raises(InvalidCommand) as bad_to:
        log.run(MoveResource("ambulance-1", "flying"), LEAD)
    assert bad_to.value.field == "to"
    with pytest.raises(NotFound):
        log.run(MoveResource("ambulance-9", "on_scene"), LEAD)
    with pytest.raises(InvalidCommand):
        log.run(MoveResource("ambulance-1", "en_route", eta_minutes=-3), LEAD)


def test_the_playbook_s_suggestions_and_the_registry_can_both_be_requested() -> None:
    """A playbook's own resource (a first aid kit) and a registry one (police car) both work."""
    log = opened()
    log.run(RequestResource("first_aid_kit"), LEAD)
    log.run(RequestResource("police_car", eta_minutes=8), LEAD)
    log.run(RequestResource("police_car"), LEAD)
    assert [(d.id, d.unit) for d in log.s.dispatches] == [
        ("first_aid_kit-1", "office"),
        ("police_car-1", "police"),
        ("police_car-2", "police"),
    ]
    assert log.s.dispatches[1].eta_at == log.clock.now() + timedelta(minutes=8)


def test_only_a_commander_requests_and_a_viewer_moves_nothing() -> None:
    """A duty officer may not request a resource; a viewer may not report it on scene."""
    from tests.support import VIEWER

    log = opened()
    with pytest.raises(NotAuthorized):
        log.run(RequestResource("ambulance"), DUTY)
    log.run(RequestResource("ambulance"), LEAD)
    with pytest.raises(NotAuthorized):
        log.run(MoveResource("ambulance-1", "on_scene"), VIEWER)


def test_setting_an_eta_moves_the_countdown() -> None:
    """A new ETA given at 09:05 for 20 minutes shows 09:25."""
    log = opened()
    log.run(RequestResource("ambulance", eta_minutes=10), LEAD)
    log.clock.advance(timedelta(minutes=5))
    log.run(SetResourceEta("ambulance-1", 20), DUTY)
    assert log.s.dispatches[0].eta_at == log.clock.now() + timedelta(minutes=20)
