"""WeCom and DingTalk group robots as their documentation defines them, on a real HTTP server.

Each answers HTTP 200 with {"errcode", "errmsg"}, and refuses what the real one refuses:
WeCom an unknown key (93000), another body shape (40008), content over 4096 bytes (40058);
DingTalk an unknown access_token (300001), a missing or wrong signature or a timestamp more
than an hour off (310000), a text without the robot's keywords (310000), another body shape.
`script` holds, by key or access_token, errcodes to answer first (a rate limit, say).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from markdown_it import MarkdownIt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from incidents.clock import Clock

WECOM_LIMIT = 4096
HOUR_MS = 3600 * 1000


@dataclass(frozen=True)
class DingRobot:
    secret: str | None = None  # 加签 when set
    keywords: tuple[str, ...] = ()  # 自定义关键词 when set


@dataclass
class Robots:
    clock: Clock
    wecom_keys: frozenset[str] = frozenset()
    dingtalk: dict[str, DingRobot] = field(default_factory=dict)  # access_token -> robot
    script: dict[str, list[int]] = field(default_factory=dict)
    raw: list[tuple[str, bytes]] = field(default_factory=list)  # (path, body) of each request
    wecom: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # accepted (key, body)
    ding: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # accepted (token, body)
    garbled: set[str] = field(default_factory=set)  # keys / tokens answered with no JSON
    url: str = ""

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/cgi-bin/webhook/send", self.wecom_send, methods=["POST"]),
                Route("/robot/send", self.dingtalk_send, methods=["POST"]),
            ]
        )

    async def wecom_send(self, request: Request) -> Response:
        body = await self._body(request)
        key = request.query_params.get("key", "")
        if self.script.get(key):
            return answer(self.script[key].pop(0), "scripted")
        if key in self.garbled:
            return PlainTextResponse("<html>gateway</html>")
        if key not in self.wecom_keys:
            return answer(93000, "invalid webhook url")
        if not shaped(body, {"content"}):
            return answer(40008, "invalid message type")
        if len(body["markdown"]["content"].encode()) > WECOM_LIMIT:
            return answer(40058, "markdown.content exceed max length 4096")
        self.wecom.append((key, body))
        return answer(0, "ok")

    async def dingtalk_send(self, request: Request) -> JSONResponse:
        body = await self._body(request)
        token = request.query_params.get("access_token", "")
        if self.script.get(token):
            return answer(self.script[token].pop(0), "scripted")
        robot = self.dingtalk.get(token)
        if robot is None:
            return answer(300001, "token is not exist")
        if robot.secret is not None and (fault := self._sign_fault(request, robot.secret)):
            return answer(310000, fault)
        if not shaped(body, {"title", "text"}):
            return answer(40035, "缺少参数 json")
        text = body["markdown"]["text"]
        if robot.keywords and not any(k in text for k in robot.keywords):
            return answer(310000, "keywords not in content")
        self.ding.append((token, body))
        return answer(0, "ok")

    def _sign_fault(self, request: Request, secret: str) -> str | None:
        stamp, given = request.query_params.get("timestamp"), request.query_params.get("sign")
        if not stamp or not given or not stamp.isdigit():
            return "sign not match"
        now_ms = int(self.clock.now().timestamp() * 1000)
        if abs(int(stamp) - now_ms) > HOUR_MS:
            return "invalid timestamp"
        digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
        expected = base64.b64encode(digest).decode()
        return None if hmac.compare_digest(expected, given) else "sign not match"

    async def _body(self, request: Request) -> Any:
        raw = await request.body()
        self.raw.append((request.url.path, raw))
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None


def shaped(body: Any, keys: set[str]) -> bool:
    """{"msgtype": "markdown", "markdown": {<exactly these keys, each a text>}}."""
    if not isinstance(body, dict) or set(body) != {"msgtype", "markdown"}:
        return False
    inner = body["markdown"]
    return (
        body["msgtype"] == "markdown"
        and isinstance(inner, dict)
        and set(inner) == keys
        and all(isinstance(v, str) and v for v in inner.values())
    )


def answer(errcode: int, errmsg: str) -> JSONResponse:
    return JSONResponse({"errcode": errcode, "errmsg": errmsg})


class Shown(HTMLParser):
    """What a reader sees of rendered markdown: the text, the links, the tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.links += [v or "" for k, v in attrs if k == "href"]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def shown(markdown: str) -> Shown:
    view = Shown()
    view.feed(MarkdownIt("commonmark").render(markdown))
    return view
