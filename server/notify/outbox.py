"""The projector that turns notification events into outbox and timer rows, in the
command's own transaction: a committed notification is never without its rows.

    notification_planned    → a message to the unit's first contact; its escalation timers
    notification_escalated  → renotify: the first contact again;
                              next_contact: the unit's other contacts and the units in `then`
    notification_resent     → every contact of the unit
    notification_acknowledged → its timers are done
    notification_sent/delivered/failed → the outbox row is done, failed, or due again
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from incidents.canonical import parse_time
from incidents.events import Event
from incidents.notifications import escalation_steps
from incidents.state import IncidentState
from incidents.store import Conn
from playbooks.schema import Channel, Contact, Unit
from server.notify import store
from server.notify.delivery import NO_CONTACT, delivery_key

Target = tuple[str, int]  # (unit, contact index)
DRILL_LOG = Contact(name="drill", channel=Channel.LOG, address="drill")


class OutboxProjector:
    def __init__(self, units: Mapping[str, Unit]) -> None:
        self._units = units

    async def __call__(self, conn: Conn, state: IncidentState, events: Sequence[Event]) -> None:
        for e in events:
            if e.kind.startswith("notification_"):
                await self._project(conn, state, e)

    async def _project(self, conn: Conn, state: IncidentState, e: Event) -> None:
        p = e.payload
        if e.kind == "notification_planned":
            await self._insert(conn, state, e, 0, [(p["unit"], 0)])
            await self._timers(conn, state, e)
        elif e.kind in ("notification_escalated", "notification_resent"):
            await self._insert(conn, state, e, p["round"], self._targets(state, e))
        elif e.kind in ("notification_sent", "notification_delivered"):
            await store.delivery_done(conn, p["delivery"], p["attempt"])
        elif e.kind == "notification_failed":
            retry = parse_time(p["retry_at"]) if p.get("retry_at") else None
            args = (p["delivery"], p["attempt"], p["final"], p["error"], retry)
            await store.delivery_failed(conn, *args)
        elif e.kind == "notification_acknowledged":
            await store.timers_acknowledged(conn, e.incident_id, p["notification"], e.occurred_at)

    def _contacts(self, state: IncidentState, unit_id: str) -> range:
        unit = self._units.get(unit_id)
        if state.drill is not None:  # one drill contact (or the log), whatever the unit has
            return range(1)
        return range(len(unit.contacts) if unit else 0)

    def _targets(self, state: IncidentState, e: Event) -> list[Target]:
        unit = e.payload["unit"]
        if e.kind == "notification_resent":
            return [(unit, i) for i in self._contacts(state, unit)] or [(unit, 0)]
        if e.payload["step"] == "renotify":
            return [(unit, 0)]
        plan = state.plan and next(
            (n for n in state.plan.notifications if n.id == e.payload["notification"]), None
        )
        others = [(unit, i) for i in self._contacts(state, unit)[1:]]
        return others + [(u, 0) for u in (plan.then if plan else ())]

    async def _insert(
        self, conn: Conn, state: IncidentState, e: Event, round_: int, targets: list[Target]
    ) -> None:
        drill = state.drill is not None
        rows = [self._row(e, round_, unit, index, drill=drill) for unit, index in targets]
        if rows:
            await store.add_deliveries(conn, rows)

    def _row(
        self, e: Event, round_: int, unit_id: str, index: int, *, drill: bool = False
    ) -> tuple[Any, ...]:
        unit = self._units.get(unit_id)
        contact = unit.contacts[index] if unit and index < len(unit.contacts) else None
        if drill:  # never a real contact: the unit's drill contact, else the log
            contact = unit.drill if unit and unit.drill else DRILL_LOG
        name, channel, address, language = (
            (contact.name, contact.channel.value, contact.address, contact.language.value)
            if contact
            else ("", NO_CONTACT, "", "zh")
        )
        index = index if contact else -1
        notification = e.payload["notification"]
        key = delivery_key(e.incident_id, notification, round_, unit_id, index)
        return (
            e.incident_id,
            notification,
            round_,
            unit_id,
            index,
            name,
            channel,
            address,
            language,
            key,
            e.occurred_at,
        )

    async def _timers(self, conn: Conn, state: IncidentState, e: Event) -> None:
        plan = state.plan and next(
            (n for n in state.plan.notifications if n.id == e.payload["notification"]), None
        )
        if not plan:
            return
        rows = [
            (e.incident_id, plan.id, step, _after(e.occurred_at, seconds))
            for step, seconds in escalation_steps(plan)
        ]
        await store.add_timers(conn, rows)


def _after(start: datetime, seconds: int) -> datetime:
    return start + timedelta(seconds=seconds)
