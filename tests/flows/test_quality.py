"""Quality in chat: adaptive overlap on disagreement, a pause below the threshold, a manager lifting it."""
from __future__ import annotations

from datetime import datetime, timezone

from domain.identity import parse_identity
from tests.flows.helpers import grant, rows
from tests.flows.tasks_data import add_member, seed_project


async def set_spec(runtime, project_id: int, **changes) -> None:
    async with runtime.db.transaction() as tx:
        spec = await tx.fetchval("SELECT spec FROM projects WHERE id = $1", project_id)
        import json

        data = {**json.loads(spec), **changes}
        await tx.execute("UPDATE projects SET spec = $2 WHERE id = $1", project_id, json.dumps(data))


async def person_id(chat, user: str) -> int:
    key = parse_identity(chat.identity(user))
    async with chat.runtime.db.transaction() as tx:
        return await tx.fetchval("SELECT person_id FROM identities WHERE platform = $1 AND workspace = $2"
                                 " AND user_id = $3", key.platform, key.workspace, key.user_id)


async def test_disagreement_raises_overlap_up_to_the_maximum(chat):
    project_id = await seed_project(chat.runtime, "labeling_finance")  # overlap 3
    await set_spec(chat.runtime, project_id, overlap=2, max_overlap=3, agreement_threshold=0.9, gold_ratio=0.0)
    async with chat.runtime.db.transaction() as tx:
        await tx.execute("UPDATE tasks SET overlap = 2, is_gold = 0")
    for user, label in (("ana", "card_fraud"), ("bo", "mortgage")):
        await chat.send(user, "/help")
        await add_member(chat.runtime, project_id, chat.identity(user))
        await chat.send(user, "/next")
        await chat.fill_form(user, {"labels": [label], "comment": None}, confirm=False)
        await chat.press(user, "Submit answer")
    first = (await rows(chat.runtime, "SELECT overlap FROM tasks ORDER BY id"))[0]
    assert first["overlap"] == 3  # the two answers disagree: one more expert is asked
    audit = await rows(chat.runtime, "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'task.overlap_raised'")
    assert audit[0]["n"] == 1


async def test_low_quality_pauses_and_a_manager_lifts_it(chat):
    project_id = await seed_project(chat.runtime, "labeling_finance")
    await set_spec(chat.runtime, project_id, quality_threshold=0.5)
    for user in ("cy", "meg"):
        await chat.send(user, "/help")
    await add_member(chat.runtime, project_id, chat.identity("cy"))
    await grant(chat, "meg", "manager")
    cy = await person_id(chat, "cy")
    now = datetime.now(timezone.utc)
    # ten gold answers, all wrong (written as the repositories would), then one more through the chat
    async with chat.runtime.db.transaction() as tx:
        for i in range(10):
            task_id = await tx.fetchval(
                "INSERT INTO tasks (project_id, external_id, item, is_gold, overlap, created_at)"
                " VALUES ($1, $2, $3, 1, 1, $4) RETURNING id", project_id, f"g{i}",
                '{"external_id": "g%d", "prompt": "p", "responses": [{"id": "m", "text": "t"}], "gold": ["fees"]}' % i, now)
            aid = await tx.fetchval(
                "INSERT INTO assignments (task_id, project_id, person_id, slot, status, is_gold, assigned_at,"
                " lease_expires_at) VALUES ($1, $2, $3, 0, 'submitted', 1, $4, $4) RETURNING id", task_id, project_id, cy, now)
            await tx.execute(
                "INSERT INTO submissions (assignment_id, task_id, project_id, person_id, answer, seconds_spent,"
                " submitted_at, gold_passed, gold_score) VALUES ($1, $2, $3, $4, '{}', 5, $5, 0, 0)",
                aid, task_id, project_id, cy, now)
    await chat.send("cy", "/next")
    await chat.fill_form("cy", {"labels": ["other"], "comment": None}, confirm=False)
    await chat.press("cy", "Submit answer")
    assert (await rows(chat.runtime, "SELECT COUNT(*) AS n FROM project_pauses WHERE lifted_at IS NULL"))[0]["n"] == 1
    await chat.send("cy", "/next")
    assert "paused" in chat.last("cy").text
    await chat.send("cy", "/stats")
    assert "paused for you" in chat.texts("cy")
    await chat.send("meg", "/stats Banking")
    assert "paused" in chat.last("meg").text
    await chat.press("meg", "Lift the pause")
    assert "lifted your pause" in chat.texts("cy")
    await chat.send("cy", "/next")
    assert "paused" not in chat.last("cy").text
