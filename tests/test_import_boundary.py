"""The domain imports no I/O: incidents/ and playbooks/ stay pure, but for the store.

Checked statically (each file parsed, never imported): every import of every module
but the allowed ones, at any depth of the file, is named by file and line, with the
modules of the packages that reach it through their own imports.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("incidents", "playbooks")

# The only modules of the domain packages that do I/O, and why they may.
IO_MODULES = {
    "incidents.store": "the event store: appends and reads events in PostgreSQL (asyncpg)",
    "incidents.append": "the store's write path: a batch's locks and one-statement write (asyncpg)",
    "incidents.group_commit": "the store's queue: commands arriving together (asyncio)",
    "incidents.migrate": "applies incidents/migrations/*.sql to PostgreSQL (asyncpg), logs each",
    "incidents.migrations.0007_salted_events": "a migration: re-seals stored chains (asyncpg)",
}

# What a pure module must not import, and why. Reading files is not here: the playbook
# loader reads its YAML once at startup, and that is what playbooks/ is for.
FORBIDDEN = {
    "asyncpg": "the database belongs to the store",
    "pgserver": "the database belongs to the server's start-up",
    "redis": "the broker is in server/",
    "starlette": "HTTP is in server/",
    "uvicorn": "HTTP is in server/",
    "httpx": "the network is at the edges",
    "websockets": "the network is at the edges",
    "socket": "the network is at the edges",
    "ssl": "the network is at the edges",
    "http": "the network is at the edges",
    "urllib.request": "the network is at the edges",
    "smtplib": "notifications are sent from server/notify/",
    "aiosmtplib": "notifications are sent from server/notify/",
    "aiosmtpd": "a test SMTP server",
    "subprocess": "processes are started at the edges",
    "asyncio": "the domain is synchronous: decide and fold, no waiting",
    # No pure module logs today: the domain returns events or raises a DomainError, and
    # the edge logs them with the request's context (incident id, request id).
    "structlog": "the edges log, with the request's context",
    "logging": "the edges log, with the request's context",
    "server": "the domain never depends on the app",
    "web": "templates are the server's",
}


@dataclass(frozen=True, slots=True)
class Import:
    module: str
    where: str  # file:line, from the root


def module_files(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    """Every module of the packages by dotted name (a package by its __init__)."""
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _base(name: str, path: Path, level: int, module: str | None) -> str:
    """The module a `from` import names, with relative imports resolved."""
    if level == 0:
        return module or ""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    package = package[: len(package) - (level - 1)]
    return ".".join([*package, *([module] if module else [])])


def imports_of(name: str, path: Path, root: Path, known: set[str]) -> Iterator[Import]:
    """Every import in the file, at any depth (inside functions, under TYPE_CHECKING too)."""
    file = path.relative_to(root).as_posix()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        at = f"{file}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            yield from (Import(a.name, at) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _base(name, path, node.level, node.module)
            yield Import(base, at)
            for alias in node.names:  # `from incidents import store` names a module
                if f"{base}.{alias.name}" in known:
                    yield Import(f"{base}.{alias.name}", at)
        elif isinstance(node, ast.Call) and (module := _dynamic(node)):
            yield Import(module, at)


def _dynamic(call: ast.Call) -> str | None:
    """The x of `importlib.import_module("x")` or `__import__("x")`, written out."""
    func = call.func
    named = (isinstance(func, ast.Name) and func.id == "__import__") or (
        isinstance(func, ast.Attribute) and func.attr == "import_module"
    )
    first = call.args[0] if call.args else None
    if named and isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    return None


def forbidden(module: str) -> str | None:
    for name, why in FORBIDDEN.items():
        if module == name or module.startswith(name + "."):
            return why
    return None


def violations(root: Path, packages: tuple[str, ...], io_modules: Mapping[str, str]) -> list[str]:
    """Each offending import of a pure module, once, with the pure modules that reach it."""
    files = module_files(root, packages)
    graph = {name: list(imports_of(name, p, root, set(files))) for name, p in files.items()}
    pure = sorted(set(files) - set(io_modules))
    found = []
    for name in pure:
        for imp in graph[name]:
            why = io_modules.get(imp.module) or forbidden(imp.module)
            if why:
                users = [m for m in pure if m != name and name in reached(graph, m)]
                also = f"; reached from {', '.join(users)}" if users else ""
                found.append(f"{imp.where} ({name}) imports {imp.module}: {why}{also}")
    return found


def reached(graph: dict[str, list[Import]], start: str) -> set[str]:
    """The modules of the packages that `start` imports, directly or through others."""
    seen: set[str] = set()
    stack = [start]
    while stack:
        for imp in graph[stack.pop()]:
            if imp.module in graph and imp.module not in seen:
                seen.add(imp.module)
                stack.append(imp.module)
    return seen


def test_the_pure_modules_import_no_io() -> None:
    """No module of incidents/ or playbooks/ but the store reaches a database, network or log."""
    found = violations(ROOT, PACKAGES, IO_MODULES)
    assert not found, "the domain imports I/O:\n" + "\n".join(found)


def test_the_allowed_io_modules_exist() -> None:
    """The list of exceptions names real modules, so it cannot quietly cover a new one."""
    assert set(IO_MODULES) <= set(module_files(ROOT, PACKAGES))


def test_the_check_sees_lazy_relative_dynamic_and_indirect_imports(tmp_path: Path) -> None:
    """An import inside a function, a relative one, a dynamic one, and one through a module."""
    pkg = tmp_path / "dom"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "store.py").write_text("import asyncpg\n")
    (pkg / "lazy.py").write_text("def f():\n    import redis.asyncio\n")
    (pkg / "rel.py").write_text("from . import store\n")
    (pkg / "dyn.py").write_text("import importlib\nimportlib.import_module('socket')\n")
    (pkg / "top.py").write_text("from dom.rel import x\n")
    (pkg / "clean.py").write_text("import json\nfrom pathlib import Path\n")
    found = "\n".join(violations(tmp_path, ("dom",), {"dom.store": "SQL"}))
    assert "dom/lazy.py:2 (dom.lazy) imports redis.asyncio: the broker" in found
    assert "dom/rel.py:1 (dom.rel) imports dom.store: SQL; reached from dom.top" in found
    assert "dom/dyn.py:2 (dom.dyn) imports socket" in found
    assert "dom/clean.py" not in found and "dom/store.py" not in found
