"""Acknowledgement tokens: signed, expiring, single-purpose; the link a unit clicks.

    token = base64url(claims JSON) "." base64url(HMAC-SHA256(secret, "wf-ack-v1." + claims part))

The claims name the incident, the notification and the outbox row (who was sent it),
the purpose "ack" and the expiry. A token is good once: the acknowledgement event is the
record, and a notification already acknowledged refuses the next one. A token is signed with
one key and checked against every key still accepted (the current one first, then those a
rotation replaced), so a link sent before a rotation opens until its own expiry.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import ClassVar
from uuid import UUID

from incidents.errors import Refusal

PURPOSE = "ack"
TTL = timedelta(hours=24)
_CONTEXT = b"wf-ack-v1."


class AckRefused(Refusal):
    """An acknowledgement link that cannot be used: `code` keys the page's words
    (notify.ack.refused.<code>), in the recipient's `language` once the link names them."""

    code = "ack_refused"

    def __init__(self, message: str, language: str = "zh-CN") -> None:
        super().__init__(message)
        self.language = language


class TokenRefused(AckRefused):
    """The token itself is refused; `reason`: malformed, forged, purpose or expired."""

    reason: ClassVar[str] = "refused"

    def __init__(self) -> None:
        super().__init__(self.reason)


class TokenMalformed(TokenRefused):
    code, reason = "token_malformed", "malformed"


class TokenForged(TokenRefused):
    code, reason = "token_forged", "forged"


class TokenPurpose(TokenRefused):
    code, reason = "token_purpose", "purpose"


class TokenExpired(TokenRefused):
    code, reason = "token_expired", "expired"


class UnknownNotice(AckRefused):
    """A genuine token for a notification or a recipient that is not (or no longer) known."""

    code = "token_unknown"


class AlreadyAcknowledged(AckRefused):
    code = "already_acknowledged"


@dataclass(frozen=True, slots=True)
class AckClaim:
    incident_id: UUID
    notification: str
    delivery: int  # the outbox row: which contact it was sent to
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: bytes, body: str) -> str:
    return _b64(hmac.new(secret, _CONTEXT + body.encode(), hashlib.sha256).digest())


def issue(secret: bytes, claim: AckClaim) -> str:
    claims = {
        "p": PURPOSE,
        "i": str(claim.incident_id),
        "n": claim.notification,
        "d": claim.delivery,
        "x": int(claim.expires_at.timestamp()),
    }
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{body}.{_sign(secret, body)}"


def verify(keys: Sequence[bytes], token: str, now: datetime) -> AckClaim:
    """The claim of a genuine, unexpired ack token signed with one of `keys`; TokenRefused
    otherwise."""
    body, dot, signature = token.partition(".")
    if not dot or not body or not signature or len(token) > 1000:
        raise TokenMalformed()
    signed = [hmac.compare_digest(signature.encode(), _sign(k, body).encode()) for k in keys]
    if not any(signed):  # every key is tried: the time taken says nothing of which matched
        raise TokenForged()
    try:
        claims = json.loads(_unb64(body))
        if not isinstance(claims, dict) or claims.get("p") != PURPOSE:
            raise TokenPurpose()
        claim = AckClaim(
            UUID(claims["i"]),
            str(claims["n"]),
            int(claims["d"]),
            datetime.fromtimestamp(int(claims["x"]), UTC),
        )
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise TokenMalformed() from None
    if now >= claim.expires_at:
        raise TokenExpired()
    return claim
