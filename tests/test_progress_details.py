"""The rows behind /progress's pace, experts and weekly agreement, and /approvals' tasks done, on SQLite and
PostgreSQL (storage.repos.progress)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from domain.progress import item_counts

UTC = timezone.utc
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def labels(*names):
    return {"labels": list(names), "comment": None}


async def _project(db, items: int):
    from storage.uow import UnitOfWork
    from tests.flows.tasks_data import labeling_project

    async with db.transaction() as tx:
        project, people = await labeling_project(UnitOfWork(tx), items, T0)
    return project.id, people


async def _answer(db, person: int, project_id: int, at: datetime, seconds: int, answer=None) -> None:
    from storage.uow import UnitOfWork

    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        held = await uow.assignments.claim(person, project_id, False, at, timedelta(hours=1))
        assert held is not None
        await uow.assignments.mark_submitted(held.id, at)
        assert await uow.submissions.add(held, json.dumps(answer or labels("fees")), seconds, False, at)


async def test_finished_items_experts_and_compared_answers(db):
    from storage.repos.progress import Progress

    project_id, (a, b, c) = await _project(db, 3)
    day = timedelta(days=1)
    # x0: a, b, c on days 1, 2, 3 → finished on day 3 by its third answer; x1: a, b on days 4 and 5 (not done)
    await _answer(db, a, project_id, T0 + day, 30)
    await _answer(db, b, project_id, T0 + 2 * day, 300)
    await _answer(db, c, project_id, T0 + 3 * day, 600, labels("loan"))
    await _answer(db, a, project_id, T0 + 4 * day, 40)
    await _answer(db, b, project_id, T0 + 5 * day, 500)
    async with db.transaction() as tx:
        repo = Progress(tx)
        counts = item_counts(await repo.item_groups(project_id))
        assert (counts.done, counts.in_progress, counts.waiting) == (1, 1, 1)
        assert [at.astimezone(UTC) for at in await repo.finished_since(project_id, T0)] == [T0 + 3 * day]
        assert await repo.finished_since(project_id, T0 + 3 * day + timedelta(seconds=1)) == []
        assert len(await repo.created_since(project_id, T0)) == 3
        assert await repo.created_since(project_id, T0 + day) == []

        work = {r["person_id"]: r for r in await repo.expert_work(project_id, T0 + 2 * day, 100)}
        assert work[a] == {"person_id": a, "answers": 2, "recent": 1, "seconds": 70, "fast": 2}
        assert work[b] == {"person_id": b, "answers": 2, "recent": 2, "seconds": 800, "fast": 0}
        assert work[c]["answers"] == 1 and work[c]["fast"] == 0
        no_threshold = await repo.expert_work(project_id, T0, None)
        assert sum(r["fast"] for r in no_threshold) == 0

        compared = await repo.compared_answers(project_id, T0)
        assert [(r["task_id"], r["answer"]["labels"]) for r in compared][:3] == [
            (compared[0]["task_id"], ["fees"]), (compared[0]["task_id"], ["fees"]), (compared[0]["task_id"], ["loan"])]
        assert len(compared) == 5  # x0's three answers and x1's two
        # x0 was last answered on day 3: from day 4 on only x1 is compared
        assert len(await repo.compared_answers(project_id, T0 + 4 * day)) == 2
        assert await repo.compared_answers(project_id + 999, T0) == []


async def test_answers_between_counts_one_persons_answers_in_a_range(db):
    from storage.repos.progress import Progress

    project_id, (a, b, _) = await _project(db, 3)
    await _answer(db, a, project_id, T0, 30)
    await _answer(db, a, project_id, T0 + timedelta(days=7), 30)
    await _answer(db, b, project_id, T0, 30)
    async with db.transaction() as tx:
        repo = Progress(tx)
        assert await repo.answers_between(a, T0, T0 + timedelta(days=7)) == 1  # the end is not included
        assert await repo.answers_between(a, T0, T0 + timedelta(days=8)) == 2
        assert await repo.answers_between(b, T0 + timedelta(seconds=1), T0 + timedelta(days=8)) == 0
