"""`watchfloor drill run SCRIPT [--speed N] [--auto]`: a drill from the terminal.

The command opens the script's incident, plays its injects on the drill's clock (with
--auto all of them; else it plays `play: auto` ones and prints the prompts for the trainer),
sends the drill's notifications (to the drill contacts, or the log) and fires its
escalations, and when the script ends prints the after-action review (演练评估).
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import sys
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from incidents.clock import SystemClock
from incidents.drills import MAX_SPEED
from incidents.text import visible
from playbooks.catalog import Library
from playbooks.drill_loader import drills_dir, load_drill
from playbooks.drill_schema import DrillScript, Inject
from playbooks.errors import PlaybookError
from playbooks.loader import load_library
from server.database import open_database
from server.drills.runner import DrillRunner
from server.drills.text import Words, markdown
from server.i18n import Catalogue, Translator
from server.live.broker import Broker, InProcessBroker, RedisBroker
from server.notify.secret import load_keys
from server.notify.service import Wiring, build_notifier
from server.services import incident_store
from server.settings import Settings

POLL = 0.2  # seconds between looks at the drill's clock


def add_drill_commands(sub: Any) -> None:
    drill = sub.add_parser("drill", help="drills (演练)").add_subparsers(
        dest="action", required=True
    )
    run = drill.add_parser("run", help="run a drill script and print its review")
    run.add_argument("script", help="a drill script file, or the id of a shipped one")
    run.add_argument("--speed", type=int, default=1, help=f"the drill's clock ×N (1-{MAX_SPEED})")
    run.add_argument("--auto", action="store_true", help="the script plays every inject itself")
    run.add_argument("--lang", choices=["zh-CN", "en"], default="zh-CN")


def find_script(name: str, library: Library) -> DrillScript:
    path = Path(name)
    if not path.exists() and not name.endswith((".yaml", ".yml")):
        path = drills_dir() / f"{name}.yaml"
    return load_drill(path, library)


def catalogue_for(library: Library) -> Catalogue:
    names = {u.id: (u.name.zh, u.name.en) for u in library.units.values()}
    return Catalogue.load().with_names("unit", names)


async def drill_command(settings: Settings, args: Any, out: TextIO = sys.stdout) -> int:
    library = load_library(settings.playbook_dirs)
    try:
        script = find_script(args.script, library)
    except PlaybookError as refused:
        print(visible(str(refused)), file=sys.stderr)
        return 1
    if not 1 <= args.speed <= MAX_SPEED:
        print(f"watchfloor: --speed is 1 to {MAX_SPEED}", file=sys.stderr)
        return 2
    return await run_drill(settings, library, script, args.speed, args.auto, args.lang, out)


async def run_drill(
    settings: Settings,
    library: Library,
    script: DrillScript,
    speed: int,
    auto: bool,
    language: str,
    out: TextIO,
) -> int:
    clock, catalogue = SystemClock(), catalogue_for(library)
    t = Translator(catalogue, language, ZoneInfo(settings.timezone))
    broker: Broker = RedisBroker(settings.redis_url) if settings.redis_url else InProcessBroker()
    async with open_database(settings) as db:
        store = incident_store(db.pool, clock, library, settings.timezone)
        keys = load_keys(settings)
        wiring = Wiring(
            db.pool, store, library.units, clock, broker.publish, settings.timezone, keys
        )
        notifier = build_notifier(settings.notify, wiring)
        tasks = notifier.start()
        runner = DrillRunner(
            store, {script.id: script}, clock, broker.publish, catalogue, settings.timezone
        )
        runner.on_prompt = lambda _, n, inject: _prompt(out, t, n, inject)
        try:
            main = await runner.start(script.id, speed, auto=auto, by=f"cli:{getpass.getuser()}")
            print(t("drill.cli.started", id=str(main.id), speed=speed), file=sys.stderr)
            await _until_over(runner, main.id)
            review = await runner.review(main.id)
            states = {s.id: s for s in [await store.state(i) for i in _ids(review)]}
            out.write(markdown(review, Words(t, states), script))
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await notifier.close()
            with contextlib.suppress(Exception):
                await broker.close()
    return 0


async def _until_over(runner: DrillRunner, main_id: Any) -> None:
    """Advance the run on the drill's clock until the script is over."""
    over = False
    while not over:
        over = await runner.advance(await runner.state(main_id))
        await asyncio.sleep(0 if over else POLL)


def _ids(review: Any) -> list[Any]:
    return list(dict.fromkeys(k.incident for k in review.times))


def _prompt(out: TextIO, t: Translator, n: int, inject: Inject) -> None:
    text = inject.prompt.get("en" if t.is_en else "zh") if inject.prompt else ""
    print(t("drill.cli.prompt", n=n + 1, text=text), file=out, flush=True)
