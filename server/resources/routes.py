"""GET /resources: every resource committed to an open incident, and where it stands."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from incidents.state import DispatchState, IncidentState
from incidents.store import EventStore
from server.pages import quiet_page
from server.services import services


@dataclass(frozen=True, slots=True)
class Commitment:
    state: IncidentState
    dispatch: DispatchState


def commitments(states: list[IncidentState]) -> list[Commitment]:
    """Active dispatches of open incidents, by resource, then by when they were asked for."""
    found = [Commitment(s, d) for s in states for d in s.dispatches if d.active]
    return sorted(found, key=lambda c: (c.dispatch.resource, c.dispatch.requested_at))


async def resources_page(request: Request) -> Response:
    store: EventStore = services(request).store
    return quiet_page(
        request,
        "resources_page.html",
        rows=commitments(await store.incidents()),
        units=services(request).library.units,
    )


def resource_routes() -> list[Route]:
    return [Route("/resources", resources_page)]
