"""Qualifications a person holds, invitations to projects, and the people matching reads."""
from __future__ import annotations

import json
from datetime import datetime

from pydantic import BaseModel

from storage.db import Tx
from storage.repos.homes import mark_stale

_Q_COLS = ("id, person_id, name, level, granted_at, expires_at, source, attempt_id, granted_by, reason, revoked_at,"
           " revoked_by, revoke_reason, expiry_notified_at")


class QualificationRow(BaseModel):
    id: int
    person_id: int
    name: str
    level: int
    granted_at: datetime
    expires_at: datetime | None = None
    source: str  # assessment | manager
    attempt_id: int | None = None
    granted_by: int | None = None
    reason: str | None = None
    revoked_at: datetime | None = None
    revoked_by: int | None = None
    revoke_reason: str | None = None
    expiry_notified_at: datetime | None = None


class InviteRow(BaseModel):
    id: int
    project_id: int
    person_id: int
    invited_by: int | None = None
    invited_at: datetime
    status: str  # pending | accepted | declined
    answered_at: datetime | None = None
    tally_ref: str | None = None  # the manager's message listing this invitation's batch


class Qualifications:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def grant(self, person_id: int, name: str, level: int, now: datetime, expires_at: datetime | None,
                    source: str, attempt_id: int | None = None, granted_by: int | None = None,
                    reason: str | None = None) -> int | None:
        """A new qualification row; None when this attempt already granted one."""
        return await self.tx.fetchval(
            "INSERT INTO qualifications (person_id, name, level, granted_at, expires_at, source, attempt_id, granted_by,"
            " reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING id",
            person_id, name, level, now, expires_at, source, attempt_id, granted_by, reason)

    async def valid(self, person_id: int, now: datetime) -> list[QualificationRow]:
        rows = await self.tx.fetch(
            f"SELECT {_Q_COLS} FROM qualifications WHERE person_id = $1 AND revoked_at IS NULL"
            " AND (expires_at IS NULL OR expires_at > $2) ORDER BY name, level DESC", person_id, now)
        return [QualificationRow(**r) for r in rows]

    async def revoke(self, person_id: int, name: str, by: int | None, reason: str, now: datetime) -> int:
        """Revoke every valid qualification of that name; how many were."""
        return await self.tx.execute(
            "UPDATE qualifications SET revoked_at = $3, revoked_by = $4, revoke_reason = $5"
            " WHERE person_id = $1 AND name = $2 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $3)",
            person_id, name, now, by, reason)

    async def expiring(self, now: datetime, until: datetime, limit: int = 200) -> list[QualificationRow]:
        """Valid qualifications that lapse before `until` and whose holder has not been told yet."""
        rows = await self.tx.fetch(
            f"SELECT {_Q_COLS} FROM qualifications WHERE revoked_at IS NULL AND expiry_notified_at IS NULL"
            " AND expires_at IS NOT NULL AND expires_at > $1 AND expires_at <= $2 ORDER BY expires_at LIMIT $3",
            now, until, limit)
        return [QualificationRow(**r) for r in rows]

    async def mark_notified(self, qualification_id: int, now: datetime) -> bool:
        """Once: of several ticking processes only one announces a lapse."""
        return await self.tx.execute(
            "UPDATE qualifications SET expiry_notified_at = $2 WHERE id = $1 AND expiry_notified_at IS NULL",
            qualification_id, now) > 0

    # what matching reads -----------------------------------------------------------------------------------
    async def candidates(self, limit: int = 5000) -> list[dict]:
        """Onboarded people: id, display name, time zone, profile."""
        rows = await self.tx.fetch(
            "SELECT id, display_name, timezone, profile FROM persons WHERE onboarded_at IS NOT NULL"
            " AND merged_into IS NULL ORDER BY id LIMIT $1", limit)
        return [{**r, "profile": json.loads(r["profile"] or "{}")} for r in rows]

    async def seconds_worked(self, person_id: int, since: datetime) -> int:
        """Time spent on submitted answers since `since` (what a person's declared weekly hours are used by)."""
        return int(await self.tx.fetchval(
            "SELECT COALESCE(SUM(seconds_spent), 0) FROM submissions WHERE person_id = $1 AND submitted_at >= $2",
            person_id, since) or 0)


_INVITE_COLS = "id, project_id, person_id, invited_by, invited_at, status, answered_at, tally_ref"


class Invites:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def create(self, project_id: int, person_id: int, invited_by: int | None, now: datetime,
                     tally_ref: str | None = None) -> int | None:
        """The new invitation's id, or None when this person was invited to this project before."""
        invite_id = await self.tx.fetchval(
            "INSERT INTO project_invites (project_id, person_id, invited_by, invited_at, tally_ref)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (project_id, person_id) DO NOTHING RETURNING id",
            project_id, person_id, invited_by, now, tally_ref)
        if invite_id is not None:
            await mark_stale(self.tx, person_id)
        return invite_id

    async def get(self, invite_id: int) -> InviteRow | None:
        row = await self.tx.fetchrow(
            f"SELECT {_INVITE_COLS} FROM project_invites WHERE id = $1", invite_id)
        return InviteRow(**row) if row else None

    async def set_tally_ref(self, invite_ids: list[int], tally_ref: str) -> None:
        for invite_id in invite_ids:
            await self.tx.execute("UPDATE project_invites SET tally_ref = $2 WHERE id = $1", invite_id, tally_ref)

    async def batch(self, tally_ref: str) -> list[InviteRow]:
        """The invitations sent together under one tally message, in the order they were made."""
        rows = await self.tx.fetch(
            f"SELECT {_INVITE_COLS} FROM project_invites WHERE tally_ref = $1 ORDER BY id", tally_ref)
        return [InviteRow(**r) for r in rows]

    async def answer(self, invite_id: int, person_id: int, status: str, now: datetime) -> bool:
        """Pending → accepted/declined, only by the invited person, once."""
        answered = await self.tx.execute(
            "UPDATE project_invites SET status = $3, answered_at = $4 WHERE id = $1 AND person_id = $2"
            " AND status = 'pending'", invite_id, person_id, status, now) > 0
        if answered:
            await mark_stale(self.tx, person_id)
        return answered

    async def invited(self, project_id: int) -> set[int]:
        rows = await self.tx.fetch("SELECT person_id FROM project_invites WHERE project_id = $1", project_id)
        return {r["person_id"] for r in rows}

    async def tally(self, project_id: int) -> dict[str, int]:
        rows = await self.tx.fetch(
            "SELECT status, COUNT(*) AS n FROM project_invites WHERE project_id = $1 GROUP BY status", project_id)
        out = {"pending": 0, "accepted": 0, "declined": 0}
        out.update({r["status"]: int(r["n"]) for r in rows})
        return out
