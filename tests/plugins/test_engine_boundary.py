"""The engine (``colonnade/`` minus the linked card folders) imports no connector, resolver,
schema or sandbox module and names no connector: everything it serves comes to it as a plugin.

``colonnade.testing`` is not engine: it is the kit that drives a connector against its sandbox
(like the sandboxes themselves, it is there for connector authors and never imported by the
engine — ``test_nothing_in_the_engine_imports_the_test_kit`` keeps it so)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from colonnade.platform import discover

ROOT = Path(__file__).resolve().parents[2]
LINKED = {"connectors", "resolvers", "schema", "sandboxes", "wsdl"}
KIT = {"testing"}
FORBIDDEN = re.compile(r"^colonnade\.(connectors|resolvers|schema|sandboxes)(\.|$)")


def _engine_modules() -> list[Path]:
    base = ROOT / "colonnade"
    return [p for p in base.rglob("*.py") if p.relative_to(base).parts[0] not in LINKED | KIT]


# Source templates: the package ``colonnade import wsdl`` writes is a connector, and its text
# names the kit and the sandbox base it uses; the writer itself imports neither.
TEMPLATES = {"colonnade/wsdl_import/package.py"}


def _imports(tree: ast.AST, *, strings: bool = True) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names += [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif strings and isinstance(node, ast.Constant) and isinstance(node.value, str):
            names += re.findall(r"colonnade\.[\w.]+", node.value)  # import_module("…")
    return names


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_the_engine_imports_nothing_from_the_card_folders() -> None:
    modules = _engine_modules()
    assert len(modules) > 100
    offenders = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in modules
        for name in _imports(ast.parse(path.read_text()), strings=_rel(path) not in TEMPLATES)
        if FORBIDDEN.match(name)
    }
    assert offenders == set()


def test_the_engine_names_no_connector() -> None:
    names = {c.name for c in discover().connectors}
    assert {"crm", "erp", "payments"} <= names
    pattern = re.compile(r"\b(" + "|".join(sorted(names)) + r")\b", re.IGNORECASE)
    offenders = set()
    for path in _engine_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for match in pattern.finditer(node.value):
                    offenders.add(f"{path.relative_to(ROOT)}: {match.group(0)!r}")
    assert offenders == set()


def test_nothing_in_the_engine_imports_the_test_kit() -> None:
    offenders = {
        str(path.relative_to(ROOT))
        for path in _engine_modules()
        for name in _imports(ast.parse(path.read_text()), strings=_rel(path) not in TEMPLATES)
        if name.startswith("colonnade.testing")
    }
    assert offenders == set()
