"""A project's life after creation (issue 18, point 10): its status, its deadline, and the versions of its
instructions with who still has to acknowledge which."""
from __future__ import annotations

import json
from datetime import datetime

from storage.db import Tx
from storage.repos import standing_sql


class ProjectLifecycle:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def set_status(self, project_id: int, from_statuses: tuple[str, ...], to: str) -> bool:
        """Move the project to `to` only from one of `from_statuses`: two managers pressing at once change it once."""
        placeholders = ", ".join(f"${i + 3}" for i in range(len(from_statuses)))
        return await self.tx.execute(
            f"UPDATE projects SET status = $2 WHERE id = $1 AND status IN ({placeholders})",
            project_id, to, *from_statuses) == 1

    async def set_spec(self, project_id: int, spec_json: str, deadline: datetime | None) -> None:
        """The spec column is what every reader parses; the deadline column mirrors the spec's for ordering."""
        await self.tx.execute("UPDATE projects SET spec = $2, deadline = $3 WHERE id = $1",
                              project_id, spec_json, deadline)

    async def end_deadline_reminders(self, project_id: int, now: datetime) -> None:
        """Members' pending deadline reminders of this project (keyed `deadline:PROJECT:…`, as /join writes them)
        end: the deadline moved."""
        await self.tx.execute(
            "UPDATE reminders SET done_at = $2 WHERE kind = 'deadline' AND done_at IS NULL AND dedupe_key LIKE $1",
            f"deadline:{project_id}:%", now)

    async def end_leases(self, project_id: int, now: datetime) -> int:
        """A closed project's leases end at once, so /next stops offering the held task; the drafts stay."""
        return await self.tx.execute(
            "UPDATE assignments SET status = 'expired', ended_at = $2 WHERE project_id = $1 AND status = 'active'",
            project_id, now)

    async def remaining(self, project_id: int) -> tuple[int, int]:
        """(items that still want answers, tasks held by someone right now) — what a close leaves undone."""
        items = await self.tx.fetchval(
            "SELECT COUNT(*) FROM tasks WHERE project_id = $1 AND is_gold = 0 AND answered < overlap", project_id)
        held = await self.tx.fetchval(
            "SELECT COUNT(*) FROM assignments WHERE project_id = $1 AND status = 'active'", project_id)
        return int(items or 0), int(held or 0)


class InstructionVersions:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def current(self, project_id: int) -> int:
        return int(await self.tx.fetchval(
            standing_sql.current_version("$1"), project_id))

    async def publish(self, project_id: int, old_spec: str, new_spec: str, changes: list[dict],
                      by: int | None, now: datetime) -> int | None:
        """Store the next version (and version 1, the original, on the first edit) and owe it from every member.
        None when someone published the same number meanwhile (the primary key decides)."""
        current = await self.current(project_id)
        if current == 1:
            await self.tx.execute(
                "INSERT INTO instruction_versions (project_id, version, spec, changes, created_by, created_at)"
                " VALUES ($1, 1, $2, '[]', NULL, $3) ON CONFLICT (project_id, version) DO NOTHING",
                project_id, old_spec, now)
        version = current + 1
        inserted = await self.tx.execute(
            "INSERT INTO instruction_versions (project_id, version, spec, changes, created_by, created_at)"
            " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (project_id, version) DO NOTHING",
            project_id, version, new_spec, json.dumps(changes), by, now)
        if not inserted:
            return None
        await self.tx.execute(
            "INSERT INTO instruction_acks (project_id, person_id, version)"
            " SELECT project_id, person_id, $2 FROM project_members WHERE project_id = $1"
            " ON CONFLICT (project_id, person_id, version) DO NOTHING", project_id, version)
        return version

    async def changes(self, project_id: int, version: int) -> list[dict]:
        raw = await self.tx.fetchval(
            "SELECT changes FROM instruction_versions WHERE project_id = $1 AND version = $2", project_id, version)
        return json.loads(raw) if raw else []

    async def standing(self, project_id: int, person_id: int) -> tuple[int, int | None]:
        """`current` and `first_unacknowledged` in one query."""
        row = await self.tx.fetchrow(
            "SELECT (SELECT COALESCE(MAX(version), 1) FROM instruction_versions WHERE project_id = $1) AS current,"
            " (SELECT MIN(version) FROM instruction_acks WHERE project_id = $1 AND person_id = $2"
            " AND acknowledged_at IS NULL) AS owed", project_id, person_id)
        return int(row["current"]), None if row["owed"] is None else int(row["owed"])

    async def first_unacknowledged(self, project_id: int, person_id: int) -> int | None:
        """The oldest version this person has not acknowledged yet, or None when they owe none."""
        value = await self.tx.fetchval(standing_sql.owed_version("$1", "$2"), project_id, person_id)
        return None if value is None else int(value)

    async def acknowledge(self, project_id: int, person_id: int, version: int, now: datetime) -> int:
        """Acknowledge `version` and every older one still owed; how many rows that settled (0: nothing owed)."""
        return await self.tx.execute(
            "UPDATE instruction_acks SET acknowledged_at = $4 WHERE project_id = $1 AND person_id = $2"
            " AND version <= $3 AND acknowledged_at IS NULL", project_id, person_id, version, now)

    async def stamp(self, submission_id: int, version: int) -> None:
        """Record the version an answer was given under (kept apart from `Submissions.add`)."""
        await self.tx.execute("UPDATE submissions SET instructions_version = $2 WHERE id = $1",
                              submission_id, version)
