"""What a manager reads when a file is refused — a project spec's problems, the lines of a task file that were not
imported, an assessment's problems — comes from the catalog, in the manager's own language. Every adapter, both
backends."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from domain.identity import parse_identity

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

BAD_SPEC = b"name: X\ndomain: astrology\ntask_type: rating\npay: {kind: per_task, amount: '-1', currency: ZZZ}\n"
SPEC = b"""name: Informe
domain: medicine
task_type: labeling
instructions: Label it.
labels: [a, b]
pay: {kind: per_task, amount: '1.00', currency: EUR}
"""
TASKS = b'{"external_id": "t1", "prompt": "P", "responses": [{"id": "r", "text": "T"}]}\n{"external_id": "t2"}\n[1]\n'


async def manager(chat, user: str, locale: str) -> None:
    """`user` says hello, becomes a manager and reads `locale`."""
    await chat.send(user, "/help")
    key = parse_identity(chat.identity(user))
    async with chat.runtime.db.transaction() as tx:
        pid = await tx.fetchval("SELECT person_id FROM identities WHERE platform = $1 AND workspace = $2 AND user_id = $3",
                                key.platform, key.workspace, key.user_id)
        await tx.execute("INSERT INTO roles (person_id, role, granted_at) VALUES ($1, 'manager', $2)",
                         pid, datetime.now(timezone.utc))
        await tx.execute("UPDATE persons SET locale = $2 WHERE id = $1", pid, locale)


async def test_refused_spec_and_import_lines_in_the_manager_s_language(chat):
    await manager(chat, "sol", "es")
    await manager(chat, "meg", "en")

    await chat.upload("sol", "bad.yaml", BAD_SPEC)
    said = chat.texts("sol")
    assert "Se rechazó la especificación" in said
    assert "instructions: obligatorio" in said
    assert "pay.currency: moneda desconocida 'ZZZ'; usa un código ISO como EUR, USD o JPY" in said
    assert "Field required" not in said and "unknown currency" not in said

    await chat.upload("meg", "bad.yaml", BAD_SPEC)
    said = chat.texts("meg")
    assert "The spec was refused" in said and "instructions: required" in said
    assert "pay.currency: unknown currency 'ZZZ'; use an ISO code such as EUR, USD or JPY" in said

    await chat.upload("sol", "informe.yaml", SPEC)
    await chat.upload("sol", "tasks.jsonl", TASKS)
    await chat.press("sol", "Informe")
    said = chat.texts("sol")
    assert "línea 2: prompt: Campo obligatorio" in said
    assert "línea 3: cada línea debe ser un objeto JSON, no list" in said

    await chat.upload("meg", "tasks.jsonl", TASKS)
    await chat.press("meg", "Informe")
    said = chat.texts("meg")
    assert "line 2: prompt: Field required" in said
    assert "line 3: each line must be a JSON object, not list" in said
