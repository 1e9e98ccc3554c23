"""The rows a project's progress report is computed from (see `domain.progress`).

Every query is written once and runs on SQLite and PostgreSQL alike: aggregates are plain COUNT/SUM/GROUP BY,
days are bucketed in Python in the manager's zone, and the median is read with ORDER BY … LIMIT/OFFSET so no
backend-specific percentile function is needed and a large project is never read whole.
"""
from __future__ import annotations

import json
from datetime import datetime

from storage.db import Tx


class Progress:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def item_groups(self, project_id: int) -> list[dict]:
        """Items grouped by (overlap, filled, answered) with how many share each: few rows however many items."""
        rows = await self.tx.fetch(
            "SELECT overlap, filled, answered, COUNT(*) AS n FROM tasks WHERE project_id = $1"
            " GROUP BY overlap, filled, answered",
            project_id,
        )
        return [{k: int(v) for k, v in r.items()} for r in rows]

    async def answering_now(self, project_id: int, now: datetime) -> int:
        """Live assignments: experts holding an item of this project whose lease has not run out."""
        return int(await self.tx.fetchval(
            "SELECT COUNT(*) FROM assignments WHERE project_id = $1 AND status = 'active' AND lease_expires_at > $2",
            project_id, now,
        ))

    async def submitted_since(self, project_id: int, since: datetime) -> list[datetime]:
        """When each answer since `since` was submitted (UTC), for per-day counts in the reader's zone."""
        rows = await self.tx.fetch(
            "SELECT submitted_at FROM submissions WHERE project_id = $1 AND submitted_at >= $2 ORDER BY submitted_at",
            project_id, since,
        )
        return [r["submitted_at"] for r in rows]

    async def middle_seconds(self, project_id: int) -> list[int]:
        """The middle one (odd count) or two (even count) of the seconds spent per answer: their mean is the
        median of all of them. Empty when the project has no answers."""
        count = int(await self.tx.fetchval("SELECT COUNT(*) FROM submissions WHERE project_id = $1", project_id))
        if count == 0:
            return []
        rows = await self.tx.fetch(
            "SELECT seconds_spent FROM submissions WHERE project_id = $1 ORDER BY seconds_spent LIMIT $2 OFFSET $3",
            project_id, 2 - count % 2, (count - 1) // 2,
        )
        return [int(r["seconds_spent"]) for r in rows]

    async def experts_active(self, project_id: int, since: datetime) -> int:
        """Distinct experts who submitted an answer in this project since `since`."""
        return int(await self.tx.fetchval(
            "SELECT COUNT(DISTINCT person_id) FROM submissions WHERE project_id = $1 AND submitted_at >= $2",
            project_id, since,
        ))

    # ------------------------------------------------------------ the burn-down, throughput and weekly agreement

    async def finished_since(self, project_id: int, since: datetime) -> list[datetime]:
        """When each item done now was finished (its overlap-th answer arrived), for items finished since `since`."""
        rows = await self.tx.fetch(
            "SELECT done_at FROM ("
            " SELECT s.submitted_at AS done_at, t.overlap,"
            "  ROW_NUMBER() OVER (PARTITION BY s.task_id ORDER BY s.submitted_at, s.id) AS k"
            " FROM submissions s JOIN tasks t ON t.id = s.task_id"
            " WHERE t.project_id = $1 AND t.answered >= t.overlap AND s.task_id IN ("
            "  SELECT task_id FROM submissions WHERE project_id = $1 AND submitted_at >= $2)"
            ") x WHERE k = overlap AND done_at >= $2 ORDER BY done_at",
            project_id, since,
        )
        return [r["done_at"] for r in rows]

    async def created_since(self, project_id: int, since: datetime) -> list[datetime]:
        """When each item imported since `since` was imported."""
        rows = await self.tx.fetch(
            "SELECT created_at FROM tasks WHERE project_id = $1 AND created_at >= $2", project_id, since)
        return [r["created_at"] for r in rows]

    async def expert_work(self, project_id: int, recent_since: datetime, fast_below: int | None) -> list[dict]:
        """Per expert: answers, answers since `recent_since`, seconds on task, answers under `fast_below` seconds."""
        rows = await self.tx.fetch(
            "SELECT person_id, COUNT(*) AS answers,"
            " SUM(CASE WHEN submitted_at >= $2 THEN 1 ELSE 0 END) AS recent,"
            " SUM(seconds_spent) AS seconds,"
            " SUM(CASE WHEN seconds_spent < $3 THEN 1 ELSE 0 END) AS fast"
            " FROM submissions WHERE project_id = $1 GROUP BY person_id",
            project_id, recent_since, fast_below or 0,
        )
        return [{k: int(v) for k, v in r.items()} for r in rows]

    async def compared_answers(self, project_id: int, since: datetime) -> list[dict]:
        """(task_id, answer, submitted_at) of every answer to the items with two or more answers whose latest
        answer arrived since `since`: what agreement per week is computed from."""
        rows = await self.tx.fetch(
            "SELECT task_id, answer, submitted_at FROM submissions WHERE project_id = $1 AND task_id IN ("
            " SELECT task_id FROM submissions WHERE project_id = $1 GROUP BY task_id"
            " HAVING COUNT(*) > 1 AND MAX(submitted_at) >= $2) ORDER BY task_id, id",
            project_id, since,
        )
        return [{"task_id": r["task_id"], "answer": json.loads(r["answer"]), "submitted_at": r["submitted_at"]}
                for r in rows]

    async def answers_between(self, person_id: int, start: datetime, end: datetime) -> int:
        """How many answers (tasks done, any project) `person_id` submitted in [start, end)."""
        return int(await self.tx.fetchval(
            "SELECT COUNT(*) FROM submissions WHERE person_id = $1 AND submitted_at >= $2 AND submitted_at < $3",
            person_id, start, end,
        ))
