"""The rows a project's progress report is computed from (see `domain.progress`).

Every query is written once and runs on SQLite and PostgreSQL alike: aggregates are plain COUNT/SUM/GROUP BY,
days are bucketed in Python in the manager's zone, and the median is read with ORDER BY … LIMIT/OFFSET so no
backend-specific percentile function is needed and a large project is never read whole.
"""
from __future__ import annotations

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
