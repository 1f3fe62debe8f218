"""Features import each other only through what each declares public.

Each package of server/ is a feature; its __init__.py names, in `PUBLIC`, the modules
other features may import. The modules at server/'s top level (the app, its services,
settings, the CLI) compose the features and may import any module. Checked statically:
every import in a feature's modules, of another feature's module, is named by file and
line when that module is not public.
"""

from __future__ import annotations

import ast
from pathlib import Path

SERVER = Path(__file__).resolve().parent.parent / "server"


def features() -> dict[str, tuple[str, ...]]:
    """Each feature package and the modules it declares public."""
    found: dict[str, tuple[str, ...]] = {}
    for init in sorted(SERVER.glob("*/__init__.py")):
        tree = ast.parse(init.read_text(encoding="utf-8"))
        public = next(
            (
                ast.literal_eval(node.value)
                for node in tree.body
                if isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "PUBLIC" for t in node.targets)
            ),
            None,
        )
        assert public is not None, f"{init.relative_to(SERVER.parent)} declares no PUBLIC"
        found[init.parent.name] = tuple(public)
    return found


def imported(tree: ast.AST) -> list[tuple[str, int]]:
    """Every server.* module a file imports (`from server.x import y`: x.y and x), by line."""
    out: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("server."):
            out += [(f"{node.module}.{a.name}", node.lineno) for a in node.names]
        elif isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names if a.name.startswith("server.")]
    return out


def crossings(feats: dict[str, tuple[str, ...]]) -> list[str]:
    wrong = []
    for path in sorted(SERVER.glob("*/**/*.py")):
        me = path.relative_to(SERVER).parts[0]
        for name, line in imported(ast.parse(path.read_text(encoding="utf-8"))):
            parts = name.split(".")
            other = parts[1]
            if other == me or other not in feats or len(parts) < 3:
                continue
            if parts[2] not in feats[other] and parts[2] != "PUBLIC":
                where = f"{path.relative_to(SERVER.parent)}:{line}"
                wrong.append(f"{where} imports server.{other}.{parts[2]}, not public in {other}")
    return wrong


def test_every_feature_declares_what_is_public() -> None:
    """Each declared module exists; there are the features the README names."""
    feats = features()
    assert {"auth", "duty", "export", "followup", "incident", "live", "notify"} <= set(feats)
    missing = [
        f"server/{f}/{m}.py"
        for f, mods in feats.items()
        for m in mods
        if not (SERVER / f / f"{m}.py").exists()
    ]
    assert not missing, missing


def test_features_import_each_other_only_through_what_is_public() -> None:
    """No feature reaches into another's private modules."""
    wrong = crossings(features())
    assert not wrong, "\n".join(wrong)


def test_the_check_sees_a_private_import() -> None:
    """With `render` no longer public, the features that draw with it are named."""
    feats = {**features(), "incident": ("commands", "input", "timeline")}
    wrong = crossings(feats)
    assert any("server/live/hub.py" in w and "server.incident.render" in w for w in wrong)
