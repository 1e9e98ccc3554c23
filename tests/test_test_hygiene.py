"""Test modules share helpers through helper modules (tests/flows/helpers.py, tests/flows/tasks_data.py,
tests/backends.py, ...), never by importing one another: a test module imported by another runs its module code
twice under two names, and a change to one test file then breaks tests elsewhere."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"


def _test_modules() -> dict[str, Path]:
    return {".".join(p.relative_to(ROOT).with_suffix("").parts): p for p in sorted(TESTS.rglob("test_*.py"))}


def _imported(path: Path, source: str) -> set[str]:
    """Every module name an import in `source` may load, including `from package import module`."""
    package = ".".join(path.relative_to(ROOT).parent.parts)
    names: set[str] = set()
    for node in ast.walk(ast.parse(source, str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def test_no_test_module_imports_another():
    modules = _test_modules()
    assert len(modules) > 40  # the walk found the suite
    found = []
    for name, path in modules.items():
        for target in sorted(_imported(path, path.read_text(encoding="utf-8")) & set(modules)):
            if target != name:
                found.append(f"{path.relative_to(ROOT)} imports {target}")
    assert not found, "move what they share into a helper module:\n" + "\n".join(found)


def test_the_check_sees_every_form_of_import():
    path = TESTS / "flows" / "test_example.py"
    for line in ("from tests.flows.test_tasks import rows", "import tests.flows.test_tasks",
                 "from tests.flows import test_tasks", "from .test_tasks import rows", "from . import test_tasks",
                 "from ..test_money import x"):
        assert _imported(path, line) & set(_test_modules()), line
    for line in ("from tests.flows.helpers import rows", "from tests.flows import helpers", "import pytest"):
        assert not _imported(path, line) & set(_test_modules()), line
