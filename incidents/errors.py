"""The domain's one error tree. server/ maps each class to an HTTP status in one place.

DomainError
 ├── InvalidCommand        bad input: a field is missing, too long, out of range
 ├── NotAuthorized         the actor's role may not do this
 │    └── Recused          the actor has a direct interest in this incident (回避)
 ├── NotFound              no such incident
 ├── IllegalTransition     the state machine refuses (status, checklist item, ...)
 │    └── IncidentClosed   a closed incident accepts only reopen
 └── IdempotencyConflict   a key reused with a different command
"""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """A refusal with a stable code (for translation) and an English message."""

    code = "domain_error"

    def __init__(self, message: str, *, field: str | None = None, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.params: Mapping[str, object] = params


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
