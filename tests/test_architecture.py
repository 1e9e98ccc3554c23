"""The architecture of DESIGN.md, enforced: the import contracts in pyproject.toml hold on this tree, each one
breaks when a forbidden import is added, every capability module is under the independence contract, and no
handler runs SQL.

import-linter runs as `lint-imports` from this interpreter's environment, in a subprocess (its import graph must
be built from the tree under test, not from the modules this process has already imported).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
CONTRACTS = {c["id"]: c for c in CONFIG["contracts"]}


# One forbidden import per rule: (contract id, file that gets it, module it imports).
VIOLATIONS = [
    ("layers", "domain/money.py", "bot.core.blocks"),  # a business rule reaching up into the framework
    ("layers", "bot/i18n/text.py", "domain.money"),  # the bottom layer importing the one above it
    ("layers", "bot/adapters/console/render.py", "handlers.shared.replies"),  # an adapter importing handlers
    ("layers", "handlers/shared/replies.py", "app.settings"),  # handlers importing the app shell
    ("handler-layers", "handlers/shared/task_render.py", "handlers.tasks"),  # a shared helper importing a capability
    ("capabilities-independent", "handlers/hours.py", "handlers.earnings"),  # one capability importing another
    ("handlers-platform-blind", "handlers/link.py", "telegram"),
    ("handlers-platform-blind", "handlers/home.py", "bot.adapters.console.render"),
    ("platform-sdks", "bot/core/events.py", "slack_sdk"),
    ("platform-sdks", "storage/repos/people.py", "slack_bolt"),
    ("adapters-core-only", "bot/adapters/slack/render.py", "domain.money"),
    ("adapters-core-only", "bot/adapters/console/adapter.py", "storage.repos.state"),
    ("handlers-no-driver", "handlers/admin.py", "asyncpg"),
    ("core-no-storage", "bot/core/blocks.py", "storage.repos.pings"),
    ("storage-no-core", "storage/repos/ledger.py", "bot.core.operations"),
    ("storage-no-core", "storage/repos/pings.py", "handlers.shared.replies"),
    ("storage-no-core", "storage/repos/hours.py", "app.settings"),
]
NEW_CAPABILITY = "handlers/newcapability.py"  # a new module nobody listed: the exhaustive contract refuses it


def lint(root: Path) -> tuple[dict[str, bool], dict[str, str]]:
    """lint-imports on a tree: whether each contract (by id) is kept, and the report of each broken one."""
    env = {**os.environ, "PYTHONPATH": str(root), "COLUMNS": "400", "NO_COLOR": "1"}
    done = subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=root, env=env, capture_output=True,
                          text=True, timeout=300)
    out = done.stdout
    lines = out.splitlines()
    by_name = {c["name"]: cid for cid, c in CONTRACTS.items()}
    kept: dict[str, bool] = {}
    for line in lines:
        for name, cid in by_name.items():
            if line.startswith(name + " KEPT"):
                kept[cid] = True
            elif line.startswith(name + " BROKEN"):
                kept[cid] = False
    assert set(kept) == set(CONTRACTS), f"lint-imports did not check every contract:\n{out}\n{done.stderr}"
    assert (done.returncode == 0) == all(kept.values()), out
    reports: dict[str, list[str]] = {}
    current = None
    for i, line in enumerate(lines):  # a broken contract's report starts with its name underlined by dashes
        underline = lines[i + 1] if i + 1 < len(lines) else ""
        if line in by_name and underline == "-" * len(line):
            current = by_name[line]
            reports[current] = []
        elif current is not None:
            reports[current].append(line)
    return kept, {cid: "\n".join(text) for cid, text in reports.items()}


@pytest.fixture(scope="module")
def as_is() -> tuple[dict[str, bool], dict[str, str]]:
    return lint(ROOT)


@pytest.mark.parametrize("contract", list(CONTRACTS))
def test_contract_is_kept(as_is, contract):
    kept, reports = as_is
    assert kept[contract], f"{CONTRACTS[contract]['name']} is broken:\n{reports.get(contract, '')}"


@pytest.fixture(scope="module")
def violated(tmp_path_factory) -> tuple[dict[str, bool], dict[str, str]]:
    """A copy of the tree with every forbidden import of VIOLATIONS added (and one unlisted handler module)."""
    tree = tmp_path_factory.mktemp("tree")
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    for package in CONFIG["root_packages"]:
        shutil.copytree(ROOT / package, tree / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for _, path, imported in VIOLATIONS:
        with open(tree / path, "a", encoding="utf-8") as f:
            f.write(f"\nimport {imported}  # forbidden: added by tests/test_architecture.py\n")
    (tree / NEW_CAPABILITY).write_text('"""A capability nobody listed in the contracts."""\n', encoding="utf-8")
    return lint(tree)


def _module(path: str) -> str:
    return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


@pytest.mark.parametrize("contract, path, imported", VIOLATIONS,
                         ids=[f"{cid}:{_module(path)}->{imported}" for cid, path, imported in VIOLATIONS])
def test_a_forbidden_import_breaks_its_contract(violated, contract, path, imported):
    kept, reports = violated
    assert not kept[contract]
    # broken because of this very import, not only because of something else in the tree
    assert re.search(rf"^-\s+{re.escape(_module(path))} -> {re.escape(imported)} \(l\.\d+\)$", reports[contract],
                     re.MULTILINE), reports[contract]


def test_a_new_handler_module_must_be_listed_in_the_contracts(violated):
    kept, reports = violated
    assert not kept["handler-layers"]
    assert re.search(rf"^- {re.escape(_module(NEW_CAPABILITY))}$", reports["handler-layers"], re.MULTILINE)


def test_every_capability_module_is_independent_of_the_others():
    """The independence contract names every module of handlers/ but the package itself and handlers.shared."""
    capabilities = {f"handlers.{p.stem}" for p in (ROOT / "handlers").glob("*.py") if p.stem != "__init__"}
    capabilities |= {f"handlers.{p.name}" for p in (ROOT / "handlers").iterdir()
                     if p.is_dir() and (p / "__init__.py").exists() and p.name != "shared"}
    assert set(CONTRACTS["capabilities-independent"]["modules"]) == capabilities


# SQL or the transaction itself, reached from a handler: every query belongs to a repository in storage/.
SQL = re.compile(r"\.tx\b|\b(SELECT|INSERT\s+INTO|DELETE\s+FROM)\b|\bUPDATE\s+\w+\s+SET\b|"
                 r"\.(fetch|fetchrow|fetchval|execute|executemany)\(")


def sql_in(source: str) -> list[str]:
    return [line.strip() for line in source.splitlines() if SQL.search(line)]


def test_the_sql_check_finds_sql():
    assert sql_in('    n = await uow.tx.fetchval("SELECT COUNT(*) FROM pings WHERE closed_at IS NULL")\n')
    assert sql_in("    await ctx.uow.tx.lock('payouts:close')\n")
    assert sql_in('    await conn.execute("UPDATE reminders SET done_at = $1")\n')
    assert not sql_in('    return [say("review.select_reason")]  # Select a reason\n')


def test_no_handler_runs_sql():
    found = {str(path.relative_to(ROOT)): sql_in(path.read_text(encoding="utf-8"))
             for path in sorted((ROOT / "handlers").rglob("*.py"))}
    assert {path: lines for path, lines in found.items() if lines} == {}
