"""Home tabs to keep up to date (storage/migrations/0019_home_views.sql).

`mark_stale` is called by the repository writes that change what a home shows, inside their transaction, so a
home is marked exactly when its numbers change and never when a change rolls back. It only updates rows that
exist (people who opened a home), so marking is one cheap UPDATE whoever acted.
"""
from __future__ import annotations

from datetime import datetime

from storage.db import Tx

STAFF_ROLES = "('manager', 'reviewer', 'admin')"  # whose homes show review queues, hours to approve, progress


async def mark_stale(tx: Tx, person_id: int | None = None, staff: bool = False) -> None:
    """Mark `person_id`'s home stale, and with `staff` every manager's, reviewer's and admin's too."""
    if staff:
        await tx.execute(
            "UPDATE home_views SET stale = 1 WHERE stale = 0 AND (person_id = $1 OR person_id IN"
            f" (SELECT person_id FROM roles WHERE role IN {STAFF_ROLES}))", person_id or 0)
    elif person_id:
        await tx.execute("UPDATE home_views SET stale = 1 WHERE stale = 0 AND person_id = $1", person_id)


class Homes:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def published(self, person_id: int, identity_id: int, now: datetime) -> None:
        """The home was just published to this identity (it opened the tab): fresh from now."""
        await self.tx.execute(
            "INSERT INTO home_views (person_id, identity_id, stale, published_at) VALUES ($1, $2, 0, $3)"
            " ON CONFLICT (person_id) DO UPDATE SET identity_id = $2, stale = 0, published_at = $3",
            person_id, identity_id, now)

    async def due(self, now: datetime, not_since: datetime, limit: int = 50) -> list[dict]:
        """Stale homes last published before `not_since` (the debounce), oldest first."""
        return await self.tx.fetch(
            "SELECT person_id, identity_id FROM home_views WHERE stale = 1 AND published_at <= $1"
            " ORDER BY published_at LIMIT $2", not_since, limit)

    async def claim(self, person_id: int, now: datetime) -> bool:
        """Take a stale home to republish it; False when another process took it first."""
        return await self.tx.execute(
            "UPDATE home_views SET stale = 0, published_at = $2 WHERE person_id = $1 AND stale = 1",
            person_id, now) == 1

    async def is_stale(self, person_id: int) -> bool:
        return bool(await self.tx.fetchval("SELECT stale FROM home_views WHERE person_id = $1", person_id))

    # what a home shows (handlers.shared.home_view), each one aggregate query ---------------------------------
    async def done_since(self, person_id: int, since: datetime) -> int:
        """Answers this person submitted since `since`."""
        return int(await self.tx.fetchval(
            "SELECT COUNT(*) FROM submissions WHERE person_id = $1 AND submitted_at >= $2", person_id, since))

    async def open_invites(self, person_id: int) -> int:
        """Invitations to open projects this person has not answered yet."""
        return int(await self.tx.fetchval(
            "SELECT COUNT(*) FROM project_invites i JOIN projects p ON p.id = i.project_id"
            " WHERE i.person_id = $1 AND i.status = 'pending' AND p.status = 'open'", person_id))

    async def open_pings(self, person_id: int, now: datetime) -> int:
        """Availability pings to this person still open and not answered."""
        return int(await self.tx.fetchval(
            "SELECT COUNT(*) FROM ping_targets t JOIN pings p ON p.id = t.ping_id WHERE t.person_id = $1"
            " AND t.answer IS NULL AND p.closed_at IS NULL AND p.window_end > $2", person_id, now))

    async def review_queue(self, reviewer_id: int, project_ids: list[int]) -> dict[int, int]:
        """{project_id: answers waiting for review} in these projects, never counting the reviewer's own (what
        /review would offer them)."""
        if not project_ids:
            return {}
        in_list = ", ".join(f"${i + 2}" for i in range(len(project_ids)))
        rows = await self.tx.fetch(
            "SELECT project_id, COUNT(*) AS n FROM submissions WHERE review_state = 'pending' AND person_id <> $1"
            f" AND project_id IN ({in_list}) GROUP BY project_id", reviewer_id, *project_ids)
        return {int(r["project_id"]): int(r["n"]) for r in rows}

    async def hours_waiting(self, exclude_person: int) -> tuple[int, int]:
        """(entries, minutes) logged and waiting for approval, not counting the approver's own (as /approvals)."""
        row = await self.tx.fetchrow(
            "SELECT COUNT(*) AS n, COALESCE(SUM(minutes), 0) AS minutes FROM hours_entries"
            " WHERE state = 'logged' AND person_id <> $1", exclude_person)
        return int(row["n"]), int(row["minutes"])

    async def open_disputes(self) -> int:
        return int(await self.tx.fetchval("SELECT COUNT(*) FROM disputes WHERE state = 'open'"))
