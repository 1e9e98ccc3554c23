"""The inbox (inbound deliveries, deduplicated) and the outbox (outgoing deliveries, sent after commit)."""
from __future__ import annotations

from datetime import datetime, timedelta

from storage.db import Tx
from storage.models import InboxRow, OutboxRow, OutboxState, OutboxTrouble

_ADD_CHUNK = 500  # rows per INSERT in `Outbox.add_many` (8 parameters each: within both backends' limits)
_INBOX_COLS = "id, platform, delivery_id, actor_key, payload, received_at, processed_at, error, accepted_by"


class Inbox:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def record(self, platform: str, delivery_id: str, actor_key: str, payload: str, now: datetime,
                     accepted_by: str | None = None) -> bool:
        """True when this delivery is new. The unique (platform, delivery_id) constraint decides. `accepted_by`
        (a process id) lets the others recover the row at once if that process dies before processing it."""
        row = await self.tx.fetchrow(
            "INSERT INTO inbox (platform, delivery_id, actor_key, payload, received_at, accepted_by)"
            " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (platform, delivery_id) DO NOTHING RETURNING id",
            platform, delivery_id, actor_key, payload, now, accepted_by,
        )
        return row is not None

    async def record_processed(self, platform: str, delivery_id: str, actor_key: str, payload: str, now: datetime,
                               accepted_by: str | None = None, error: str | None = None) -> int | None:
        """Record a delivery already marked processed, in the transaction that processes it (so it commits with
        the turn or not at all). The row's id, or None when the delivery was recorded before (then `claim` it)."""
        return await self.tx.fetchval(
            "INSERT INTO inbox (platform, delivery_id, actor_key, payload, received_at, accepted_by, processed_at,"
            " error) VALUES ($1, $2, $3, $4, $5, $6, $5, $7) ON CONFLICT (platform, delivery_id) DO NOTHING"
            " RETURNING id",
            platform, delivery_id, actor_key, payload, now, accepted_by, error,
        )

    async def claim(self, platform: str, delivery_id: str) -> InboxRow | None:
        """The unprocessed row, locked until commit (another process handling it makes us wait, then see it done)."""
        row = await self.tx.fetchrow(
            f"SELECT {_INBOX_COLS} FROM inbox WHERE platform = $1 AND delivery_id = $2 AND processed_at IS NULL"
            " {for_update}",
            platform, delivery_id,
        )
        return InboxRow(**row) if row else None

    async def backlog(self) -> list[dict]:
        """Per platform: events accepted and not processed yet, and when the oldest arrived (metrics)."""
        return await self.tx.fetch("SELECT platform, COUNT(*) AS waiting, MIN(received_at) AS oldest FROM inbox"
                                   " WHERE processed_at IS NULL GROUP BY platform")

    async def mark_processed(self, inbox_id: int, now: datetime, error: str | None = None) -> None:
        await self.tx.execute(
            "UPDATE inbox SET processed_at = $2, error = $3 WHERE id = $1", inbox_id, now, error
        )

    async def unprocessed(self, platform: str | None, older_than: datetime, limit: int = 500, *,
                          me: str | None = None, live_older_than: datetime | None = None) -> list[InboxRow]:
        """Rows accepted but never processed, oldest first. Without `me`: every row received by `older_than`.
        With `me` (this process): rows it accepted itself, rows whose accepting process is dead (its `processes`
        row is gone), rows of no known process received by `older_than`, and rows a live process accepted only
        once received by `live_older_than` (that process is still working through them, in order)."""
        if me is None:
            rows = await self.tx.fetch(
                f"SELECT {_INBOX_COLS} FROM inbox WHERE processed_at IS NULL AND ($1 = '' OR platform = $1)"
                " AND received_at <= $2 ORDER BY id LIMIT $3",
                platform or "", older_than, limit,
            )
        else:
            rows = await self.tx.fetch(
                f"SELECT {_INBOX_COLS} FROM inbox WHERE processed_at IS NULL AND ($1 = '' OR platform = $1)"
                " AND (accepted_by = $4"
                " OR (accepted_by IS NULL AND received_at <= $2)"
                " OR accepted_by NOT IN (SELECT process_id FROM processes)"
                " OR received_at <= $5)"
                " ORDER BY id LIMIT $3",
                platform or "", older_than, limit, me, live_older_than or older_than,
            )
        return [InboxRow(**r) for r in rows]


def _free(t: str) -> str:
    """A pending row nobody is sending: never claimed, its claim lapsed, or its claimer is dead (no `processes`
    row). Uses $1 (now)."""
    return (f"({t}claimed_until IS NULL OR {t}claimed_until < $1"
            f" OR ({t}claimed_by IS NOT NULL AND {t}claimed_by NOT IN (SELECT process_id FROM processes)))")


class Outbox:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def add(self, inbox_id: int | None, person_id: int | None, platform: str, payload: str,
                  now: datetime, claim_for: timedelta | None = None, tag: str | None = None,
                  claimed_by: str | None = None) -> int:
        """Stage one delivery. `claim_for` reserves it for the process (`claimed_by`) that will send it right
        after commit; that process renews the claim while the row waits in its pacer."""
        claimed_until = now + claim_for if claim_for else None
        return int(await self.tx.fetchval(
            "INSERT INTO outbox (inbox_id, person_id, platform, payload, created_at, not_before, claimed_until, tag,"
            " claimed_by) VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8) RETURNING id",
            inbox_id, person_id, platform, payload, now, claimed_until, tag, claimed_by if claim_for else None,
        ))

    async def add_many(self, rows: list[tuple[int | None, int | None, str, str, datetime, timedelta | None,
                                              str | None, str | None]]) -> list[int]:
        """Stage several deliveries (each `add`'s arguments, in order) in one statement per chunk; their ids in the
        order given (ids rise in insertion order, and rows are inserted in VALUES order)."""
        ids: list[int] = []
        for start in range(0, len(rows), _ADD_CHUNK):
            chunk = rows[start:start + _ADD_CHUNK]
            values, args = [], []
            for inbox_id, person_id, platform, payload, now, claim_for, tag, claimed_by in chunk:
                n = len(args)
                values.append("(" + ", ".join(f"${n + i}" for i in (1, 2, 3, 4, 5, 5, 6, 7, 8)) + ")")
                args += [inbox_id, person_id, platform, payload, now, now + claim_for if claim_for else None, tag,
                         claimed_by if claim_for else None]
            got = await self.tx.fetch(
                "INSERT INTO outbox (inbox_id, person_id, platform, payload, created_at, not_before, claimed_until,"
                f" tag, claimed_by) VALUES {', '.join(values)} RETURNING id", *args)
            ids += sorted(r["id"] for r in got)
        return ids

    async def backlog(self) -> list[dict]:
        """Per platform: deliveries neither sent nor failed, and when the oldest was made (metrics)."""
        return await self.tx.fetch("SELECT platform, COUNT(*) AS waiting, MIN(created_at) AS oldest FROM outbox"
                                   " WHERE sent_at IS NULL AND failed_at IS NULL GROUP BY platform")

    async def tag_counts(self, tag: str) -> dict[str, int]:
        """How the deliveries of one broadcast or ping went: total, sent, failed, pending."""
        row = await self.tx.fetchrow(
            "SELECT COUNT(*) AS total, COUNT(sent_at) AS sent, COUNT(failed_at) AS failed FROM outbox WHERE tag = $1",
            tag,
        )
        total, sent, failed = int(row["total"]), int(row["sent"]), int(row["failed"])
        return {"total": total, "sent": sent, "failed": failed, "pending": total - sent - failed}

    async def failed_people(self, tag: str) -> list[tuple[int, str]]:
        rows = await self.tx.fetch(
            "SELECT person_id, error FROM outbox WHERE tag = $1 AND failed_at IS NOT NULL ORDER BY id", tag)
        return [(r["person_id"], r["error"] or "") for r in rows]

    async def claim_due(self, platforms: list[str], now: datetime, lease: timedelta, limit: int = 100,
                        claimed_by: str | None = None, per_person: int | None = None) -> list[OutboxRow]:
        """Rows nobody is sending, claimed for `lease` (by `claimed_by`); safe with several processes sweeping.

        A row is free when it was never claimed, its claim lapsed, or its claimer's `processes` row is gone (that
        process died). Service is fair: pending rows are ranked within their person (per platform) and taken
        rank by rank, then by id, so one person's thousands of rows do not hold up everyone else's first one.
        With `per_person`, only a person's first `per_person` pending rows are candidates — rows another live
        process is still sending count — so a backlog goes out in order, a few at a time."""
        if not platforms:
            return []
        in_list = ", ".join(f"${i + 4}" for i in range(len(platforms)))
        ranked = (
            "SELECT id, claimable, ROW_NUMBER() OVER (PARTITION BY platform, COALESCE(person_id, -id) ORDER BY id)"
            f" AS rnk FROM (SELECT id, platform, person_id, CASE WHEN {_free('')} THEN 1 ELSE 0 END AS claimable"
            " FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND not_before <= $1"
            f" AND platform IN ({in_list})) AS pending"
        )
        # The claimable rows are locked (PostgreSQL skips rows another sweeper is claiming) and re-checked on the
        # row itself, then claimed.
        rows = await self.tx.fetch(
            "SELECT t.id, t.inbox_id, t.person_id, t.platform, t.payload, t.attempts"
            f" FROM outbox t JOIN ({ranked}) r ON r.id = t.id"
            f" WHERE r.claimable = 1 AND r.rnk <= $3 AND t.sent_at IS NULL AND t.failed_at IS NULL AND {_free('t.')}"
            " ORDER BY r.rnk, t.id LIMIT $2 {skip_locked_of_t}",
            now, limit, per_person or 2 ** 31 - 1, *platforms,
        )
        if rows:
            got = [r["id"] for r in rows]
            await self.tx.execute(
                f"UPDATE outbox SET claimed_until = $1, claimed_by = $2"
                f" WHERE id IN ({', '.join(f'${i + 3}' for i in range(len(got)))})",
                now + lease, claimed_by, *got,
            )
        return [OutboxRow(**r) for r in rows]

    async def progress(self, ids: list[int]) -> dict[int, OutboxState]:
        """How far each row got: parts delivered, the message id so far, attempts made."""
        if not ids:
            return {}
        marks = ", ".join(f"${i + 1}" for i in range(len(ids)))
        rows = await self.tx.fetch(
            f"SELECT id, parts_done, message_id, attempts FROM outbox WHERE id IN ({marks})", *ids)
        return {r["id"]: OutboxState(**r) for r in rows}

    async def mark_sent_many(self, outbox_ids: list[int], now: datetime) -> None:
        """The outcome of a turn's deliveries, in one statement."""
        if outbox_ids:
            marks = ", ".join(f"${i + 2}" for i in range(len(outbox_ids)))
            await self.tx.execute(f"UPDATE outbox SET sent_at = $1, claimed_until = NULL WHERE id IN ({marks})",
                                  now, *outbox_ids)

    async def record_part(self, outbox_id: int, parts_done: int, message_id: str | None) -> None:
        """A part of a multi-part delivery is out: a retry starts after it."""
        await self.tx.execute(
            "UPDATE outbox SET parts_done = $2, message_id = COALESCE($3, message_id) WHERE id = $1",
            outbox_id, parts_done, message_id,
        )

    async def attempts(self, outbox_id: int) -> int:
        return int(await self.tx.fetchval("SELECT attempts FROM outbox WHERE id = $1", outbox_id) or 0)

    async def failed_to_project(self, project_id: int, since: datetime) -> int:
        """Deliveries that failed for good since `since` to people who are members of the project."""
        return int(await self.tx.fetchval(
            "SELECT COUNT(*) FROM outbox WHERE failed_at >= $2 AND person_id IN"
            " (SELECT person_id FROM project_members WHERE project_id = $1)",
            project_id, since,
        ))

    async def troubled(self, stuck_before: datetime, limit: int = 200) -> list[OutboxTrouble]:
        """Failed rows, and rows still unsent that were retried or are older than `stuck_before`; oldest first."""
        rows = await self.tx.fetch(
            "SELECT id, platform, person_id, tag, created_at, attempts, parts_done, failed_at, not_before, error"
            " FROM outbox WHERE sent_at IS NULL AND (failed_at IS NOT NULL OR attempts > 0 OR created_at < $1)"
            " ORDER BY id LIMIT $2",
            stuck_before, limit,
        )
        return [OutboxTrouble(**r) for r in rows]

    async def retry(self, ids: list[int], now: datetime) -> list[int]:
        """Make unsent rows due now with a fresh count of attempts; the parts already delivered stay delivered.
        Returns the ids that were retried (sent rows and unknown ids are not)."""
        if not ids:
            return []
        marks = ", ".join(f"${i + 2}" for i in range(len(ids)))
        rows = await self.tx.fetch(
            "UPDATE outbox SET failed_at = NULL, attempts = 0, not_before = $1, claimed_until = NULL"
            f" WHERE sent_at IS NULL AND id IN ({marks}) RETURNING id",
            now, *ids,
        )
        return sorted(r["id"] for r in rows)

    async def failed_ids(self) -> list[int]:
        rows = await self.tx.fetch("SELECT id FROM outbox WHERE failed_at IS NOT NULL AND sent_at IS NULL ORDER BY id")
        return [r["id"] for r in rows]

    async def mark_sent(self, outbox_id: int, now: datetime) -> None:
        await self.tx.execute("UPDATE outbox SET sent_at = $2, claimed_until = NULL WHERE id = $1", outbox_id, now)

    async def mark_failed(self, outbox_id: int, now: datetime, error: str) -> None:
        await self.tx.execute(
            "UPDATE outbox SET attempts = attempts + 1, failed_at = $2, error = $3, claimed_until = NULL WHERE id = $1",
            outbox_id, now, error[:500]
        )

    async def retry_later(self, outbox_id: int, not_before: datetime, error: str) -> None:
        await self.tx.execute(
            "UPDATE outbox SET attempts = attempts + 1, not_before = $2, error = $3, claimed_until = NULL WHERE id = $1",
            outbox_id, not_before, error[:500],
        )


class SentMessages:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def remember(self, ref: str, platform: str, chat_id: str, message_id: str, now: datetime) -> None:
        await self.tx.execute(
            "INSERT INTO sent_messages (ref, platform, chat_id, message_id, sent_at) VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT (ref, platform, chat_id) DO UPDATE SET message_id = excluded.message_id, sent_at = excluded.sent_at",
            ref, platform, chat_id, message_id, now,
        )

    async def find(self, ref: str, platform: str, chat_id: str) -> str | None:
        return await self.tx.fetchval(
            "SELECT message_id FROM sent_messages WHERE ref = $1 AND platform = $2 AND chat_id = $3", ref, platform, chat_id
        )
