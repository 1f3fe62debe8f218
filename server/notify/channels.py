"""How a message reaches a contact: webhook, e-mail, SMS gateway, WeCom and DingTalk group
robots (wecom.py, dingtalk.py), and the demo's log (its mailbox: spool.py).

A channel returns the outcome ("delivered": the receiver's system took it; "sent": handed
to a relay such as an SMTP server or SMS gateway) or raises SendFailed. `permanent`
failures (a 4xx, a refused address, nothing configured) are not retried.

Every request carries the message's idempotency key, the same on every attempt, so a
receiver drops the duplicates that at-least-once delivery brings.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import aiosmtplib
import httpx
import structlog

from incidents.clock import Clock
from playbooks.schema import Unit
from server.notify.delivery import NO_CONTACT, Delivery
from server.notify.dingtalk import DingTalkChannel
from server.notify.failure import TIMEOUT, http_failure, status_failure
from server.notify.failure import SendFailed as SendFailed  # re-exported: channels raise it
from server.notify.message import Message
from server.notify.settings import NotifySettings, SmtpSettings
from server.notify.spool import spool
from server.notify.wecom import WeComChannel

log = structlog.get_logger(__name__)


class Channel(Protocol):
    async def send(self, d: Delivery, message: Message) -> str: ...


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """Hex HMAC-SHA256 over f"{timestamp}.{body}": what a receiver recomputes."""
    return hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signed_headers(key: str, body: bytes, secret: bytes | None, clock: Clock) -> dict[str, str]:
    headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": key}
    if secret is not None:
        stamp = str(int(clock.now().timestamp()))
        headers |= {
            "X-Watchfloor-Timestamp": stamp,
            "X-Watchfloor-Signature": signature(secret, stamp, body),
        }
    return headers


async def post_json(
    client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str]
) -> None:
    try:
        reply = await client.post(url, content=body, headers=headers, timeout=TIMEOUT)
    except httpx.HTTPError as exc:
        raise http_failure(exc) from None
    if not reply.is_success:
        raise status_failure(reply.status_code)


class WebhookChannel:
    """POST the message as JSON, signed with the unit's secret (the env var of `secret_env`)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        units: Mapping[str, Unit],
        env: Mapping[str, str],
        clock: Clock,
    ) -> None:
        self._client, self._units, self._env, self._clock = client, units, env, clock

    def _secret(self, unit_id: str) -> bytes | None:
        unit = self._units.get(unit_id)
        if unit is None or unit.secret_env is None:
            return None
        value = self._env.get(unit.secret_env)
        if not value:
            raise SendFailed("secret_missing", f"secret_missing: {unit.secret_env}", permanent=True)
        return value.encode()

    async def send(self, d: Delivery, message: Message) -> str:
        body = json.dumps(message.payload(d), ensure_ascii=False, separators=(",", ":")).encode()
        headers = signed_headers(d.key, body, self._secret(d.unit), self._clock)
        await post_json(self._client, d.address, body, headers)
        return "delivered"


class SmsChannel:
    """POST {to, text, key} to the configured gateway; it sends the SMS."""

    def __init__(
        self, client: httpx.AsyncClient, url: str | None, secret: str | None, clock: Clock
    ):
        self._client, self._url, self._clock = client, url, clock
        self._secret = secret.encode() if secret else None

    async def send(self, d: Delivery, message: Message) -> str:
        if not self._url:
            raise SendFailed("sms_not_configured", "sms_not_configured", permanent=True)
        payload = {"to": d.address, "text": message.text, "key": d.key}
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        await post_json(
            self._client, self._url, body, signed_headers(d.key, body, self._secret, self._clock)
        )
        return "sent"


def email(d: Delivery, message: Message, sender: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, d.address, message.subject
    # The Message-ID is the idempotency key: the same on every attempt.
    domain = sender.rpartition("@")[2] or "watchfloor"
    mail["Message-ID"] = f"<{hashlib.sha256(d.key.encode()).hexdigest()[:32]}@{domain}>"
    mail["Idempotency-Key"] = d.key
    mail.set_content(message.text)
    return mail


class EmailChannel:
    def __init__(self, smtp: SmtpSettings) -> None:
        self._smtp = smtp

    async def send(self, d: Delivery, message: Message) -> str:
        s = self._smtp
        if not s.host:
            raise SendFailed("smtp_not_configured", "smtp_not_configured", permanent=True)
        try:
            await aiosmtplib.send(
                email(d, message, s.sender),
                hostname=s.host,
                port=s.port,
                username=s.user,
                password=s.password,
                use_tls=s.tls == "tls",
                start_tls={"auto": None, "none": False, "starttls": True, "tls": False}[s.tls],
                timeout=TIMEOUT,
            )
        except aiosmtplib.SMTPRecipientsRefused:
            raise SendFailed("smtp_refused", "smtp: recipient refused", permanent=True) from None
        except aiosmtplib.SMTPResponseException as exc:
            raise SendFailed(
                "smtp_status", f"smtp {exc.code}", permanent=500 <= exc.code < 600, status=exc.code
            ) from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise SendFailed("smtp_error", f"smtp: {type(exc).__name__}") from None
        return "sent"


class LogChannel:
    """The demo's channel: each message whole in the mailbox folder (spool.py), and one log
    line saying where, with neither the text nor the ack link (a secret)."""

    def __init__(self, folder: Path | None = None) -> None:
        self._folder = folder

    async def send(self, d: Delivery, message: Message) -> str:
        written = await spool(self._folder, d, message) if self._folder else None
        log.info(
            "notification_message",
            incident_id=str(d.incident_id),
            notification=d.notification,
            unit=d.unit,
            contact=d.contact_name,
            round=d.round,
            key=d.key,
            fields=[f for f, _, _ in message.fields],
            file=str(written) if written else None,
        )
        return "delivered"


class NoContact:
    async def send(self, d: Delivery, message: Message) -> str:
        raise SendFailed("no_contact", f"no contact for unit {d.unit}", permanent=True)


class Channels:
    """The channel for each delivery; in "log" mode every message goes to the log."""

    def __init__(self, by_name: Mapping[str, Channel], *, log_only: bool = False) -> None:
        self._by_name, self._log_only = dict(by_name), log_only

    def name_for(self, d: Delivery) -> str:
        return "log" if self._log_only and d.channel != NO_CONTACT else d.channel

    def for_delivery(self, d: Delivery) -> Channel:
        return self._by_name.get(self.name_for(d)) or NoContact()


def build_channels(
    settings: NotifySettings,
    client: httpx.AsyncClient,
    units: Mapping[str, Unit],
    env: Mapping[str, str],
    clock: Clock,
) -> Channels:
    by_name: dict[str, Channel] = {
        "webhook": WebhookChannel(client, units, env, clock),
        "email": EmailChannel(settings.smtp),
        "sms": SmsChannel(client, settings.sms_url, settings.sms_secret, clock),
        "wecom": WeComChannel(client, settings.wecom_url),
        "dingtalk": DingTalkChannel(client, settings.dingtalk_url, units, env, clock),
        "log": LogChannel(settings.mailbox),
    }
    return Channels(by_name, log_only=settings.mode == "log")
