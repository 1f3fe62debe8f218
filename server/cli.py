"""The `watchfloor` command line."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
from collections.abc import Callable, Coroutine
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO
from uuid import UUID

import uvicorn
from starlette.types import ASGIApp

from incidents.clock import SystemClock
from incidents.kinds import Role
from incidents.store import EventStore
from incidents.text import json_visible, visible
from playbooks.loader import load_library
from server import demo
from server.app import create_app
from server.auth.cli import (
    tokens_list,
    tokens_new,
    tokens_revoke,
    users_add,
    users_disable,
    users_list,
)
from server.database import open_database
from server.drills.cli import add_drill_commands, drill_command
from server.duty.cli import add_roster_commands, roster_command
from server.duty.setup import rules_from
from server.export.cli import export_command, verify_file
from server.incident.routes import incident_json
from server.live.lean import PING_EVERY, PONG_WITHIN
from server.logs import configure_logging
from server.notify.secret import SecretKeyError, check_keys, new_key
from server.services import incident_store
from server.settings import Settings
from server.verify import verify_all


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="watchfloor", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("serve", "serve the console"), ("demo", "serve with demo data")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
    sub.choices["demo"].add_argument(
        "--seed-only", action="store_true", help="seed the demo data and exit"
    )
    inc = sub.add_parser("incidents", help="incidents").add_subparsers(dest="action", required=True)
    lst = inc.add_parser("list", help="list incidents")
    lst.add_argument("--format", choices=["table", "json", "ids"], default="table")
    lst.add_argument("--all", action="store_true", help="include closed incidents")
    sub.add_parser("migrate", help="apply database migrations")
    ver = sub.add_parser("verify", help="recompute every hash chain")
    ver.add_argument("--incident", type=UUID, help="only this incident")
    ver.add_argument("file", nargs="?", type=Path, help="a JSON export, verified offline")
    _add_export_command(sub)
    worker = sub.add_parser("notify-worker", help="send notifications and fire escalations")
    worker.add_argument("--lease", type=float, default=60.0, help="seconds a claimed row is held")
    worker.add_argument("--batch", type=int, default=20, help="rows sent at once")
    _add_playbook_commands(sub)
    _add_user_commands(sub)
    _add_token_commands(sub)
    add_roster_commands(sub)
    add_drill_commands(sub)
    secret = sub.add_parser("secret", help="acknowledgement-link signing keys")
    secret.add_subparsers(dest="action", required=True).add_parser(
        "new", help="print a fresh key for WATCHFLOOR_SECRET_KEY"
    )
    return parser


def _add_export_command(sub: Any) -> None:
    exp = sub.add_parser("export", help="export an incident (the export is on its timeline)")
    exp.add_argument("incident", type=UUID)
    exp.add_argument("--format", choices=["json", "csv", "md", "pdf"], default="json")
    exp.add_argument("-o", "--output", type=Path, help="the file to write")
    exp.add_argument("--lang", choices=["zh-CN", "en"], default="zh-CN")
    how = exp.add_mutually_exclusive_group()
    how.add_argument("--redact", dest="full", action="store_false", help="the default")
    how.add_argument("--full", dest="full", action="store_true", help="with personal details")
    exp.set_defaults(full=False)  # else --redact's store_false would make the default full
    exp.add_argument(
        "--files",
        action="store_true",
        help="with --full json: the attached files in FILE.files.zip",
    )


def _add_user_commands(sub: Any) -> None:
    users = sub.add_parser("users", help="console users").add_subparsers(
        dest="action", required=True
    )
    add = users.add_parser("add", help="add a user (the password is asked for, or read from stdin)")
    add.add_argument("id")
    add.add_argument("--name", required=True, help="the name shown in the console")
    add.add_argument("--role", required=True, choices=[r.value for r in Role if r.assignable])
    add.add_argument("--language", choices=["zh-CN", "en"], default="zh-CN")
    users.add_parser("list", help="list users")
    disable = users.add_parser("disable", help="disable a user and end their sessions")
    disable.add_argument("id")


def _add_token_commands(sub: Any) -> None:
    tokens = sub.add_parser("tokens", help="API tokens for systems").add_subparsers(
        dest="action", required=True
    )
    new = tokens.add_parser("new", help="make a token (printed once; only its hash is kept)")
    new.add_argument("name", help="the name its commands carry on the timeline")
    new.add_argument("--role", required=True, choices=[r.value for r in Role if r.assignable])
    tokens.add_parser("list", help="list tokens")
    revoke = tokens.add_parser("revoke", help="revoke a token: refused from the next request")
    revoke.add_argument("name")


async def tokens_command(settings: Settings, args: argparse.Namespace) -> int:
    async with open_database(settings, max_size=2) as db:
        if args.action == "new":
            return await tokens_new(db.pool, args.name, args.role)
        if args.action == "list":
            return await tokens_list(db.pool, sys.stdout)
        return await tokens_revoke(db.pool, args.name)


def read_password() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("password: ")
    return sys.stdin.readline().rstrip("\n")


async def users_command(settings: Settings, args: argparse.Namespace) -> int:
    async with open_database(settings, max_size=2) as db:
        if args.action == "add":
            password = read_password()
            return await users_add(db.pool, args.id, args.name, args.role, password, args.language)
        if args.action == "list":
            return await users_list(db.pool, sys.stdout)
        return await users_disable(db.pool, args.id)


def _add_playbook_commands(sub: Any) -> None:
    pb = sub.add_parser("playbooks", help="playbooks").add_subparsers(dest="action", required=True)
    check = pb.add_parser("check", help="validate playbooks (defaults when no path)")
    check.add_argument("paths", nargs="*", type=Path)
    show = pb.add_parser("show", help="show a playbook's checklist")
    show.add_argument("type")
    show.add_argument("--lang", choices=["zh", "en"], default="zh")


def local_url(host: str, port: int) -> str:
    """This server's address as a browser on this machine reaches it."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    shown = f"[{shown}]" if ":" in shown else shown
    return f"http://{shown}:{port}"


def serve(settings: Settings, host: str, port: int, *, seed_demo: bool = False) -> int:
    settings = replace(settings, console_host=host)  # the lean console port's, if one is set
    app = create_app(settings, seed_demo=seed_demo, freeze_startup=True)
    print(f"Watchfloor: {local_url(host, port)}/", flush=True)
    if seed_demo:
        print(demo.logins_text(), flush=True)
    if settings.notify.mode == "log" and settings.notify.mailbox:
        print(f"Messages to units (with their ack links): {settings.notify.mailbox}/", flush=True)
    uvicorn.Server(server_config(app, settings, host, port)).run()
    return 0


def server_config(app: ASGIApp, settings: Settings, host: str, port: int) -> uvicorn.Config:
    """How uvicorn serves the console (the live tests serve it the same way)."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        # Off: uvicorn would believe forwarding headers from loopback; the app applies them
        # from WATCHFLOOR_TRUSTED_PROXIES alone (server/auth/proxies.py).
        proxy_headers=False,
        ws_max_size=4096,  # consoles send us nothing but pings
        ws_ping_interval=PING_EVERY,  # as the lean console port's
        ws_ping_timeout=PONG_WITHIN,
        # Off by default: fragments are small, and each compressed socket holds zlib state
        # (tens of KiB) and costs CPU per message; bench/connections.py measures both.
        ws_per_message_deflate=settings.ws_deflate,
    )


async def seed_only(settings: Settings) -> int:
    async with open_database(settings, max_size=2) as db:
        library = load_library(settings.playbook_dirs)
        store = incident_store(db.pool, SystemClock(), library, settings.timezone)
        ids = await demo.seed_all(store, db.pool, rules_from(settings, library.units))
    print(f"seeded {len(ids)} demo incidents")
    return 0


async def list_incidents(settings: Settings, fmt: str, include_closed: bool) -> int:
    async with open_database(settings, max_size=2) as db:
        rows = await EventStore(db.pool, SystemClock()).incidents(include_closed=include_closed)
    if fmt == "ids":
        print("\n".join(str(r.id) for r in rows))
    elif fmt == "json":
        print(
            json_visible(json.dumps([incident_json(r) for r in rows], ensure_ascii=False, indent=2))
        )
    else:
        _print_table(rows, sys.stdout)
    return 0


def _print_table(rows: list[Any], out: TextIO) -> None:
    """One line an incident; what was typed is shown escaped (incidents/text.py), so a
    control character or a bidi override in the log cannot drive the terminal."""
    out.write(f"{'id':36}  {'type':17}  {'level':8}  {'status':10}  seq  location\n")
    for s in rows:
        head = f"{s.id!s:36}  {s.type:17}  {s.level:8}  {s.status:10}  {s.last_seq:>3}"
        out.write(f"{head}  {visible(s.location)}\n")


async def migrate_only(settings: Settings) -> int:
    async with open_database(settings, max_size=1):
        pass
    print("database is up to date")
    return 0


async def verify(settings: Settings, only: UUID | None) -> int:
    async with open_database(settings, max_size=1) as db, db.pool.acquire() as conn:
        verdict = await verify_all(conn, only)
    if verdict.broken:
        incident_id, brk = verdict.broken
        print(f"BROKEN: incident {incident_id} seq {brk.seq}: {visible(brk.reason)}")
        return 1
    print(f"verified {verdict.incidents} incidents, {verdict.events} events: every chain is whole")
    return 0


def playbooks_command(args: argparse.Namespace) -> int:
    from playbooks import commands

    if args.action == "check":
        return int(commands.check_command(args.paths, sys.stdout))
    return int(commands.show_command(args.type, args.lang, sys.stdout))


async def notify_worker(settings: Settings, args: argparse.Namespace) -> int:
    from server.notify.worker import run_worker  # imports the app: only this command needs it

    return await run_worker(settings, lease_seconds=args.lease, batch=args.batch)


def run(coro: Coroutine[Any, Any, int]) -> int:
    return asyncio.run(coro)


def print_new_key() -> int:
    print(new_key())
    return 0


SIGNING_COMMANDS = ("serve", "demo", "notify-worker", "drill")  # they sign or check ack links


def keys_refused(settings: Settings) -> bool:
    """Said on stderr, before anything starts, when the signing keys cannot be used."""
    try:
        check_keys(settings)
    except SecretKeyError as unfit:
        print(f"watchfloor: {unfit}", file=sys.stderr)
        return True
    return False


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as exc:  # a setting that cannot mean anything: say which, start nothing
        print(f"watchfloor: {exc}", file=sys.stderr)
        return 2
    if args.command in ("serve", "demo") and not os.environ.get("WATCHFLOOR_PUBLIC_URL"):
        # Acknowledgement links must reach this server, on the port it actually serves.
        url = local_url(args.host, args.port)
        settings = replace(settings, notify=replace(settings.notify, public_url=url))
    if args.command == "demo" and not os.environ.get("WATCHFLOOR_NOTIFY_MODE"):
        # The demo's units are example addresses: its messages go to the log.
        settings = replace(settings, notify=replace(settings.notify, mode="log"))
    if args.command in SIGNING_COMMANDS and keys_refused(settings):
        return 2
    configure_logging(production=settings.production, level=settings.log_level)
    handlers: dict[str, Callable[[], int]] = {
        "serve": lambda: serve(settings, args.host, args.port),
        "demo": lambda: (
            run(seed_only(settings))
            if args.seed_only
            else serve(settings, args.host, args.port, seed_demo=True)
        ),
        "incidents": lambda: run(list_incidents(settings, args.format, args.all)),
        "migrate": lambda: run(migrate_only(settings)),
        "verify": lambda: (
            verify_file(args.file, sys.stdout)
            if args.file
            else run(verify(settings, args.incident))
        ),
        "export": lambda: run(
            export_command(
                settings,
                args.incident,
                args.format,
                args.output,
                full=args.full,
                language=args.lang,
                with_files=args.files,
            )
        ),
        "playbooks": lambda: playbooks_command(args),
        "users": lambda: run(users_command(settings, args)),
        "tokens": lambda: run(tokens_command(settings, args)),
        "notify-worker": lambda: run(notify_worker(settings, args)),
        "roster": lambda: run(roster_command(settings, args)),
        "drill": lambda: run(drill_command(settings, args)),
        "secret": print_new_key,
    }
    return handlers[args.command]()


if __name__ == "__main__":
    sys.exit(main())
