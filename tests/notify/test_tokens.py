"""Acknowledgement tokens: genuine ones open; expired, forged or misused ones are refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from server.notify.secret import load_keys
from server.notify.tokens import AckClaim, TokenRefused, issue, verify
from server.settings import Settings

SECRET = b"s" * 32
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def claim(expires: datetime = NOW + timedelta(hours=1)) -> AckClaim:
    return AckClaim(uuid.uuid4(), "tell_police", 7, expires.replace(microsecond=0))


def refusal(token: str, secret: bytes = SECRET, now: datetime = NOW) -> str:
    with pytest.raises(TokenRefused) as refused:
        verify([secret], token, now)
    return refused.value.reason


def test_a_genuine_token_names_its_incident_notification_and_contact() -> None:
    """The link in a message opens the acknowledgement of exactly that notification."""
    c = claim()
    assert verify([SECRET], issue(SECRET, c), NOW) == c


def test_an_expired_token_is_refused() -> None:
    """A link older than its expiry is refused as expired."""
    token = issue(SECRET, claim(NOW - timedelta(seconds=1)))
    assert refusal(token) == "expired"


def test_forged_tokens_are_refused() -> None:
    """A changed claim, another server's key or a cut signature: refused as forged."""
    token = issue(SECRET, claim())
    body, _, signature = token.partition(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["n"] = "tell_health"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert refusal(f"{forged}.{signature}") == "forged"
    assert refusal(token, secret=b"x" * 32) == "forged"
    assert refusal(token[:-2]) == "forged"
    assert refusal("not-a-token") == "malformed"


def test_a_token_for_another_purpose_is_refused() -> None:
    """Only tokens made for acknowledging acknowledge."""
    body = base64.urlsafe_b64encode(b'{"p":"login","i":"x","n":"y","d":1,"x":9999999999}')
    text = body.rstrip(b"=").decode()
    sig = hmac.new(SECRET, b"wf-ack-v1." + text.encode(), hashlib.sha256).digest()
    token = f"{text}.{base64.urlsafe_b64encode(sig).rstrip(b'=').decode()}"
    assert refusal(token) == "purpose"


def test_the_development_secret_is_made_once_and_kept(tmp_path: Path) -> None:
    """Without WATCHFLOOR_SECRET_KEY a restart signs with the same key; the file is private."""
    env = {"WATCHFLOOR_DATA": str(tmp_path)}
    first = load_keys(Settings.from_env(env)).current
    assert load_keys(Settings.from_env(env)).current == first and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    configured = Settings.from_env({**env, "WATCHFLOOR_SECRET_KEY": "k" * 32})
    assert load_keys(configured).current == b"k" * 32
