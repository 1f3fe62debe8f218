"""Password hashing and the rules a new password must meet."""

from __future__ import annotations

import time

import pytest
from argon2 import PasswordHasher

from server.auth.errors import WeakPassword
from server.auth.passwords import Passwords, check_strength


def test_a_hash_verifies_its_password_only() -> None:
    """The right password is accepted, a wrong one refused; the hash does not hold the password."""
    passwords = Passwords()
    stored = passwords.hash("correct-horse-42")
    assert stored.startswith("$argon2id$")
    assert "correct-horse-42" not in stored
    assert passwords.verify(stored, "correct-horse-42")
    assert not passwords.verify(stored, "correct-horse-43")
    assert not passwords.verify("not a hash", "correct-horse-42")


def _slowest_of_fastest(passwords: Passwords, stored: str | None) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        passwords.verify(stored, "wrong-password-1")
        best = min(best, time.perf_counter() - started)
    return best


def test_checking_an_unknown_user_costs_as_much_as_a_known_one() -> None:
    """Timing a failed sign-in does not tell whether the login name exists."""
    passwords = Passwords()
    stored = passwords.hash("correct-horse-42")
    passwords.verify(None, "warm-up-the-dummy")
    known = _slowest_of_fastest(passwords, stored)
    unknown = _slowest_of_fastest(passwords, None)
    assert not passwords.verify(None, "correct-horse-42")
    assert unknown > known * 0.3


def test_hashes_made_with_weaker_settings_are_due_for_rehash() -> None:
    """A hash from cheaper settings is flagged for upgrade; a current one is not."""
    weak = Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    strong = Passwords()
    assert strong.needs_rehash(weak.hash("correct-horse-42"))
    assert not strong.needs_rehash(strong.hash("correct-horse-42"))


@pytest.mark.parametrize(
    "password",
    [
        "",
        "          ",
        "short-1",
        "password123",
        "aaaaaaaaaaaa",
        "abababababab",
        "duty1-secret-x",
        "x" * 300,
    ],
)
def test_weak_passwords_are_refused(password: str) -> None:
    """Empty, short, common, repetitive, login-based or absurdly long passwords are refused."""
    with pytest.raises(WeakPassword):
        check_strength("duty1", password)


def test_a_reasonable_password_is_accepted() -> None:
    """A long passphrase not built from the login name passes the rules."""
    check_strength("duty1", "watchfloor-demo")
    check_strength("duty1", "三楼接待室的钥匙在值班台")
