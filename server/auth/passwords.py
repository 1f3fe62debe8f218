"""Password hashing with Argon2id, and the rules a new password must meet.

Hashing is CPU-bound (about 0.1 s with the defaults): async callers run it in a thread.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.auth.errors import WeakPassword

MIN_LENGTH = 10
MAX_LENGTH = 256
_COMMON = frozenset(
    {
        "password",
        "password1",
        "password123",
        "1234567890",
        "12345678910",
        "0123456789",
        "qwertyuiop",
        "1q2w3e4r5t",
        "iloveyou123",
        "watchfloor",
        "administrator",
    }
)


class Passwords:
    """Argon2id hash / verify / needs_rehash; verifying for an unknown user costs the same."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._dummy: str | None = None

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """True when `password` matches `stored`; with no stored hash, spend the time anyway."""
        try:
            return self._hasher.verify(stored or self._dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(stored)
        except InvalidHashError:
            return True

    def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = self._hasher.hash(secrets.token_urlsafe(16))
        return self._dummy


def check_strength(login: str, password: str) -> None:
    """Refuse a password that is empty, short, overlong, common or built from the login name."""
    if not password.strip():
        raise WeakPassword("the password is empty")
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"the password must have at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"the password must have at most {MAX_LENGTH} characters")
    folded = password.casefold()
    if folded in _COMMON or len(set(folded)) < 4:
        raise WeakPassword("the password is too easy to guess")
    if login and login.casefold() in folded:
        raise WeakPassword("the password must not contain the login name")
