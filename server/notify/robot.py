"""What WeCom and DingTalk group robots share: a JSON POST answered HTTP 200 with an
`errcode` in the body (0: taken), which each platform's table maps to retry or give up."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from server.notify.failure import TIMEOUT, SendFailed, http_failure, status_failure


@dataclass(frozen=True, slots=True)
class Verdict:
    code: str  # notify.failure.<code>
    permanent: bool  # True: sending again cannot help (a bad key, a refused signature)


@dataclass(frozen=True, slots=True)
class Platform:
    name: str  # "wecom", "dingtalk": the prefix of its unknown-code failure
    codes: Mapping[int, Verdict]
    refine: Callable[[int, str], Verdict | None] = lambda errcode, errmsg: None

    def verdict(self, errcode: int, errmsg: str) -> Verdict:
        """A documented code's verdict; an unknown one is retried (it may be passing)."""
        return (
            self.refine(errcode, errmsg)
            or self.codes.get(errcode)
            or Verdict(f"{self.name}_error", False)
        )


def body_of(payload: Mapping[str, Any]) -> bytes:
    """Compact UTF-8 JSON: Chinese and emoji go as themselves, not as \\u escapes."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


async def post(
    client: httpx.AsyncClient, url: str, payload: Mapping[str, Any], platform: Platform
) -> None:
    """POST `payload`; SendFailed unless the robot answers errcode 0. The URL holds the
    robot's key, so it is never quoted in a failure."""
    headers = {"Content-Type": "application/json; charset=utf-8"}
    try:
        reply = await client.post(url, content=body_of(payload), headers=headers, timeout=TIMEOUT)
    except httpx.HTTPError as exc:
        raise http_failure(exc) from None
    if not reply.is_success:
        raise status_failure(reply.status_code)
    errcode, errmsg = _errcode(reply)
    if errcode == 0:
        return
    verdict = platform.verdict(errcode, errmsg)
    raise SendFailed(
        verdict.code,
        f"{platform.name} errcode {errcode}",
        permanent=verdict.permanent,
        status=errcode,
    )


def _errcode(reply: httpx.Response) -> tuple[int, str]:
    try:
        answer = reply.json()
        errcode = answer["errcode"]
    except (ValueError, KeyError, TypeError):
        raise SendFailed("robot_reply", "robot: unreadable answer") from None
    if not isinstance(errcode, int):
        raise SendFailed("robot_reply", "robot: unreadable answer")
    return errcode, str(answer.get("errmsg", ""))
