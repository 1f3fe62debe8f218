"""钉钉 (DingTalk) group robots: a markdown message POSTed to the robot's webhook.

    POST {WATCHFLOOR_DINGTALK_URL}?access_token=TOKEN[&timestamp=MS&sign=SIGN]
    {"msgtype": "markdown", "markdown": {"title": "...", "text": "..."}}

A robot has one or more security settings (安全设置), and the contact in units.yaml matches them:
- 加签: `secret_env` names the environment variable holding the robot's secret (SEC…);
  sign = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}"))), with the
  timestamp in milliseconds (DingTalk refuses one more than an hour off its clock).
- 自定义关键词: `keywords`; a message without one is refused, so when neither the title nor
  the text holds one already, the first keyword leads both.
- IP 地址: nothing to send; a refusal names it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from urllib.parse import quote, quote_plus

import httpx

from incidents.clock import Clock
from playbooks.schema import Channel, Contact, Unit
from server.notify import markdown
from server.notify.delivery import Delivery
from server.notify.failure import SendFailed
from server.notify.message import Message
from server.notify.robot import Platform, Verdict, post

LIMIT = 20000  # bytes of UTF-8 in markdown.text: our bound, the robot documents none
SECURITY = 310000  # keywords not in content / sign not match / invalid timestamp / ip
REFUSALS = (  # errmsg words (English or Chinese) that tell which setting refused
    (re.compile(r"keyword|关键词"), "dingtalk_keyword"),
    (re.compile(r"\bsign\b|签名|timestamp|时间戳"), "dingtalk_sign"),
    (re.compile(r"\bip\b|白名单"), "dingtalk_ip"),
)


def _refine(errcode: int, errmsg: str) -> Verdict | None:
    """310000 covers three settings; its message says which (a hint only: the code decides)."""
    if errcode != SECURITY:
        return None
    text = errmsg.lower()
    for words, code in REFUSALS:
        if words.search(text):
            return Verdict(code, True)
    return Verdict("dingtalk_security", True)


DINGTALK = Platform(
    "dingtalk",
    {
        130101: Verdict("dingtalk_rate_limited", False),  # send too fast (20 a minute)
        410100: Verdict("dingtalk_rate_limited", False),  # send too fast, exceed 20 a minute
        300001: Verdict("dingtalk_bad_token", True),  # token invalid
        300005: Verdict("dingtalk_bad_token", True),  # token is not exist
        SECURITY: Verdict("dingtalk_security", True),
    },
    _refine,
)


def sign(secret: str, timestamp: str) -> str:
    """The base64 HMAC-SHA256 DingTalk recomputes (not yet URL-encoded)."""
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def payload(message: Message, keywords: tuple[str, ...]) -> dict[str, object]:
    title = message.subject
    text = markdown.render(message, limit=LIMIT, sep="\n\n")
    if keywords and not any(k in title and k in text for k in keywords):
        lead = f"{keywords[0]} "
        title = lead + title
        text = markdown.render(message, limit=LIMIT, sep="\n\n", lead=lead)
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}


class DingTalkChannel:
    def __init__(
        self,
        client: httpx.AsyncClient,
        url: str,
        units: Mapping[str, Unit],
        env: Mapping[str, str],
        clock: Clock,
    ) -> None:
        self._client, self._url, self._units = client, url, units
        self._env, self._clock = env, clock

    def _contact(self, d: Delivery) -> Contact | None:
        """The contact of this row, for its keywords and secret (found by its address when
        units.yaml changed since the row was written)."""
        unit = self._units.get(d.unit)
        contacts = unit.contacts if unit else ()
        if 0 <= d.contact < len(contacts) and contacts[d.contact].address == d.address:
            return contacts[d.contact]
        return next(
            (c for c in contacts if c.channel is Channel.DINGTALK and c.address == d.address),
            None,
        )

    def _url_for(self, d: Delivery, contact: Contact | None) -> str:
        joiner = "&" if "?" in self._url else "?"
        url = f"{self._url}{joiner}access_token={quote(d.address, safe='')}"
        if contact is None or contact.secret_env is None:
            return url
        secret = self._env.get(contact.secret_env)
        if not secret:
            raise SendFailed(
                "secret_missing", f"secret_missing: {contact.secret_env}", permanent=True
            )
        stamp = str(int(self._clock.now().timestamp() * 1000))
        return f"{url}&timestamp={stamp}&sign={quote_plus(sign(secret, stamp))}"

    async def send(self, d: Delivery, message: Message) -> str:
        contact = self._contact(d)
        url = self._url_for(d, contact)
        keywords = contact.keywords if contact else ()
        await post(self._client, url, payload(message, keywords), DINGTALK)
        return "delivered"
