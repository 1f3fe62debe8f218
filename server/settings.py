"""Settings, read once from the environment when the app or the CLI starts."""

from __future__ import annotations

import ipaddress
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

import platformdirs

from incidents.duty import DEFAULT_HOUR, parse_hour
from playbooks.catalog import packaged_dir
from server.notify.settings import NotifySettings

MAILBOX = "messages"  # in the data folder: the log channel's messages, whole
HEAL_EVERY = 5.0  # seconds between a node's catch-up reads of PostgreSQL
ZERO_REPORT_UNITS = (
    "petition_bureau",
    "liaison_team",
    "human_resources_bureau",
    "housing_bureau",
    "civil_affairs_bureau",
)

# Every variable the console reads, its default, and what it does (the README lists these).
ENVIRONMENT = {
    "DATABASE_URL": ("", "PostgreSQL URL; empty: start the embedded PostgreSQL in WATCHFLOOR_DATA"),
    "REDIS_URL": ("", "Redis URL for fan-out between nodes; empty: in-process broker"),
    "WATCHFLOOR_DATA": (
        "<user data dir>/watchfloor",
        "folder for the embedded database and, in log mode, messages/ (each message whole)",
    ),
    "WATCHFLOOR_PLAYBOOKS": ("", "a folder of playbooks that add to or override the defaults"),
    "WATCHFLOOR_ENV": (
        "development",
        "production: JSON logs, WATCHFLOOR_SECRET_KEY required; development: readable logs",
    ),
    "WATCHFLOOR_LOG_LEVEL": ("info", "debug, info, warning or error"),
    "WATCHFLOOR_TZ": ("Asia/Shanghai", "the office's time zone: times shown, calendar deadlines"),
    "WATCHFLOOR_DB_ROLE": ("watchfloor_app", "the database role the app acts as; empty: none"),
    "WATCHFLOOR_HEAL_EVERY": ("5", "seconds between a node's catch-up reads of PostgreSQL; 0/off"),
    "WATCHFLOOR_WS_DEFLATE": ("0", "1: accept permessage-deflate on console sockets"),
    "WATCHFLOOR_ORIGINS": ("", "extra allowed origins (comma-separated) for forms and WebSockets"),
    "WATCHFLOOR_TRUSTED_PROXIES": (
        "",
        "addresses or CIDR networks (comma-separated) whose X-Forwarded-For/-Proto are believed;"
        " empty: none",
    ),
    "WATCHFLOOR_PUBLIC_URL": ("http://127.0.0.1:8000", "the console's address, for message links"),
    "WATCHFLOOR_SECRET_KEY": (
        "<WATCHFLOOR_DATA/secret_key>; production: required",
        "signs acknowledgement links (at least 32 characters; `watchfloor secret new`)",
    ),
    "WATCHFLOOR_SECRET_KEY_OLD": (
        "",
        "keys replaced by a rotation (comma-separated): their links still open until they expire",
    ),
    "WATCHFLOOR_NOTIFY_MODE": (
        "send (demo: log)",
        "send: real channels; log: every message to messages/, logged without its link",
    ),
    "WATCHFLOOR_NOTIFY_WORKERS": ("on", "off: this process neither sends nor escalates"),
    "WATCHFLOOR_NOTIFY_MAX_ATTEMPTS": ("6", "attempts per message before it is failed"),
    "WATCHFLOOR_NOTIFY_POLL": ("1.0", "seconds between the workers' looks for due work"),
    "WATCHFLOOR_SMTP_HOST": ("", "SMTP server for e-mail notifications; empty: e-mails fail"),
    "WATCHFLOOR_SMTP_PORT": ("25", "SMTP port"),
    "WATCHFLOOR_SMTP_USER": ("", "SMTP user name (with WATCHFLOOR_SMTP_PASSWORD)"),
    "WATCHFLOOR_SMTP_PASSWORD": ("", "SMTP password"),
    "WATCHFLOOR_SMTP_FROM": ("watchfloor@localhost", "the From address of e-mails"),
    "WATCHFLOOR_SMTP_TLS": ("auto", "auto (STARTTLS when offered), none, starttls or tls"),
    "WATCHFLOOR_SMS_URL": ("", "SMS gateway: POST JSON {to, text, key}; empty: SMS fail"),
    "WATCHFLOOR_SMS_SECRET": ("", "HMAC secret signing requests to the SMS gateway"),
    "WATCHFLOOR_WECOM_URL": (
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
        "WeCom robots' send endpoint (a private deployment's or a proxy's); ?key= is added",
    ),
    "WATCHFLOOR_DINGTALK_URL": (
        "https://oapi.dingtalk.com/robot/send",
        "DingTalk robots' send endpoint; ?access_token= (and timestamp, sign) are added",
    ),
    "WATCHFLOOR_REPORT_CHAIN": (
        "petition_bureau,party_government_duty",
        "the units (units.yaml ids, comma-separated) situation reports go up to",
    ),
    "WATCHFLOOR_ZERO_REPORT_HOUR": (
        "15:00",
        "the hour (office time) each day's zero report is due",
    ),
    "WATCHFLOOR_ZERO_REPORT_UNITS": (
        ",".join(ZERO_REPORT_UNITS),
        "the units (units.yaml ids, comma-separated) that file a zero report every day",
    ),
    "WATCHFLOOR_DB_CONNECT_TIMEOUT": ("1.0", "seconds to open a database connection"),
    "WATCHFLOOR_DB_ACQUIRE_TIMEOUT": ("0.5", "seconds a request waits for a pooled connection"),
    "WATCHFLOOR_DB_COMMAND_TIMEOUT": ("1.0", "seconds one statement of a request may take"),
}


@dataclass(frozen=True, slots=True)
class DatabaseTimeouts:
    """How long the console waits on PostgreSQL before it answers 503 "try again".

    A stopped server refuses at once; a frozen one (a hung host, a network dropping packets)
    answers nothing, and without these every request would hang as long as it lasts. The
    worst case is a statement (`command`) plus waiting for its cancellation when the
    connection goes back to the pool (bounded by `acquire`): 1.5 s, inside the 2 s a person
    at the desk should wait for an answer. A request's statements take milliseconds; one
    taking a second means the database is in trouble, not that the request is large.
    """

    connect: float = 1.0
    acquire: float = 0.5
    command: float = 1.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> DatabaseTimeouts:
        def seconds(what: str) -> float:
            name = f"WATCHFLOOR_DB_{what}_TIMEOUT"
            return float(env.get(name) or ENVIRONMENT[name][0])

        return cls(seconds("CONNECT"), seconds("ACQUIRE"), seconds("COMMAND"))


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str | None
    redis_url: str | None
    data_dir: Path
    playbooks_dir: Path | None
    production: bool
    log_level: str
    timezone: str
    db_role: str | None
    allowed_origins: tuple[str, ...] = ()
    trusted_proxies: tuple[str, ...] = ()  # addresses or networks, each checked
    notify: NotifySettings = field(default_factory=NotifySettings)
    ws_deflate: bool = False
    report_chain: tuple[str, ...] = ("petition_bureau", "party_government_duty")
    zero_report_hour: time = DEFAULT_HOUR
    zero_report_units: tuple[str, ...] = ZERO_REPORT_UNITS
    db_timeouts: DatabaseTimeouts = field(default_factory=DatabaseTimeouts)
    heal_every: float | None = HEAL_EVERY  # None: no periodic heal (Redis alone delivers)
    loop_lag_file: Path | None = None  # the bench's: where the event loop's lag samples go
    # The lean console port (server/live/lean.py); it listens on `watchfloor serve --host`.
    console_port: int | None = None
    console_host: str = "127.0.0.1"

    @property
    def playbook_dirs(self) -> list[Path]:
        """The packaged library, then WATCHFLOOR_PLAYBOOKS if set: what every entry point loads."""
        return [packaged_dir(), *([self.playbooks_dir] if self.playbooks_dir else [])]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data = env.get("WATCHFLOOR_DATA") or platformdirs.user_data_dir("watchfloor")
        playbooks = env.get("WATCHFLOOR_PLAYBOOKS", "").strip()
        return cls(
            database_url=env.get("DATABASE_URL") or None,
            redis_url=env.get("REDIS_URL") or None,
            data_dir=Path(data),
            playbooks_dir=Path(playbooks).expanduser() if playbooks else None,
            production=env.get("WATCHFLOOR_ENV", "development") == "production",
            log_level=env.get("WATCHFLOOR_LOG_LEVEL", "info").lower(),
            timezone=env.get("WATCHFLOOR_TZ", "Asia/Shanghai"),
            db_role=env.get("WATCHFLOOR_DB_ROLE", "watchfloor_app") or None,
            ws_deflate=env.get("WATCHFLOOR_WS_DEFLATE", "0") == "1",
            allowed_origins=tuple(
                o.strip() for o in env.get("WATCHFLOOR_ORIGINS", "").split(",") if o.strip()
            ),
            trusted_proxies=proxy_list(env.get("WATCHFLOOR_TRUSTED_PROXIES", "")),
            notify=NotifySettings.from_env(env, mailbox=Path(data) / MAILBOX),
            report_chain=tuple(
                u.strip()
                for u in env.get(
                    "WATCHFLOOR_REPORT_CHAIN", "petition_bureau,party_government_duty"
                ).split(",")
                if u.strip()
            ),
            zero_report_hour=parse_hour(env.get("WATCHFLOOR_ZERO_REPORT_HOUR") or "15:00"),
            zero_report_units=id_list(env.get("WATCHFLOOR_ZERO_REPORT_UNITS"), ZERO_REPORT_UNITS),
            db_timeouts=DatabaseTimeouts.from_env(env),
            heal_every=seconds_or_off(env, "WATCHFLOOR_HEAL_EVERY", HEAL_EVERY),
            loop_lag_file=Path(lag) if (lag := env.get("WATCHFLOOR_LOOP_LAG_FILE")) else None,
            console_port=int(port) if (port := env.get("WATCHFLOOR_CONSOLE_PORT")) else None,
        )


def seconds_or_off(env: Mapping[str, str], name: str, default: float) -> float | None:
    """Seconds; unset or empty: the default; 0 or "off": never (None)."""
    value = env.get(name, "")
    text = value.strip().lower()
    if not text:
        return default
    if text == "off":
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"{name} is not a number of seconds, 0 or off: {value!r}")
    return seconds or None


def proxy_list(value: str) -> tuple[str, ...]:
    """Comma-separated IP addresses or CIDR networks; anything else is refused by name, as a
    typo here would silently trust no one (or, worse, someone else)."""
    entries = tuple(p.strip() for p in value.split(",") if p.strip())
    for entry in entries:
        try:
            ipaddress.ip_network(entry)
        except ValueError as exc:
            raise ValueError(
                f"WATCHFLOOR_TRUSTED_PROXIES: {entry!r} is not an IP address or a network"
                f" such as 10.0.0.0/8 ({exc})"
            ) from None
    return entries


def id_list(value: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    """Comma-separated ids; unset or empty: the default."""
    ids = tuple(u.strip() for u in (value or "").split(",") if u.strip())
    return ids or default
