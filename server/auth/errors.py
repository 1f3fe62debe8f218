"""The auth branches of the product's error tree (incidents/errors.py `Refusal`).

AuthError              an account or a sign-in is refused
 ├── InvalidUser          a login name, display name, role or language that cannot be stored
 ├── WeakPassword         empty, too short, too common, or the login name itself
 ├── UserExists           the login name is taken
 ├── UnknownUser          no user by that login name
 ├── CredentialsMissing   a sign-in without a login name or a password
 ├── BadCredentials       a wrong login name or password (never saying which)
 ├── TooManyAttempts      too many failed sign-ins lately; `retry_after` seconds to wait
 ├── TokenNameInvalid     an API token name that cannot be stored or shown
 ├── TokenExists          the API token name is taken (a revoked token keeps its name)
 └── UnknownToken         no API token by that name
AuthRefused            a request is refused; a person reads `refusal.auth.<code>`
 ├── LoginRequired        no session (a browser page is sent to /login instead)
 ├── Forbidden            the user's role may not do this
 ├── CsrfFailed           the form's CSRF token is missing or wrong
 ├── CrossSite            a state-changing request from another site
 ├── BearerInvalid        an API token that is not one of ours
 │    └── BearerRevoked   an API token that was revoked
 └── BearerNotAccepted    an API token sent to a page: tokens open /api/ only

Each class's HTTP status and WebSocket close code are in server/errors.py's table.
"""

from __future__ import annotations

from incidents.errors import Refusal


class AuthError(Refusal):
    """A refusal with a stable code and an English message (safe to show to an operator)."""

    code = "auth_error"


class InvalidUser(AuthError):
    code = "invalid_user"


class WeakPassword(AuthError):
    code = "weak_password"


class UserExists(AuthError):
    code = "user_exists"


class UnknownUser(AuthError):
    code = "unknown_user"


class CredentialsMissing(AuthError):
    code = "credentials_missing"


class BadCredentials(AuthError):
    code = "bad_credentials"


class TooManyAttempts(AuthError):
    code = "too_many_attempts"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after} s")
        self.retry_after = retry_after


class TokenNameInvalid(AuthError):
    code = "token_name_invalid"


class TokenExists(AuthError):
    code = "token_exists"


class UnknownToken(AuthError):
    code = "unknown_token"


class AuthRefused(Refusal):
    """A request refused by sign-in protection; `reason` keys what a person reads."""

    code = "auth_refused"

    @property
    def reason(self) -> str:
        return f"auth.{self.code}"


class LoginRequired(AuthRefused):
    code = "login_required"


class Forbidden(AuthRefused):
    code = "forbidden"


class CsrfFailed(AuthRefused):
    code = "csrf_failed"


class CrossSite(AuthRefused):
    code = "cross_site"


class BearerInvalid(AuthRefused):
    code = "bearer_invalid"


class BearerRevoked(BearerInvalid):
    code = "bearer_revoked"


class BearerNotAccepted(AuthRefused):
    code = "bearer_not_accepted"
