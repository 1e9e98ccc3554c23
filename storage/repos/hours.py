"""Hours entries, live timers and per-person pay rates (issue 9). Days are ISO `YYYY-MM-DD` text."""
from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from storage.db import Tx
from storage.repos.homes import mark_stale

_E_COLS = ("id, person_id, project_id, work_date, minutes, note, source, state, reason, decided_by, decided_at,"
           " created_at, updated_at")


async def _marked(tx: Tx, person_id: int) -> bool:
    """After a change to someone's hours: their home and the homes of those who approve hours are stale."""
    await mark_stale(tx, person_id, staff=True)
    return True


class HoursEntry(BaseModel):
    id: int
    person_id: int
    project_id: int
    work_date: date
    minutes: int
    note: str
    source: str
    state: str  # logged | approved | rejected
    reason: str | None = None
    decided_by: int | None = None
    decided_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


def _entry(row: dict | None) -> HoursEntry | None:
    return HoursEntry(**{**row, "work_date": date.fromisoformat(row["work_date"])}) if row else None


class HoursEntries:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def add(self, person_id: int, project_id: int, day: date, minutes: int, note: str, source: str,
                  now: datetime, origin: str | None = None) -> int | None:
        """The new entry's id; None when this person already has an entry from `origin` (booked once)."""
        entry_id = await self.tx.fetchval(
            "INSERT INTO hours_entries (person_id, project_id, work_date, minutes, note, source, created_at, updated_at,"
            " origin) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) ON CONFLICT (person_id, origin) DO NOTHING RETURNING id",
            person_id, project_id, day.isoformat(), minutes, note, source, now, origin,
        )
        if entry_id is not None:
            await mark_stale(self.tx, person_id, staff=True)
        return None if entry_id is None else int(entry_id)

    async def from_origin(self, person_id: int, origin: str) -> HoursEntry | None:
        return _entry(await self.tx.fetchrow(
            f"SELECT {_E_COLS} FROM hours_entries WHERE person_id = $1 AND origin = $2", person_id, origin))

    async def get(self, entry_id: int) -> HoursEntry | None:
        return _entry(await self.tx.fetchrow(f"SELECT {_E_COLS} FROM hours_entries WHERE id = $1", entry_id))

    async def minutes_on(self, person_id: int, day: date, except_id: int = 0) -> int:
        """Minutes already counted on a day (rejected entries do not count)."""
        return int(await self.tx.fetchval(
            "SELECT COALESCE(SUM(minutes), 0) FROM hours_entries WHERE person_id = $1 AND work_date = $2"
            " AND state <> 'rejected' AND id <> $3",
            person_id, day.isoformat(), except_id,
        ))

    async def between(self, person_id: int, first: date, last: date) -> list[HoursEntry]:
        rows = await self.tx.fetch(
            f"SELECT {_E_COLS} FROM hours_entries WHERE person_id = $1 AND work_date >= $2 AND work_date <= $3"
            " ORDER BY work_date, id",
            person_id, first.isoformat(), last.isoformat(),
        )
        return [_entry(r) for r in rows]  # type: ignore[misc]

    async def pending(self, exclude_person: int = 0, limit: int = 2000) -> list[HoursEntry]:
        rows = await self.tx.fetch(
            f"SELECT {_E_COLS} FROM hours_entries WHERE state = 'logged' AND person_id <> $1"
            " ORDER BY person_id, work_date, id LIMIT $2",
            exclude_person, limit,
        )
        return [_entry(r) for r in rows]  # type: ignore[misc]

    async def logged_of(self, person_id: int) -> list[HoursEntry]:
        rows = await self.tx.fetch(
            f"SELECT {_E_COLS} FROM hours_entries WHERE person_id = $1 AND state = 'logged' ORDER BY work_date, id",
            person_id)
        return [_entry(r) for r in rows]  # type: ignore[misc]

    async def update(self, entry_id: int, person_id: int, minutes: int, note: str, now: datetime,
                     day: date | None = None) -> bool:
        """Change an entry that is not approved yet (its day too, when given); a rejected one goes back to logged."""
        return await self.tx.execute(
            "UPDATE hours_entries SET minutes = $3, note = $4, state = 'logged', reason = NULL, decided_by = NULL,"
            " decided_at = NULL, updated_at = $5, work_date = COALESCE($6, work_date)"
            " WHERE id = $1 AND person_id = $2 AND state <> 'approved'",
            entry_id, person_id, minutes, note, now, day.isoformat() if day else None,
        ) == 1 and await _marked(self.tx, person_id)

    async def delete(self, entry_id: int, person_id: int) -> bool:
        return await self.tx.execute(
            "DELETE FROM hours_entries WHERE id = $1 AND person_id = $2 AND state <> 'approved'", entry_id, person_id
        ) == 1 and await _marked(self.tx, person_id)

    async def decide(self, entry_id: int, state: str, reason: str | None, by: int, now: datetime) -> bool:
        """logged → approved | rejected, once: a second decision changes nothing and returns False."""
        return await self.tx.execute(
            "UPDATE hours_entries SET state = $2, reason = $3, decided_by = $4, decided_at = $5, updated_at = $5"
            " WHERE id = $1 AND state = 'logged'",
            entry_id, state, reason, by, now,
        ) == 1 and await _marked(self.tx, await self.tx.fetchval(
            "SELECT person_id FROM hours_entries WHERE id = $1", entry_id))


class Timer(BaseModel):
    person_id: int
    project_id: int
    started_at: datetime
    running_since: datetime | None = None
    seconds_banked: int
    nudged_at: datetime | None = None
    flagged_at: datetime | None = None

    def seconds(self, now: datetime) -> int:
        live = int((now - self.running_since).total_seconds()) if self.running_since else 0
        return self.seconds_banked + max(0, live)


_T_COLS = "person_id, project_id, started_at, running_since, seconds_banked, nudged_at, flagged_at"


class Timers:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def get(self, person_id: int) -> Timer | None:
        row = await self.tx.fetchrow(f"SELECT {_T_COLS} FROM timers WHERE person_id = $1 {{for_update}}", person_id)
        return Timer(**row) if row else None

    async def start(self, person_id: int, project_id: int, now: datetime) -> bool:
        """A new timer; False when one exists already (the primary key decides)."""
        return await self.tx.execute(
            "INSERT INTO timers (person_id, project_id, started_at, running_since) VALUES ($1, $2, $3, $3)"
            " ON CONFLICT (person_id) DO NOTHING",
            person_id, project_id, now,
        ) == 1

    async def pause(self, person_id: int, now: datetime) -> bool:
        timer = await self.get(person_id)
        if timer is None or timer.running_since is None:
            return False
        return await self.tx.execute(
            "UPDATE timers SET seconds_banked = $2, running_since = NULL WHERE person_id = $1 AND running_since IS NOT NULL",
            person_id, timer.seconds(now),
        ) == 1

    async def resume(self, person_id: int, now: datetime) -> bool:
        return await self.tx.execute(
            "UPDATE timers SET running_since = $2, nudged_at = NULL WHERE person_id = $1 AND running_since IS NULL",
            person_id, now,
        ) == 1

    async def take(self, person_id: int) -> Timer | None:
        """Remove and return the timer (stop): only one stop can take it."""
        row = await self.tx.fetchrow(f"DELETE FROM timers WHERE person_id = $1 RETURNING {_T_COLS}", person_id)
        return Timer(**row) if row else None

    async def running(self, limit: int = 500) -> list[Timer]:
        rows = await self.tx.fetch(
            f"SELECT {_T_COLS} FROM timers WHERE running_since IS NOT NULL ORDER BY person_id LIMIT $1 {{skip_locked}}",
            limit)
        return [Timer(**r) for r in rows]

    async def mark_nudged(self, person_id: int, now: datetime) -> bool:
        return await self.tx.execute(
            "UPDATE timers SET nudged_at = $2 WHERE person_id = $1 AND nudged_at IS NULL", person_id, now) == 1

    async def mark_flagged(self, person_id: int, now: datetime) -> bool:
        return await self.tx.execute(
            "UPDATE timers SET flagged_at = $2 WHERE person_id = $1 AND flagged_at IS NULL", person_id, now) == 1


class PayRates:
    """Per-person rates (a tier or qualification level) that override a project's spec rate."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def set(self, project_id: int, person_id: int, tier: str, amount_minor: int, currency: str, by: int | None,
                  now: datetime) -> None:
        await self.tx.execute(
            "INSERT INTO pay_rates (project_id, person_id, tier, amount_minor, currency, set_by, set_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (project_id, person_id) DO UPDATE SET"
            " tier = excluded.tier, amount_minor = excluded.amount_minor, currency = excluded.currency,"
            " set_by = excluded.set_by, set_at = excluded.set_at",
            project_id, person_id, tier, amount_minor, currency, by, now,
        )

    async def get(self, project_id: int, person_id: int) -> dict | None:
        return await self.tx.fetchrow(
            "SELECT tier, amount_minor, currency FROM pay_rates WHERE project_id = $1 AND person_id = $2",
            project_id, person_id)
