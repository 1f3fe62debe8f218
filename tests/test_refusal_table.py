"""One table maps every refusal: server/errors.py REFUSALS, and nothing else picks a status.

Every class of the product's error tree (incidents/errors.py `Refusal`) has an answer of
its own or its nearest ancestor's; and, read from the source (parsed, never imported), no
other server module writes a 4xx status or names a refusal's close code itself.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import server.app  # noqa: F401  (every module that defines a refusal, loaded)
from incidents.errors import (
    DomainError,
    IdempotencyConflict,
    IncidentClosed,
    InvalidCommand,
    NotFound,
    Recused,
    Refusal,
)
from server.auth.errors import (
    BadCredentials,
    CredentialsMissing,
    CrossSite,
    CsrfFailed,
    Forbidden,
    InvalidUser,
    LoginRequired,
    TooManyAttempts,
)
from server.errors import REFUSALS, answer
from server.live.close_codes import Close
from server.notify.tokens import (
    AlreadyAcknowledged,
    TokenExpired,
    TokenForged,
    TokenMalformed,
    TokenPurpose,
    UnknownNotice,
)

ROOT = Path(__file__).resolve().parent.parent
TABLE = "server/errors.py"

# 4xx numbers a server module may write, and why they are not a refusal's status.
_REPLY = "a provider's reply status: read, never answered"
NOT_REFUSALS = {
    ("server/auth/origins.py", 443): "the HTTPS port",
    ("server/logs.py", 499): "logged for a client that left, never sent",
    **{("server/notify/failure.py", n): _REPLY for n in (400, 408, 425, 429)},
}

# The close codes that answer a refusal; RESYNC is not one (behind, or a dependency down).
REFUSAL_CLOSES = {Close.POLICY.name, Close.SESSION_ENDED.name, Close.NO_SUCH_VIEW.name}


def refusal_classes() -> Iterator[type[Refusal]]:
    todo: list[type[Refusal]] = [Refusal]
    while todo:
        cls = todo.pop()
        yield cls
        todo += cls.__subclasses__()


def test_every_refusal_has_an_answer_in_the_one_table() -> None:
    """A class added to the tree is answered by its own entry or its nearest ancestor's."""
    classes = set(refusal_classes())
    assert len(classes) > 20  # the scan sees the whole tree, auth and ack branches included
    missing = [c.__name__ for c in classes - {Refusal} if not any(k in REFUSALS for k in c.__mro__)]
    assert missing == []
    assert set(REFUSALS) <= classes
    with pytest.raises(LookupError):
        answer(Refusal)  # the root has none: a new branch must be given its answer


def test_the_table_answers_as_each_place_did_before() -> None:
    """The statuses sign-in, the guards, the ack pages and commands always sent."""
    statuses: dict[type[Refusal], int] = {
        DomainError: 400,
        InvalidCommand: 422,
        Recused: 403,
        NotFound: 404,
        IncidentClosed: 409,
        IdempotencyConflict: 409,
        CredentialsMissing: 400,
        InvalidUser: 400,
        BadCredentials: 401,
        TooManyAttempts: 429,
        LoginRequired: 401,
        Forbidden: 403,
        CsrfFailed: 403,
        CrossSite: 403,
        TokenMalformed: 400,
        TokenForged: 403,
        TokenPurpose: 403,
        TokenExpired: 410,
        UnknownNotice: 404,
        AlreadyAcknowledged: 409,
    }
    assert {cls: answer(cls).status for cls in statuses} == statuses
    closes: dict[type[Refusal], Close] = {
        LoginRequired: Close.SESSION_ENDED,
        CrossSite: Close.POLICY,
        NotFound: Close.NO_SUCH_VIEW,
    }
    assert {cls: answer(cls).close for cls in closes} == closes


def server_sources() -> Iterator[tuple[str, ast.AST]]:
    for path in sorted((ROOT / "server").rglob("*.py")):
        yield str(path.relative_to(ROOT)), ast.parse(path.read_text("utf-8"))


def choices(where: str, tree: ast.AST) -> Iterator[str]:
    """Each 4xx number, refusal close code or literal close code the module writes itself."""
    codes = {int(c) for c in Close}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and type(node.value) is int:
            if 400 <= node.value < 500 and (where, node.value) not in NOT_REFUSALS:
                yield f"{where}:{node.lineno}: status {node.value}"
            elif node.value in codes and where != "server/live/close_codes.py":
                yield f"{where}:{node.lineno}: close code {node.value}"
        named = isinstance(node, ast.Attribute) and getattr(node.value, "id", "") == "Close"
        if named and node.attr in REFUSAL_CLOSES:
            yield f"{where}:{node.lineno}: Close.{node.attr}"


def test_no_other_server_module_picks_a_status_or_close_code_for_a_refusal() -> None:
    found = [c for where, tree in server_sources() if where != TABLE for c in choices(where, tree)]
    assert found == []
    # the scan sees what it looks for: the table itself writes them
    assert any("status 422" in c for c in choices(TABLE, ast.parse((ROOT / TABLE).read_text())))
