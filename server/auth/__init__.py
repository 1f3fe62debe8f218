"""Sign-in for the live console: users, sessions, rate limits and request protection.

passwords.py  Argon2id hashing and the password rules
users.py      User, UserStore
sessions.py   Session, SessionStore (idle 12 h, absolute 7 days)
ratelimit.py  LoginLimiter (per name and address, per address, growing delays per name)
proxies.py    the client address and scheme, through trusted proxies only
cookies.py    the session cookie
origins.py    which origins may send state-changing requests
protect.py    AuthMiddleware, require_session / require_role / require_csrf,
              websocket_allowed, AuthRefused and its handler
routes.py     GET/POST /login, POST /logout
cli.py        user commands and the demo users
"""

from server.auth.errors import (
    AuthError,
    InvalidUser,
    TooManyAttempts,
    UnknownUser,
    UserExists,
    WeakPassword,
)
from server.auth.passwords import Passwords
from server.auth.protect import (
    AuthMiddleware,
    AuthRefused,
    auth_refused_handler,
    current_session,
    require_csrf,
    require_role,
    require_session,
    websocket_allowed,
    websocket_origin_allowed,
)
from server.auth.ratelimit import LoginLimiter
from server.auth.routes import auth_routes
from server.auth.sessions import Session, SessionStore
from server.auth.users import User, UserStore

__all__ = [
    "AuthError",
    "AuthMiddleware",
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
    "auth_refused_handler",
    "auth_routes",
    "current_session",
    "require_csrf",
    "require_role",
    "require_session",
    "websocket_allowed",
    "websocket_origin_allowed",
]

# The modules other features may import (tests/test_feature_boundary.py); the app's
# composition (server/*.py) may import any.
PUBLIC = ("protect", "users", "sessions")
