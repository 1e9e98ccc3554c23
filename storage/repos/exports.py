"""Reading a project's submissions for an export, in pages, never all at once.

Keyset pagination: each page starts after the last id of the one before (`s.id > $n ORDER BY s.id LIMIT k`), so a
page costs the same at row 1,000,000 as at row 1 and memory stays flat. Exports that need an item's answers
together (`aggregated`) page over the project's tasks by id and read the answers of one page of tasks at once.

Each page is read in a transaction of its own from `open_tx()` (the CLI: a short transaction per page, so the
bot's writers are never held up for the whole export), or in the caller's (the chat turn: pass its transaction).
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from domain.exports import ExportFilters
from storage.db import Tx

PAGE = 2000
TASK_PAGE = 500

COLUMNS = ("s.id, s.task_id, s.person_id, s.answer, s.seconds_spent, s.late, s.submitted_at, s.gold_passed,"
           " s.gold_score, s.review_state, s.revision, s.instructions_version, t.external_id, t.item, t.is_gold,"
           " r.decision AS review_decision, r.reason_code AS review_reason, r.comment AS review_comment")
# The review of the answer as it stands (its current revision): one row at most, by the reviews' unique key.
SOURCE = ("submissions s JOIN tasks t ON t.id = s.task_id"
          " LEFT JOIN reviews r ON r.submission_id = s.id AND r.revision = s.revision")

OpenTx = Callable[[], AbstractAsyncContextManager[Tx]]


def _conditions(filters: ExportFilters, args: list[Any]) -> str:
    """The filters as SQL (appended to a WHERE), their values appended to `args` ($n numbered in order)."""
    sql = ""
    if filters.approved_only:
        sql += " AND s.review_state = 'approved'"
    if filters.since is not None:
        args.append(filters.since)
        sql += f" AND s.submitted_at >= ${len(args)}"
    if filters.until is not None:
        args.append(filters.until)
        sql += f" AND s.submitted_at < ${len(args)}"
    if filters.exclude_paused:
        sql += (" AND NOT EXISTS (SELECT 1 FROM project_pauses pp WHERE pp.project_id = s.project_id"
                " AND pp.person_id = s.person_id AND pp.lifted_at IS NULL)")
    return sql


class ExportQueries:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def submissions_after(self, project_id: int, filters: ExportFilters, after_id: int,
                                limit: int = PAGE) -> list[dict]:
        """The next page of the project's submissions, by id, joined with their items."""
        args: list[Any] = [project_id, after_id]
        where = _conditions(filters, args)
        args.append(limit)
        return await self.tx.fetch(
            f"SELECT {COLUMNS} FROM {SOURCE}"
            f" WHERE s.project_id = $1 AND s.id > $2{where} ORDER BY s.id LIMIT ${len(args)}",
            *args,
        )

    async def project_has_media(self, project_id: int) -> bool:
        """Whether any item or answer of the project names stored media. Both are stored as JSON text, where a key
        is written `"sha256"` and the same word inside a person's text would read `\\"sha256\\"`: the match is on
        a blob ref's key only. One scan, before the export's first row."""
        return await self.tx.fetchval(
            "SELECT EXISTS (SELECT 1 FROM tasks WHERE project_id = $1 AND CAST(item AS TEXT) LIKE $2)"
            " OR EXISTS (SELECT 1 FROM submissions WHERE project_id = $1 AND CAST(answer AS TEXT) LIKE $2)",
            project_id, '%"sha256"%',
        ) in (True, 1)

    async def task_ids_after(self, project_id: int, after_task_id: int, limit: int = TASK_PAGE) -> list[int]:
        rows = await self.tx.fetch(
            "SELECT id FROM tasks WHERE project_id = $1 AND id > $2 ORDER BY id LIMIT $3",
            project_id, after_task_id, limit,
        )
        return [int(r["id"]) for r in rows]

    async def submissions_of_tasks(self, project_id: int, filters: ExportFilters, first_task: int,
                                   last_task: int) -> list[dict]:
        """Every (filtered) answer to the project's tasks with ids in [first_task, last_task], item by item."""
        args: list[Any] = [project_id, first_task, last_task]
        where = _conditions(filters, args)
        return await self.tx.fetch(
            f"SELECT {COLUMNS} FROM {SOURCE}"
            f" WHERE s.task_id >= $2 AND s.task_id <= $3 AND s.project_id = $1{where} ORDER BY s.task_id, s.id",
            *args,
        )


def within(tx: Tx) -> OpenTx:
    """`open_tx` for a caller already inside a transaction (a chat turn): every page reads in it."""

    @asynccontextmanager
    async def same() -> AsyncIterator[Tx]:
        yield tx

    return same


async def iter_submissions(open_tx: OpenTx, project_id: int, filters: ExportFilters, *, by_item: bool = False,
                           page: int = PAGE) -> AsyncIterator[dict]:
    """Every submission of the project that passes `filters`, as raw rows: by id, or grouped by item (task id).

    The next page is read while the caller works through the current one, so the database and the formatting
    overlap; at most two pages are in memory."""

    async def by_id(after: int) -> tuple[list[dict], int | None]:
        async with open_tx() as tx:
            rows = await ExportQueries(tx).submissions_after(project_id, filters, after, page)
        return rows, (int(rows[-1]["id"]) if len(rows) == page else None)

    async def by_task(after: int) -> tuple[list[dict], int | None]:
        async with open_tx() as tx:
            queries = ExportQueries(tx)
            ids = await queries.task_ids_after(project_id, after, max(1, page // 4))
            rows = await queries.submissions_of_tasks(project_id, filters, ids[0], ids[-1]) if ids else []
        return rows, (ids[-1] if ids else None)

    read = by_task if by_item else by_id
    pending = asyncio.ensure_future(read(0))
    try:
        while pending is not None:
            rows, after = await pending
            pending = asyncio.ensure_future(read(after)) if after is not None else None
            for row in rows:
                yield row
    finally:
        if pending is not None:  # closed early (a capped chat file): let the read finish, never leave it running
            await asyncio.gather(pending, return_exceptions=True)
