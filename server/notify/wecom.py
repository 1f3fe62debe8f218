"""企业微信 (WeCom) group robots: a markdown message POSTed to the robot's webhook.

    POST {WATCHFLOOR_WECOM_URL}?key=KEY
    {"msgtype": "markdown", "markdown": {"content": "..."}}

The content may hold at most 4096 bytes of UTF-8 (longer is refused, errcode 40058), so the
fields are cut to fit and the acknowledgement link is kept. The robot keeps no idempotency
key: a retry after a lost answer can show a message twice in the group.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx

from server.notify import markdown
from server.notify.delivery import Delivery
from server.notify.message import Message
from server.notify.robot import Platform, Verdict, post

LIMIT = 4096  # bytes of UTF-8 in markdown.content
WECOM = Platform(
    "wecom",
    {
        45009: Verdict("wecom_rate_limited", False),  # api freq out of limit (20 a minute)
        93000: Verdict("wecom_bad_key", True),  # invalid webhook url: no robot with this key
        40008: Verdict("wecom_rejected", True),  # invalid message type
        40058: Verdict("wecom_rejected", True),  # a parameter out of range (content too long)
    },
)


def payload(message: Message) -> dict[str, object]:
    return {"msgtype": "markdown", "markdown": {"content": markdown.render(message, limit=LIMIT)}}


class WeComChannel:
    def __init__(self, client: httpx.AsyncClient, url: str) -> None:
        self._client, self._url = client, url

    async def send(self, d: Delivery, message: Message) -> str:
        joiner = "&" if "?" in self._url else "?"
        url = f"{self._url}{joiner}key={quote(d.address, safe='')}"
        await post(self._client, url, payload(message), WECOM)
        return "delivered"
