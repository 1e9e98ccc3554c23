"""Pings (availability questions with a window) and broadcasts."""
from __future__ import annotations

import json
from datetime import datetime

from pydantic import BaseModel

from storage.db import Tx
from storage.repos.homes import mark_stale


class PingRow(BaseModel):
    id: int
    manager_id: int
    question: str
    target: dict
    options: list[str]
    window_end: datetime
    closed_at: datetime | None = None
    created_at: datetime


def _ping(row: dict | None) -> PingRow | None:
    if row is None:
        return None
    return PingRow(**{**row, "target": json.loads(row["target"]), "options": json.loads(row["options"])})


_COLS = "id, manager_id, question, target, options, window_end, closed_at, created_at"


class Pings:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def create(self, manager_id: int, question: str, target: dict, options: list[str], window_end: datetime,
                     people: list[int], now: datetime) -> int:
        ping_id = int(await self.tx.fetchval(
            "INSERT INTO pings (manager_id, question, target, options, window_end, created_at)"
            " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            manager_id, question, json.dumps(target), json.dumps(options), window_end, now))
        for person_id in people:
            await self.tx.execute("INSERT INTO ping_targets (ping_id, person_id) VALUES ($1, $2)"
                                  " ON CONFLICT DO NOTHING", ping_id, person_id)
            await mark_stale(self.tx, person_id)
        return ping_id

    async def get(self, ping_id: int) -> PingRow | None:
        return _ping(await self.tx.fetchrow(f"SELECT {_COLS} FROM pings WHERE id = $1", ping_id))

    async def answer(self, ping_id: int, person_id: int, answer: str, hours: int | None, now: datetime) -> bool:
        """Record (or change) an answer while the window is open; False if not a target or closed."""
        answered = await self.tx.execute(
            "UPDATE ping_targets SET answer = $3, hours = $4, answered_at = $5 WHERE ping_id = $1 AND person_id = $2"
            " AND EXISTS (SELECT 1 FROM pings p WHERE p.id = $1 AND p.closed_at IS NULL AND p.window_end > $5)",
            ping_id, person_id, answer, hours, now) == 1
        if answered:
            await mark_stale(self.tx, person_id)
        return answered

    async def targets(self, ping_id: int) -> list[dict]:
        return await self.tx.fetch(
            "SELECT person_id, answer, hours, answered_at FROM ping_targets WHERE ping_id = $1 ORDER BY person_id",
            ping_id)

    async def open_count(self) -> int:
        """Pings whose window has not been closed yet."""
        return int(await self.tx.fetchval("SELECT COUNT(*) FROM pings WHERE closed_at IS NULL"))

    async def close_due(self, now: datetime) -> list[PingRow]:
        """Close every ping whose window ended; each is closed once, by whichever process gets there first."""
        rows = await self.tx.fetch(
            f"UPDATE pings SET closed_at = $1 WHERE closed_at IS NULL AND window_end <= $1 RETURNING {_COLS}", now)
        return [_ping(r) for r in rows]  # type: ignore[misc]


class Broadcasts:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def create(self, manager_id: int, body: str, target: dict, total: int, now: datetime) -> int:
        return int(await self.tx.fetchval(
            "INSERT INTO broadcasts (manager_id, body, target, total, created_at) VALUES ($1, $2, $3, $4, $5)"
            " RETURNING id", manager_id, body, json.dumps(target), total, now))

    async def unfinished(self) -> list[dict]:
        return await self.tx.fetch("SELECT id, manager_id, total FROM broadcasts WHERE finished_at IS NULL ORDER BY id")

    async def finish(self, broadcast_id: int, now: datetime) -> bool:
        return await self.tx.execute(
            "UPDATE broadcasts SET finished_at = $2 WHERE id = $1 AND finished_at IS NULL", broadcast_id, now) == 1
