"""The auth package's one error tree. Request refusals (401/403) are `AuthRefused`, in protect.py.

AuthError
 ├── InvalidUser        a login name, display name, role or language that cannot be stored
 ├── WeakPassword       empty, too short, too common, or the login name itself
 ├── UserExists         the login name is taken
 ├── UnknownUser        no user by that login name
 └── TooManyAttempts    too many failed sign-ins lately; `retry_after` seconds to wait
"""

from __future__ import annotations


class AuthError(Exception):
    """A refusal with a stable code and an English message (safe to show to an operator)."""

    code = "auth_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidUser(AuthError):
    code = "invalid_user"


class WeakPassword(AuthError):
    code = "weak_password"


class UserExists(AuthError):
    code = "user_exists"


class UnknownUser(AuthError):
    code = "unknown_user"


class TooManyAttempts(AuthError):
    code = "too_many_attempts"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after} s")
        self.retry_after = retry_after
