"""Notification settings, read with the app's settings (see server/settings.py ENVIRONMENT)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

MODES = ("send", "log")
TLS_MODES = ("auto", "none", "starttls", "tls")
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
# The robots' send endpoints; a contact's address is the key / access_token added to them.
WECOM_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
DINGTALK_URL = "https://oapi.dingtalk.com/robot/send"


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str | None = None
    port: int = 25
    user: str | None = None
    password: str | None = None
    sender: str = "watchfloor@localhost"
    tls: str = "auto"  # auto: STARTTLS when the server offers it

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SmtpSettings:
        tls = env.get("WATCHFLOOR_SMTP_TLS", "auto").lower()
        if tls not in TLS_MODES:
            raise ValueError(f"WATCHFLOOR_SMTP_TLS must be one of {', '.join(TLS_MODES)}")
        return cls(
            host=env.get("WATCHFLOOR_SMTP_HOST") or None,
            port=int(env.get("WATCHFLOOR_SMTP_PORT") or 25),
            user=env.get("WATCHFLOOR_SMTP_USER") or None,
            password=env.get("WATCHFLOOR_SMTP_PASSWORD") or None,
            sender=env.get("WATCHFLOOR_SMTP_FROM") or "watchfloor@localhost",
            tls=tls,
        )


@dataclass(frozen=True, slots=True)
class NotifySettings:
    public_url: str = DEFAULT_PUBLIC_URL
    secret_key: str | None = None
    old_secret_keys: tuple[str, ...] = ()  # verify links signed before a rotation; never sign
    mode: str = "send"  # log: every message goes to the log channel (the demo)
    mailbox: Path | None = None  # where the log channel writes each message whole
    workers: bool = True  # run the dispatcher and timer worker in this process
    max_attempts: int = 6
    poll_seconds: float = 1.0
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    sms_url: str | None = None
    sms_secret: str | None = None
    wecom_url: str = WECOM_URL
    dingtalk_url: str = DINGTALK_URL

    @classmethod
    def from_env(
        cls, env: Mapping[str, str], *, default_mode: str = "send", mailbox: Path | None = None
    ) -> NotifySettings:
        mode = (env.get("WATCHFLOOR_NOTIFY_MODE") or default_mode).lower()
        if mode not in MODES:
            raise ValueError(f"WATCHFLOOR_NOTIFY_MODE must be one of {', '.join(MODES)}")
        return cls(
            public_url=(env.get("WATCHFLOOR_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/"),
            secret_key=env.get("WATCHFLOOR_SECRET_KEY", "").strip() or None,
            old_secret_keys=tuple(
                k.strip() for k in env.get("WATCHFLOOR_SECRET_KEY_OLD", "").split(",") if k.strip()
            ),
            mode=mode,
            mailbox=mailbox,
            workers=env.get("WATCHFLOOR_NOTIFY_WORKERS", "on").lower() not in ("off", "0", "no"),
            max_attempts=max(1, int(env.get("WATCHFLOOR_NOTIFY_MAX_ATTEMPTS") or 6)),
            poll_seconds=float(env.get("WATCHFLOOR_NOTIFY_POLL") or 1.0),
            smtp=SmtpSettings.from_env(env),
            sms_url=env.get("WATCHFLOOR_SMS_URL") or None,
            sms_secret=env.get("WATCHFLOOR_SMS_SECRET") or None,
            wecom_url=env.get("WATCHFLOOR_WECOM_URL") or WECOM_URL,
            dingtalk_url=env.get("WATCHFLOOR_DINGTALK_URL") or DINGTALK_URL,
        )
