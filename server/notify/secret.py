"""The keys that sign acknowledgement links: WATCHFLOOR_SECRET_KEY, and the old ones still accepted.

Links are signed with the current key. WATCHFLOOR_SECRET_KEY_OLD (comma-separated) names keys
that were current before a rotation: a link they signed still opens until its own expiry, and
nothing new is signed with them. Every node must hold the same keys, so production refuses to
start without WATCHFLOOR_SECRET_KEY. In development a missing key is generated once and kept in
`<data>/secret_key` (mode 0600), so that a restart, and local nodes sharing the folder, agree.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from server.settings import Settings

FILE_NAME = "secret_key"
MIN_LENGTH = 32  # characters: an HMAC-SHA256 key should carry at least 256 bits
HOW_TO_MAKE = (
    "Make one with `watchfloor secret new` (or "
    "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`) and set the same value "
    "on every node."
)


class SecretKeyError(Exception):
    """A signing key missing or unfit; the message says which and how to make a good one."""


@dataclass(frozen=True, slots=True)
class SigningKeys:
    current: bytes  # signs every new link
    previous: tuple[bytes, ...] = ()  # still verify links signed before a rotation

    @property
    def accepted(self) -> tuple[bytes, ...]:
        return (self.current, *self.previous)


def new_key() -> str:
    """A fresh key: 32 random bytes, URL-safe base64 (43 characters, no commas)."""
    return secrets.token_urlsafe(32)


def check_keys(settings: Settings) -> None:
    """SecretKeyError when the configured keys cannot be used (never quoting a key)."""
    notify = settings.notify
    if notify.secret_key is None and settings.production:
        raise SecretKeyError(
            "WATCHFLOOR_SECRET_KEY is not set. With WATCHFLOOR_ENV=production the console will "
            "not start without it: every node must sign acknowledgement links with the same key, "
            "or a link sent by one node is refused by the others. " + HOW_TO_MAKE
        )
    named = [("WATCHFLOOR_SECRET_KEY", notify.secret_key)]
    named += [("WATCHFLOOR_SECRET_KEY_OLD", key) for key in notify.old_secret_keys]
    for name, key in named:
        if key is not None and len(key) < MIN_LENGTH:
            raise SecretKeyError(
                f"{name} holds a key of {len(key)} characters; a signing key needs at least "
                f"{MIN_LENGTH}. " + HOW_TO_MAKE
            )


def load_keys(settings: Settings) -> SigningKeys:
    check_keys(settings)
    configured = settings.notify.secret_key
    current = configured.encode() if configured else _kept_key(settings.data_dir)
    previous = tuple(k.encode() for k in settings.notify.old_secret_keys if k.encode() != current)
    return SigningKeys(current, previous)


def _kept_key(data_dir: Path) -> bytes:
    """The development key in the data folder, made by the first node to need it."""
    path = data_dir / FILE_NAME
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        draft = data_dir / f".{FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}"
        draft.touch(mode=0o600)
        draft.write_text(secrets.token_hex(32))
        try:  # link: appears whole or not at all, and never replaces another node's key
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = path.read_text().strip()
    if len(key) < MIN_LENGTH:
        raise SecretKeyError(f"{path} holds no usable secret: delete it to make a new one")
    return key.encode()
