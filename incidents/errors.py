"""The product's one error tree: every refusal is a `Refusal`. server/errors.py maps each class
to an HTTP status and a WebSocket close code in one table (the most specific class wins).

Refusal
 ├── DomainError            the domain refuses a command (this module)
 │    ├── InvalidCommand        bad input: a field is missing, too long, out of range
 │    ├── NotAuthorized         the actor's role may not do this
 │    │    └── Recused          the actor has a direct interest in this incident (回避)
 │    ├── NotFound              no such incident
 │    ├── IllegalTransition     the state machine refuses (status, checklist item, ...)
 │    │    └── IncidentClosed   a closed incident accepts only reopen
 │    └── IdempotencyConflict   a key reused with a different command
 ├── AuthError              an account or a sign-in is refused (server/auth/errors.py)
 │    ├── InvalidUser, WeakPassword, UserExists, UnknownUser
 │    ├── CredentialsMissing, BadCredentials
 │    └── TooManyAttempts       too many failed sign-ins lately; `retry_after` seconds to wait
 ├── AuthRefused            a request is refused: no session, role, CSRF, cross-site (same)
 └── AckRefused             an acknowledgement link cannot be used (server/notify/tokens.py)
      ├── TokenRefused          malformed, forged, another purpose, expired
      ├── UnknownNotice         no such notification or recipient
      └── AlreadyAcknowledged   the notice is acknowledged already

A DomainError's class says how the server answers (its status); its `reason` says what the
person reads: a catalogue key (`refusal.<reason>`) with parameters, translated at the edge
(server/refusal.py). Ids among the parameters are `Named`, so they are shown by name. The
other branches carry their own words (the sign-in page's, the acknowledgement page's).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from incidents.plan import Bilingual


@dataclass(frozen=True, slots=True)
class Named:
    """An id the reader sees by its name: `kind` "user" or "unit", else the catalogue key
    `{kind}.{id}` ("level.major", "field.location")."""

    kind: str
    id: str


# What a refusal's parameter may be: shown as is, by name, in the reader's language, or a list.
Param = str | int | Named | Bilingual | tuple["Param", ...]


class Refusal(Exception):
    """Something the product refuses: a stable `code` and an English `message` (for logs,
    APIs and the command line; never the words a person reads on a page)."""

    code = "refused"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DomainError(Refusal):
    """A refusal: `reason` keys the sentence a person reads (`refusal.<reason>` in the
    catalogues), filled with `params`; `message` is the same in English, for logs and APIs."""

    code = "domain_error"

    def __init__(
        self, reason: str, message: str, *, field: str | None = None, **params: Param
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.field = field
        self.params: Mapping[str, Param] = params


class InvalidCommand(DomainError):
    code = "invalid_command"


class NotAuthorized(DomainError):
    code = "not_authorized"


class Recused(NotAuthorized):
    code = "recused"


class NotFound(DomainError):
    code = "not_found"


class IllegalTransition(DomainError):
    code = "illegal_transition"


class IncidentClosed(IllegalTransition):
    code = "incident_closed"


class IdempotencyConflict(DomainError):
    code = "idempotency_conflict"
