"""Reminder rows, preferences and availability. The tick claims due rows with SKIP LOCKED and a claim lease,
so two processes ticking at once never take the same row."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

from pydantic import BaseModel

from storage.db import Tx


class ReminderRow(BaseModel):
    id: int
    person_id: int
    kind: str
    dedupe_key: str
    due_at: datetime
    payload: dict
    recurrence: dict | None = None


class Availability(BaseModel):
    person_id: int
    status: str = "available"  # available | limited | away
    hours_this_week: int | None = None
    away_until: datetime | None = None
    work_start: str | None = None
    work_end: str | None = None
    quiet_start: str | None = None
    quiet_end: str | None = None


class Reminders:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def schedule(self, person_id: int, kind: str, dedupe_key: str, due_at: datetime, payload: dict,
                       now: datetime, recurrence: dict | None = None) -> bool:
        """Create the reminder unless one with this key exists (then nothing changes). A recurring one is taken
        to be computed in the person's zone as it is now (see `out_of_zone`)."""
        return await self.tx.execute(
            "INSERT INTO reminders (person_id, kind, dedupe_key, due_at, payload, recurrence, created_at, zone)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT timezone FROM persons WHERE id = $1))"
            " ON CONFLICT (dedupe_key) DO NOTHING",
            person_id, kind, dedupe_key, due_at, json.dumps(payload), json.dumps(recurrence) if recurrence else None, now,
        ) > 0

    async def cancel(self, dedupe_key: str, now: datetime) -> None:
        await self.tx.execute("UPDATE reminders SET done_at = $2 WHERE dedupe_key = $1 AND done_at IS NULL",
                              dedupe_key, now)

    async def cancel_kind(self, person_id: int, kind: str, now: datetime) -> None:
        await self.tx.execute("UPDATE reminders SET done_at = $3 WHERE person_id = $1 AND kind = $2 AND done_at IS NULL",
                              person_id, kind, now)

    async def claim_due(self, now: datetime, lease: timedelta, limit: int) -> list[ReminderRow]:
        rows = await self.tx.fetch(
            "SELECT id, person_id, kind, dedupe_key, due_at, payload, recurrence FROM reminders"
            " WHERE done_at IS NULL AND due_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1)"
            " ORDER BY due_at LIMIT $2 {skip_locked}",
            now, limit,
        )
        for r in rows:
            await self.tx.execute("UPDATE reminders SET claimed_until = $2 WHERE id = $1", r["id"], now + lease)
        return [ReminderRow(**{**r, "payload": json.loads(r["payload"]),
                               "recurrence": json.loads(r["recurrence"]) if r["recurrence"] else None}) for r in rows]

    async def finish(self, reminder_id: int, now: datetime, sent: bool, next_due: datetime | None) -> None:
        """Done, or moved to its next occurrence (computed in the person's zone as it is now); `sent` records the
        send time."""
        await self.tx.execute(
            "UPDATE reminders SET claimed_until = NULL, last_sent_at = CASE WHEN $3 = 1 THEN $2 ELSE last_sent_at END,"
            " due_at = COALESCE($4, due_at), done_at = CASE WHEN $4 IS NULL THEN $2 ELSE NULL END,"
            " zone = (SELECT timezone FROM persons WHERE id = reminders.person_id) WHERE id = $1",
            reminder_id, now, int(sent), next_due,
        )

    async def out_of_zone(self, limit: int) -> list[dict]:
        """Pending recurring reminders whose person changed zone since their due time was computed: id, due_at,
        last_sent_at, recurrence (parsed) and the person's zone now (`timezone`, None when unset)."""
        rows = await self.tx.fetch(
            "SELECT r.id, r.due_at, r.last_sent_at, r.recurrence, p.timezone FROM reminders r"
            " JOIN persons p ON p.id = r.person_id WHERE r.done_at IS NULL AND r.recurrence IS NOT NULL"
            " AND COALESCE(r.zone, '') <> COALESCE(p.timezone, '') ORDER BY r.id LIMIT $1",
            limit,
        )
        return [{**r, "recurrence": json.loads(r["recurrence"])} for r in rows]

    async def rezone(self, reminder_id: int, due_at: datetime, zone: str | None, now: datetime) -> bool:
        """Move a reminder to its due time in `zone`; one a tick holds right now is left to that tick."""
        return await self.tx.execute(
            "UPDATE reminders SET due_at = $2, zone = $3 WHERE id = $1 AND done_at IS NULL"
            " AND (claimed_until IS NULL OR claimed_until < $4)",
            reminder_id, due_at, zone, now) == 1

    async def defer(self, reminder_id: int, until: datetime) -> None:
        await self.tx.execute("UPDATE reminders SET due_at = $2, claimed_until = NULL WHERE id = $1", reminder_id, until)

    async def last_sent(self, person_id: int, kind: str) -> datetime | None:
        return await self.tx.fetchval(
            "SELECT sent_at FROM reminder_sends WHERE person_id = $1 AND kind = $2", person_id, kind)

    async def record_send(self, person_id: int, kind: str, now: datetime) -> None:
        await self.tx.execute(
            "INSERT INTO reminder_sends (person_id, kind, sent_at) VALUES ($1, $2, $3)"
            " ON CONFLICT (person_id, kind) DO UPDATE SET sent_at = excluded.sent_at",
            person_id, kind, now,
        )

    async def enabled(self, person_id: int, kind: str) -> bool:
        value = await self.tx.fetchval(
            "SELECT enabled FROM reminder_prefs WHERE person_id = $1 AND kind = $2", person_id, kind)
        return value is None or bool(value)

    async def set_enabled(self, person_id: int, kind: str, enabled: bool) -> None:
        await self.tx.execute(
            "INSERT INTO reminder_prefs (person_id, kind, enabled) VALUES ($1, $2, $3)"
            " ON CONFLICT (person_id, kind) DO UPDATE SET enabled = excluded.enabled",
            person_id, kind, int(enabled),
        )

    async def prefs(self, person_id: int) -> dict[str, bool]:
        rows = await self.tx.fetch("SELECT kind, enabled FROM reminder_prefs WHERE person_id = $1", person_id)
        return {r["kind"]: bool(r["enabled"]) for r in rows}


class Availabilities:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def get(self, person_id: int) -> Availability:
        row = await self.tx.fetchrow(
            "SELECT person_id, status, hours_this_week, away_until, work_start, work_end, quiet_start, quiet_end"
            " FROM availability WHERE person_id = $1", person_id)
        return Availability(**row) if row else Availability(person_id=person_id)

    async def save(self, a: Availability, now: datetime) -> None:
        await self.tx.execute(
            "INSERT INTO availability (person_id, status, hours_this_week, away_until, work_start, work_end,"
            " quiet_start, quiet_end, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            " ON CONFLICT (person_id) DO UPDATE SET status = excluded.status,"
            " hours_this_week = excluded.hours_this_week, away_until = excluded.away_until,"
            " work_start = excluded.work_start, work_end = excluded.work_end, quiet_start = excluded.quiet_start,"
            " quiet_end = excluded.quiet_end, updated_at = excluded.updated_at",
            a.person_id, a.status, a.hours_this_week, a.away_until, a.work_start, a.work_end, a.quiet_start,
            a.quiet_end, now,
        )
