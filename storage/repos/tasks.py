"""Items, assignments and submissions: the claims that must be exactly-once under concurrency.

Claiming an item locks its row (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's single writer does the same),
takes the lowest free slot, and raises the item's `filled` count in the same transaction. A partial unique index
on (task_id, slot) for live assignments and a unique (task_id, person_id) make a double assignment impossible
even if the code were wrong.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta

from pydantic import BaseModel

from bot.domain.assignment import free_slot
from storage.db import Tx

_A_COLS = ("id, task_id, project_id, person_id, slot, status, is_gold, assigned_at, lease_expires_at, warned_at,"
           " ended_at, skip_reason")


class TaskRow(BaseModel):
    id: int
    project_id: int
    external_id: str
    item: dict
    is_gold: bool
    overlap: int
    filled: int
    answered: int


class AssignmentRow(BaseModel):
    id: int
    task_id: int
    project_id: int
    person_id: int
    slot: int
    status: str  # active | submitted | expired | skipped
    is_gold: bool
    assigned_at: datetime
    lease_expires_at: datetime
    warned_at: datetime | None = None
    ended_at: datetime | None = None
    skip_reason: str | None = None


def _task(row: dict | None) -> TaskRow | None:
    if row is None:
        return None
    return TaskRow(**{**row, "item": json.loads(row["item"]), "is_gold": bool(row["is_gold"])})


def _assignment(row: dict | None) -> AssignmentRow | None:
    return AssignmentRow(**{**row, "is_gold": bool(row["is_gold"])}) if row else None


class Tasks:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def insert_many(self, project_id: int, rows: list[tuple[str, str, bool, int]], now: datetime) -> list[str]:
        """Insert (external_id, item_json, is_gold, overlap) rows; returns the external ids that were new."""
        if not rows:
            return []
        values, args = [], []
        for i, (external_id, item_json, is_gold, overlap) in enumerate(rows):
            b = i * 6
            values.append(f"(${b + 1}, ${b + 2}, ${b + 3}, ${b + 4}, ${b + 5}, ${b + 6})")
            args += [project_id, external_id, item_json, int(is_gold), overlap, now]
        inserted = await self.tx.fetch(
            "INSERT INTO tasks (project_id, external_id, item, is_gold, overlap, created_at) VALUES "
            + ", ".join(values) + " ON CONFLICT (project_id, external_id) DO NOTHING RETURNING external_id",
            *args,
        )
        return [r["external_id"] for r in inserted]

    async def get(self, task_id: int) -> TaskRow | None:
        return _task(await self.tx.fetchrow(
            "SELECT id, project_id, external_id, item, is_gold, overlap, filled, answered FROM tasks WHERE id = $1",
            task_id,
        ))

    async def counts(self, project_id: int) -> dict[str, int]:
        row = await self.tx.fetchrow(
            "SELECT COUNT(*) AS items, COALESCE(SUM(CASE WHEN answered >= overlap THEN 1 ELSE 0 END), 0) AS done,"
            " COALESCE(SUM(answered), 0) AS answers, COALESCE(SUM(CASE WHEN is_gold = 1 THEN 1 ELSE 0 END), 0) AS gold"
            " FROM tasks WHERE project_id = $1",
            project_id,
        )
        return {k: int(v) for k, v in row.items()}


class Assignments:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def get(self, assignment_id: int) -> AssignmentRow | None:
        return _assignment(await self.tx.fetchrow(f"SELECT {_A_COLS} FROM assignments WHERE id = $1", assignment_id))

    async def active_for(self, person_id: int) -> list[AssignmentRow]:
        rows = await self.tx.fetch(
            f"SELECT {_A_COLS} FROM assignments WHERE person_id = $1 AND status = 'active' ORDER BY id", person_id
        )
        return [_assignment(r) for r in rows]  # type: ignore[misc]

    async def served_counts(self, person_id: int, project_id: int) -> tuple[int, int]:
        """(gold served, all served) to this person in this project, for mixing gold in at the spec's ratio."""
        row = await self.tx.fetchrow(
            "SELECT COALESCE(SUM(is_gold), 0) AS gold, COUNT(*) AS total FROM assignments"
            " WHERE person_id = $1 AND project_id = $2",
            person_id, project_id,
        )
        return int(row["gold"]), int(row["total"])

    async def claim(self, person_id: int, project_id: int, is_gold: bool, now: datetime,
                    lease: timedelta) -> AssignmentRow | None:
        """Take a free slot on the first open item of one kind this person never had; None when there is none."""
        task = await self.tx.fetchrow(
            "SELECT t.id, t.overlap FROM tasks t WHERE t.project_id = $1 AND t.is_gold = $2 AND t.filled < t.overlap"
            " AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = t.id AND a.person_id = $3)"
            " ORDER BY t.id LIMIT 1 {skip_locked_of_t}",
            project_id, int(is_gold), person_id,
        )
        if task is None:
            return None
        used = {r["slot"] for r in await self.tx.fetch(
            "SELECT slot FROM assignments WHERE task_id = $1 AND status IN ('active', 'submitted')", task["id"])}
        slot = free_slot(used, task["overlap"])
        if slot is None:  # `filled` said otherwise: trust the slots, never over-assign
            return None
        if await self.tx.execute(
            "UPDATE tasks SET filled = filled + 1 WHERE id = $1 AND filled < overlap", task["id"]
        ) != 1:
            return None
        return _assignment(await self.tx.fetchrow(
            "INSERT INTO assignments (task_id, project_id, person_id, slot, status, is_gold, assigned_at,"
            f" lease_expires_at) VALUES ($1, $2, $3, $4, 'active', $5, $6, $7) RETURNING {_A_COLS}",
            task["id"], project_id, person_id, slot, int(is_gold), now, now + lease,
        ))

    async def release(self, assignment: AssignmentRow, status: str, now: datetime, reason: str | None = None) -> bool:
        """End an active assignment (skipped or expired) and give its slot back. False if it was not active."""
        changed = await self.tx.execute(
            "UPDATE assignments SET status = $2, ended_at = $3, skip_reason = COALESCE($4, skip_reason)"
            " WHERE id = $1 AND status = 'active'",
            assignment.id, status, now, reason,
        )
        if changed:
            await self.tx.execute("UPDATE tasks SET filled = filled - 1 WHERE id = $1", assignment.task_id)
        return changed > 0

    async def expired(self, now: datetime, limit: int = 500) -> list[AssignmentRow]:
        rows = await self.tx.fetch(
            f"SELECT {_A_COLS} FROM assignments WHERE status = 'active' AND lease_expires_at <= $1"
            " ORDER BY lease_expires_at LIMIT $2 {skip_locked}",
            now, limit,
        )
        return [_assignment(r) for r in rows]  # type: ignore[misc]

    async def ending_soon(self, now: datetime, within: timedelta, limit: int = 500) -> list[AssignmentRow]:
        """Active leases ending within `within` that were not warned yet; marks them warned (claim and mark)."""
        rows = await self.tx.fetch(
            f"SELECT {_A_COLS} FROM assignments WHERE status = 'active' AND warned_at IS NULL"
            " AND lease_expires_at > $1 AND lease_expires_at <= $2 ORDER BY lease_expires_at LIMIT $3 {skip_locked}",
            now, now + within, limit,
        )
        for r in rows:
            await self.tx.execute("UPDATE assignments SET warned_at = $2 WHERE id = $1", r["id"], now)
        return [_assignment(r) for r in rows]  # type: ignore[misc]

    async def retake_slot(self, assignment: AssignmentRow) -> bool:
        """A late submit: take a slot again if the item still has one (the lease had ended)."""
        task = await self.tx.fetchrow(
            "SELECT id, overlap, filled FROM tasks WHERE id = $1 {for_update}", assignment.task_id)
        used = {r["slot"] for r in await self.tx.fetch(
            "SELECT slot FROM assignments WHERE task_id = $1 AND status IN ('active', 'submitted')", assignment.task_id)}
        slot = free_slot(used, task["overlap"])
        if slot is None or task["filled"] >= task["overlap"]:
            return False
        await self.tx.execute("UPDATE tasks SET filled = filled + 1 WHERE id = $1", assignment.task_id)
        await self.tx.execute("UPDATE assignments SET slot = $2, status = 'active' WHERE id = $1", assignment.id, slot)
        return True

    async def mark_submitted(self, assignment_id: int, now: datetime) -> None:
        await self.tx.execute(
            "UPDATE assignments SET status = 'submitted', ended_at = $2 WHERE id = $1 AND status = 'active'",
            assignment_id, now,
        )


class Submissions:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def add(self, assignment: AssignmentRow, answer_json: str, seconds: int, late: bool,
                  now: datetime) -> int | None:
        """The new submission id, or None if this assignment was submitted already (the constraint decides)."""
        sid = await self.tx.fetchval(
            "INSERT INTO submissions (assignment_id, task_id, project_id, person_id, answer, seconds_spent, late,"
            " submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING id",
            assignment.id, assignment.task_id, assignment.project_id, assignment.person_id, answer_json, seconds,
            int(late), now,
        )
        if sid is not None:
            await self.tx.execute("UPDATE tasks SET answered = answered + 1 WHERE id = $1", assignment.task_id)
        return sid

    async def for_assignment(self, assignment_id: int) -> dict | None:
        return await self.tx.fetchrow(
            "SELECT id, answer, seconds_spent, late, submitted_at FROM submissions WHERE assignment_id = $1",
            assignment_id,
        )

    async def count(self, project_id: int | None = None) -> int:
        return int(await self.tx.fetchval(
            "SELECT COUNT(*) FROM submissions WHERE ($1 = 0 OR project_id = $1)", project_id or 0))
