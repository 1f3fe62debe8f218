"""The drill runner: opens a script's incident, plays its injects when the drill's clock
reaches them, ends the run, and gathers a run's incidents for its review.

Every write is a command under a key made of the run and the inject, so any number of
runners (each server node, a `watchfloor drill run`) may play the same run: each inject
is played once. The automated actor is `drill:auto`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import structlog

from incidents.clock import Clock
from incidents.domain import Command
from incidents.drill_review import Review, review
from incidents.drills import EndDrill, PauseDrill, ResumeDrill
from incidents.errors import DomainError, NotFound
from incidents.events import Event
from incidents.kinds import Role
from incidents.lifecycle import OpenIncident
from incidents.links import RecordLink
from incidents.reports import FileReport, ReportKind
from incidents.state import Actor, DrillMark, IncidentState, Link
from incidents.store import EventStore
from playbooks.drill_play import action, due, played
from playbooks.drill_schema import DrillScript, Inject, InjectKind, Opening, Target
from server.i18n import Catalogue, Translator
from server.live.broker import Notice

log = structlog.get_logger(__name__)
AUTO = Actor("drill:auto", Role.COMMANDER)  # the script's commands, as a commander would
AUTO_SYSTEM = Actor("drill:auto", Role.SYSTEM)  # a unit's answer (only the system gives it)
Publish = Callable[[Notice], Awaitable[None]]
Prompted = Callable[[DrillScript, int, Inject], None]


@dataclass(frozen=True, slots=True)
class RunView:
    """One run as /drills lists it."""

    main: IncidentState
    script: DrillScript | None


class DrillRunner:
    def __init__(
        self,
        store: EventStore,
        scripts: Mapping[str, DrillScript],
        clock: Clock,
        publish: Publish,
        catalogue: Catalogue,
        zone: str,
        running: Callable[[], Awaitable[list[UUID]]] | None = None,
    ) -> None:
        self.scripts, self._store, self._clock, self._publish = scripts, store, clock, publish
        self._catalogue, self._zone = catalogue, ZoneInfo(zone)
        self._t = self.translator("zh-CN")
        self.on_prompt: Prompted | None = None  # the CLI prints the trainer's prompts
        # the running drills' first incidents: one query (server/drills/store.py), or all read
        self._running = running or self._all_running

    def translator(self, language: str) -> Translator:
        return Translator(self._catalogue, language, self._zone)

    def script(self, script_id: str) -> DrillScript:
        if script_id not in self.scripts:
            raise NotFound("drill.unknown_script", f"no drill script {script_id!r}", field="script")
        return self.scripts[script_id]

    async def start(self, script_id: str, speed: int, *, auto: bool, by: str) -> IncidentState:
        script = self.script(script_id)
        mark = DrillMark(script.id, str(uuid4()), speed=speed, auto=auto, by=by)
        command = _opening(script.opening, mark)
        opened = await self._exec(None, command, AUTO, f"drill-start:{mark.run}")
        log.info("drill_started", run=mark.run, script=script.id, speed=speed, auto=auto)
        return opened

    async def state(self, incident_id: UUID) -> IncidentState:
        return await self._store.state(incident_id)

    async def pause(self, incident_id: UUID, actor: Actor, key: str) -> IncidentState:
        return await self._exec(incident_id, PauseDrill(), actor, key)

    async def resume(self, incident_id: UUID, actor: Actor, key: str) -> IncidentState:
        return await self._exec(incident_id, ResumeDrill(), actor, key)

    async def stop(self, main: IncidentState, actor: Actor) -> None:
        await self._end(main, actor, stopped=True)

    async def runs(self) -> list[RunView]:
        """Every run, latest first."""
        states = await self._store.incidents(include_closed=True)
        mains = [s for s in states if s.drill is not None and s.drill.main]
        return [RunView(s, self.scripts.get(s.drill.script)) for s in mains if s.drill]

    async def tick(self) -> int:
        """Play what is due in every running drill; the number of runs looked at."""
        running = await self._running()
        for incident in running:
            await self.advance(await self._store.state(incident))
        return len(running)

    async def run(self, poll: float) -> None:
        while True:
            try:
                await self.tick()
            except Exception:  # the database may be away for a moment
                log.exception("drill_tick_failed")
            await asyncio.sleep(poll)

    async def _all_running(self) -> list[UUID]:
        return [r.main.id for r in await self.runs() if r.main.drill and not r.main.drill.ended_at]

    async def advance(self, main: IncidentState) -> bool:
        """Play the injects due now; end the run when the script is over. Whether it is."""
        if main.drill is None or main.drill.ended_at is not None:
            return True
        script = self.scripts.get(main.drill.script)
        if script is None:
            return False
        now = due(script, main.drill, main.opened_at, self._clock.now())
        for n in now.injects:
            main = await self._play(script, main, n)
        if now.over:
            await self._end(main, AUTO, stopped=False)
        return now.over

    async def _play(self, script: DrillScript, main: IncidentState, n: int) -> IncidentState:
        assert main.drill is not None
        inject = script.injects[n]
        run = main.drill.run
        main = await self._exec(main.id, played(inject, n), AUTO, f"drill:{run}:{n}")
        if not (inject.auto or (main.drill and main.drill.auto)):
            if self.on_prompt is not None:
                self.on_prompt(script, n, inject)
            return main
        try:
            return await self._act(main, inject, f"drill:{run}:{n}:act")
        except DomainError as refused:  # e.g. an item whose steps are not done: the drill goes on
            log.warning("drill_inject_refused", run=run, n=n, reason=refused.reason)
            return main

    async def _act(self, main: IncidentState, inject: Inject, key: str) -> IncidentState:
        if inject.do is InjectKind.LINKED and inject.linked is not None:
            await self._open_linked(main, inject.linked, key)
            return await self._store.state(main.id)
        target = await self._target(main, inject)
        command = self._command(inject, target)
        if command is not None:
            actor = AUTO_SYSTEM if inject.do is InjectKind.ACK else AUTO
            await self._exec(target.id, command, actor, key)
        return await self._store.state(main.id)

    def _command(self, inject: Inject, target: IncidentState) -> Command | None:
        if inject.do is InjectKind.REPORT:
            return FileReport(ReportKind.FIRST, self._report_fields(target))
        return action(inject, target, self._t("drill.badge"), self._t("who.drill"))

    def _report_fields(self, s: IncidentState) -> dict[str, str]:
        return {
            "time": s.opened_at.astimezone(self._t.zone).strftime("%Y-%m-%d %H:%M"),
            "place": s.location,
            "scale": self._t("count.people", n=s.headcount),
            "cause": s.summary,
            "demands": s.demands,
        }

    async def _target(self, main: IncidentState, inject: Inject) -> IncidentState:
        if inject.target is Target.LINKED and main.linked:
            return await self._store.state(main.linked[-1].id)
        return main

    async def _open_linked(self, main: IncidentState, opening: Opening, key: str) -> None:
        assert main.drill is not None
        mark = DrillMark(main.drill.script, main.drill.run, main.drill.speed, main=False)
        command = _opening(opening, mark)
        first = Link(main.id, main.type, main.location)
        linked = OpenIncident(
            command.type,
            command.location,
            command.headcount,
            command.summary,
            command.demands,
            linked_to=main.id,
            linked_from=first,
            drill=mark,
        )
        opened = await self._exec(None, linked, AUTO, key)
        link = RecordLink(Link(opened.id, opened.type, opened.location))
        try:
            await self._exec(main.id, link, AUTO, f"{key}:link")
        except DomainError as refused:
            log.warning("drill_link_refused", reason=refused.reason)

    async def _end(self, main: IncidentState, actor: Actor, *, stopped: bool) -> None:
        assert main.drill is not None
        for incident in [*(link.id for link in main.linked), main.id]:
            try:
                key = f"drill-end:{main.drill.run}:{incident}"
                await self._exec(incident, EndDrill(stopped=stopped), actor, key)
            except DomainError as refused:  # already ended
                log.info("drill_end_skipped", incident_id=str(incident), reason=refused.reason)
        log.info("drill_ended", run=main.drill.run, stopped=stopped)

    async def _exec(
        self, incident_id: UUID | None, command: Command, actor: Actor, key: str
    ) -> IncidentState:
        outcome = await self._store.execute(incident_id, command, actor, key)
        seqs = [e.seq for e in outcome.events]
        if seqs:
            await self._publish(Notice(outcome.incident_id, seqs[0], seqs[-1]))
        return outcome.state

    async def review(self, main_id: UUID, *, compare: bool = True) -> Review:
        """The run's review, beside the previous run of the same script when there is one."""
        main = await self._store.state(main_id)
        if main.drill is None or not main.drill.main:
            raise NotFound("drill.not_a_drill", "this incident is not a drill")
        run = await self._run_events(main)
        previous = await self._previous(main) if compare else None
        script = self.scripts.get(main.drill.script)
        return review(run, previous, _contained_by(script))

    async def _run_events(self, main: IncidentState) -> list[tuple[IncidentState, list[Event]]]:
        ids = [main.id, *(link.id for link in main.linked)]
        out: list[tuple[IncidentState, list[Event]]] = []
        for incident in ids:
            out.append((await self._store.state(incident), await self._store.events(incident)))
        return out

    async def _previous(self, main: IncidentState) -> Review | None:
        assert main.drill is not None
        before = [
            r.main
            for r in await self.runs()
            if r.main.drill
            and r.main.drill.script == main.drill.script
            and r.main.opened_at < main.opened_at
        ]
        if not before:
            return None
        return await self.review(max(before, key=lambda s: s.opened_at).id, compare=False)


def _contained_by(script: DrillScript | None) -> int | None:
    found = [i.at for i in script.injects if i.do is InjectKind.CONTAINED] if script else []
    return found[0] if found else None


def _opening(o: Opening, mark: DrillMark) -> OpenIncident:
    return OpenIncident(o.type, o.location, o.headcount, o.summary, o.demands, drill=mark)
