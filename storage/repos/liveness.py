"""Running processes and their beats (`processes`), and what a process holds: leases, outbox claims.

A holder whose row is gone is dead: its leases and claims may be taken at once (storage/repos/state.py `Leases`,
storage/repos/delivery.py `Outbox.claim_due`). Deciding who is dead is the core's (bot/core/liveness.py); this only
stores rows, deletes the ones it is told to, and renews or releases what one process holds.
"""
from __future__ import annotations

from datetime import datetime

from storage.db import Tx

_COLS = "process_id, host, ns, pid, started_at, beat_at"
CHUNK = 500  # ids per statement when renewing claims


class Processes:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def register(self, process_id: str, host: str, ns: str, pid: int, started_at: datetime,
                       now: datetime) -> None:
        await self.tx.execute(
            f"INSERT INTO processes ({_COLS}) VALUES ($1, $2, $3, $4, $5, $6)"
            " ON CONFLICT (process_id) DO UPDATE SET beat_at = excluded.beat_at",
            process_id, host, ns, pid, started_at, now,
        )

    async def beat(self, process_id: str, now: datetime) -> bool:
        """False when the row is gone: someone judged this process dead (it registers again)."""
        return await self.tx.execute("UPDATE processes SET beat_at = $2 WHERE process_id = $1", process_id, now) > 0

    async def all(self) -> list[dict]:
        return await self.tx.fetch(f"SELECT {_COLS} FROM processes ORDER BY started_at")

    async def bury(self, process_ids: list[str]) -> int:
        """Delete the rows of processes judged dead; what they held becomes free."""
        if not process_ids:
            return 0
        marks = ", ".join(f"${i + 1}" for i in range(len(process_ids)))
        return await self.tx.execute(f"DELETE FROM processes WHERE process_id IN ({marks})", *process_ids)

    async def forget(self, process_id: str) -> None:
        """A clean stop: leases released, claims on unsent rows handed back, the row deleted."""
        await self.tx.execute("DELETE FROM leases WHERE holder = $1", process_id)
        await self.tx.execute(
            "UPDATE outbox SET claimed_until = NULL, claimed_by = NULL"
            " WHERE claimed_by = $1 AND sent_at IS NULL AND failed_at IS NULL", process_id)
        await self.tx.execute("DELETE FROM processes WHERE process_id = $1", process_id)

    async def renew_claims(self, process_id: str, outbox_ids: list[int], until: datetime) -> int:
        """Extend this process's claims on rows it still has queued for sending (a paced backlog)."""
        renewed = 0
        for start in range(0, len(outbox_ids), CHUNK):
            chunk = outbox_ids[start:start + CHUNK]
            marks = ", ".join(f"${i + 3}" for i in range(len(chunk)))
            renewed += await self.tx.execute(
                "UPDATE outbox SET claimed_until = $2 WHERE claimed_by = $1 AND sent_at IS NULL"
                f" AND failed_at IS NULL AND claimed_until IS NOT NULL AND id IN ({marks})",
                process_id, until, *chunk)
        return renewed
