"""SQL only in store modules: handlers and services call a store, never the database.

Checked statically (each file parsed, never imported): every string literal of server/ and
incidents/ (f-strings too, their fixed parts joined) that reads as an SQL statement is named
by file and line, unless its module is named store.py or is allowed below.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("server", "incidents")

# Modules other than store.py that may hold SQL, and why. A directory ends with "/".
ALLOWED = {
    "server/database.py": "connection plumbing: creates the database, checks the pool",
    "incidents/migrations/": "the schema's migrations",
    "incidents/migrate.py": "the migration runner: its own lock and schema_migrations table",
    # The event store's write path, split from store.py under its own name.
    "incidents/append.py": "the event store's write path: locks a batch, writes it at once",
}

# Upper case, as every query here is written: prose that says "select" or "update" is not SQL.
_SQL = re.compile(
    r"\bSELECT\b[\s\S]*?\bFROM\b"
    r"|\bSELECT\s+\w+\("  # a function call with no table: SELECT pg_advisory_xact_lock(...)
    r"|\bINSERT\s+INTO\b"
    r"|\bUPDATE\s+\w+(\s+\w+)?\s+SET\b"
    r"|\bDELETE\s+FROM\b"
)


def allowed(file: str) -> bool:
    return Path(file).name == "store.py" or any(
        file == a or (a.endswith("/") and file.startswith(a)) for a in ALLOWED
    )


def sql_literals(source: str) -> list[int]:
    """The line of every string literal in the source that holds an SQL statement."""
    tree = ast.parse(source)
    parts = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "{}".join(v.value if isinstance(v, ast.Constant) else "" for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in parts:
                continue
            text = node.value
        else:
            continue
        if _SQL.search(text):
            lines.add(node.lineno)
    return sorted(lines)


def sql_outside_stores(root: Path) -> list[str]:
    wrong = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            file = path.relative_to(root).as_posix()
            if allowed(file):
                continue
            for line in sql_literals(path.read_text(encoding="utf-8")):
                wrong.append(f"{file}:{line} holds SQL; move it to the feature's store.py")
    return wrong


def test_sql_is_only_in_store_modules() -> None:
    wrong = sql_outside_stores(ROOT)
    assert not wrong, "\n".join(wrong)


def test_every_query_form_is_recognised() -> None:
    """What the check must see: each statement, in a plain, joined or f-string literal."""
    source = '''
a = "SELECT id FROM users WHERE id = $1"
b = f"SELECT {COLUMNS} FROM users u"
c = ("INSERT INTO sessions (id) "
     "VALUES ($1)")
d = """
UPDATE sessions s SET revoked_at = $2
"""
e = "DELETE FROM login_attempts WHERE at < $1"
f = "SELECT pg_advisory_xact_lock(1, hashtext($1))"
'''
    assert sql_literals(source) == [2, 3, 4, 6, 9, 10]


def test_prose_is_not_sql() -> None:
    source = '''
"""Rows are claimed under row locks with SKIP LOCKED; select a unit, then update it."""
x = "UPDATE_HEADCOUNT"
y = f"the {name} was updated from the list"
'''
    assert sql_literals(source) == []


def test_only_stores_and_the_allowed_modules_may_hold_sql() -> None:
    assert allowed("server/auth/store.py") and allowed("incidents/store.py")
    assert allowed("incidents/migrations/0007_salted_events.py")
    assert allowed("incidents/append.py") and allowed("server/database.py")
    assert not allowed("server/auth/routes.py") and not allowed("server/auth/users.py")
