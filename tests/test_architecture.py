"""The one door: repositories, statements and transactions only where docs/architecture.md
says they are."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from callvault.unit_of_work import Directory, Repository

SRC = Path(__file__).resolve().parents[1] / "src" / "callvault"
TRANSACTIONS = {"commit", "begin", "begin_nested", "write", "read", "connect"}
UNIT_OPENERS = {"reading", "writing", "tenant_units"}


def _modules() -> list[tuple[str, ast.Module]]:
    return [
        (str(path.relative_to(SRC)), ast.parse(path.read_text(), str(path)))
        for path in sorted(SRC.rglob("*.py"))
        if "migrations" not in path.parts
    ]


def _called(tree: ast.Module) -> list[tuple[str, int]]:
    """Names of called functions and methods (``f(...)``, ``x.f(...)``), with lines."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                names.append((func.id, node.lineno))
            elif isinstance(func, ast.Attribute):
                names.append((func.attr, node.lineno))
    return names


def _subclasses(base: type) -> set[str]:
    found: set[str] = set()
    kind: type
    for kind in base.__subclasses__():
        found |= {kind.__name__, *_subclasses(kind)}
    return found


def test_repositories_are_built_only_through_a_unit_of_work() -> None:
    """``Repository.of(tenant)`` / ``Directory.of(unit)``, never a constructor call."""
    for module, _ in _modules():  # every repository class defined, so listed below
        name = ("callvault/" + module).removesuffix(".py").removesuffix("/__init__")
        importlib.import_module(name.replace("/", "."))
    repositories = _subclasses(Repository) | _subclasses(Directory)
    assert {"CallRepository", "CallUpsert", "UserDirectory"} <= repositories
    found = [
        (name, f"{module}:{line}")
        for module, tree in _modules()
        for name, line in _called(tree)
        if name in repositories and module != "unit_of_work.py"
    ]
    assert found == []


def test_statement_shapes_are_used_only_by_the_calls_repository() -> None:
    importers = []
    for module, tree in _modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            names = {alias.name for alias in node.names}
            if node.module == "callvault.calls.statements" or (
                node.module == "callvault.calls" and "statements" in names
            ):
                importers.append(module)
    assert sorted(set(importers)) == ["calls/repository.py"]


def test_only_the_database_and_the_unit_of_work_open_transactions() -> None:
    found = []
    for module, tree in _modules():
        if module.startswith("db/") or module == "unit_of_work.py":
            continue
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            receiver = ast.unparse(node.func.value).lower()
            if node.func.attr in TRANSACTIONS and any(
                word in receiver for word in ("database", "engine", "session", "connection", "db")
            ):
                found.append(f"{module}:{node.lineno} {ast.unparse(node.func)}")
    assert found == []


def test_units_of_work_are_opened_only_by_requests_the_cli_and_the_batcher() -> None:
    openers = sorted(
        {
            module
            for module, tree in _modules()
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in UNIT_OPENERS
            and module != "unit_of_work.py"
        }
    )
    assert openers == ["api/deps.py", "cli/app.py", "webhooks/batcher.py"]
