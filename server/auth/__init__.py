"""Sign-in for the live console: users, sessions, rate limits and request protection.

errors.py     the auth branches of the product's error tree (AuthError, AuthRefused)
passwords.py  Argon2id hashing and the password rules
users.py      User, UserStore
sessions.py   Session, SessionStore (idle 12 h, absolute 7 days)
ratelimit.py  LoginLimiter (per name and address, per address, growing delays per name)
proxies.py    the client address and scheme, through trusted proxies only
cookies.py    the session cookie
origins.py    which origins may send state-changing requests
protect.py    AuthMiddleware, require_session / require_role / require_csrf,
              websocket_allowed, refusal_response and its handler
routes.py     GET/POST /login, POST /logout
api_tokens.py ApiTokenStore: API tokens for systems, only their hash kept
store.py      every SQL statement of the above: small functions returning rows or values
cli.py        user and API token commands, and the demo users

This door re-exports the parts below HTTP only: protect.py and routes.py answer through
server/errors.py, whose table names this package's errors, so they are imported by module.
"""

from server.auth.errors import (
    AuthError,
    AuthRefused,
    InvalidUser,
    TooManyAttempts,
    UnknownUser,
    UserExists,
    WeakPassword,
)
from server.auth.passwords import Passwords
from server.auth.ratelimit import LoginLimiter
from server.auth.sessions import Session, SessionStore
from server.auth.users import User, UserStore

__all__ = [
    "AuthError",
    "AuthRefused",
    "InvalidUser",
    "LoginLimiter",
    "Passwords",
    "Session",
    "SessionStore",
    "TooManyAttempts",
    "UnknownUser",
    "User",
    "UserExists",
    "UserStore",
    "WeakPassword",
]

# The modules other features may import (tests/test_feature_boundary.py); the app's
# composition (server/*.py) may import any.
PUBLIC = ("errors", "protect", "users", "sessions", "cookies")
