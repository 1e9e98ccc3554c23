"""The ledger: every money effect is one row with a unique source; statements and disputes refer to rows.

Nothing here keeps a running total: every amount shown is summed from `ledger_lines` when asked, per currency.
A line's status is derived: `approved` until it is on a statement, `on_statement` while that statement is
unpaid, `paid` once it is paid.
"""
from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from storage.db import Tx
from storage.repos.homes import mark_stale

_L_COLS = ("l.id, l.person_id, l.project_id, l.kind, l.source, l.amount_minor, l.currency, l.earned_on, l.reason,"
           " l.created_by, l.created_at, l.quantity, l.unit_minor, sl.statement_id, s.paid_at, d.id AS dispute_id, d.state AS dispute_state,"
           " d.resolution AS dispute_resolution")
_L_FROM = ("ledger_lines l LEFT JOIN statement_lines sl ON sl.line_id = l.id"
           " LEFT JOIN statements s ON s.id = sl.statement_id LEFT JOIN disputes d ON d.line_id = l.id")


class LedgerLine(BaseModel):
    id: int
    person_id: int
    project_id: int | None = None
    kind: str  # task | task_reversal | hours | bonus | adjustment | dispute
    source: str
    amount_minor: int
    currency: str
    earned_on: date
    reason: str
    created_by: int | None = None
    created_at: datetime
    quantity: int | None = None  # minutes (hours) or tasks (task, task_reversal); None for other kinds
    unit_minor: int | None = None  # the rate per hour or per task the line was paid at
    statement_id: int | None = None
    paid_at: datetime | None = None
    dispute_id: int | None = None
    dispute_state: str | None = None
    dispute_resolution: str | None = None

    @property
    def status(self) -> str:
        if self.statement_id is None:
            return "approved"
        return "paid" if self.paid_at is not None else "on_statement"


def _line(row: dict | None) -> LedgerLine | None:
    return LedgerLine(**{**row, "earned_on": date.fromisoformat(row["earned_on"])}) if row else None


class Statement(BaseModel):
    id: int
    person_id: int
    currency: str
    period_start: date
    period_end: date
    closed_by: int | None = None
    closed_at: datetime
    paid_ref: str | None = None
    paid_by: int | None = None
    paid_at: datetime | None = None


def _statement(row: dict | None) -> Statement | None:
    if row is None:
        return None
    return Statement(**{**row, "period_start": date.fromisoformat(row["period_start"]),
                        "period_end": date.fromisoformat(row["period_end"])})


_S_COLS = "id, person_id, currency, period_start, period_end, closed_by, closed_at, paid_ref, paid_by, paid_at"


class Dispute(BaseModel):
    id: int
    line_id: int
    person_id: int
    comment: str
    state: str  # open | upheld | dismissed
    resolution: str | None = None
    resolved_by: int | None = None
    resolved_at: datetime | None = None
    created_at: datetime


_D_COLS = "id, line_id, person_id, comment, state, resolution, resolved_by, resolved_at, created_at"


class Ledger:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    # lines ------------------------------------------------------------------------------------------------
    async def add(self, person_id: int, project_id: int | None, kind: str, source: str, amount_minor: int,
                  currency: str, earned_on: date, reason: str, created_by: int | None, now: datetime,
                  quantity: int | None = None, unit_minor: int | None = None) -> int | None:
        """The new line id, or None when a line with this source exists: the UNIQUE constraint decides.
        `quantity` and `unit_minor` say what the amount counts (minutes or tasks, at what rate) for statements."""
        if isinstance(amount_minor, bool) or not isinstance(amount_minor, int):
            raise TypeError("amount_minor must be an int")
        line_id = await self.tx.fetchval(
            "INSERT INTO ledger_lines (person_id, project_id, kind, source, amount_minor, currency, earned_on, reason,"
            " created_by, created_at, quantity, unit_minor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
            " ON CONFLICT (source) DO NOTHING RETURNING id",
            person_id, project_id, kind, source, amount_minor, currency, earned_on.isoformat(), reason, created_by, now,
            quantity, unit_minor,
        )
        if line_id is not None:
            await mark_stale(self.tx, person_id)
        return line_id

    async def line(self, line_id: int) -> LedgerLine | None:
        return _line(await self.tx.fetchrow(f"SELECT {_L_COLS} FROM {_L_FROM} WHERE l.id = $1", line_id))

    async def by_source(self, source: str) -> LedgerLine | None:
        return _line(await self.tx.fetchrow(f"SELECT {_L_COLS} FROM {_L_FROM} WHERE l.source = $1", source))

    async def lines(self, person_id: int, first: date | None = None, last: date | None = None) -> list[LedgerLine]:
        rows = await self.tx.fetch(
            f"SELECT {_L_COLS} FROM {_L_FROM} WHERE l.person_id = $1 AND l.earned_on >= $2 AND l.earned_on <= $3"
            " ORDER BY l.earned_on, l.id",
            person_id, (first or date.min).isoformat(), (last or date.max).isoformat(),
        )
        return [_line(r) for r in rows]  # type: ignore[misc]

    async def totals(self, person_id: int, first: date | None = None, last: date | None = None
                     ) -> dict[tuple[int | None, str, str], int]:
        """{(project_id, currency, status): minor} summed by the database; status approved | on_statement | paid."""
        rows = await self.tx.fetch(
            "SELECT l.project_id, l.currency,"
            " CASE WHEN sl.statement_id IS NULL THEN 'approved' WHEN s.paid_at IS NULL THEN 'on_statement'"
            " ELSE 'paid' END AS status, SUM(l.amount_minor) AS total"
            " FROM ledger_lines l LEFT JOIN statement_lines sl ON sl.line_id = l.id"
            " LEFT JOIN statements s ON s.id = sl.statement_id"
            " WHERE l.person_id = $1 AND l.earned_on >= $2 AND l.earned_on <= $3"
            " GROUP BY l.project_id, l.currency, status",
            person_id, (first or date.min).isoformat(), (last or date.max).isoformat(),
        )
        return {(r["project_id"], r["currency"], r["status"]): int(r["total"]) for r in rows}

    async def currency_totals(self, person_id: int | None = None) -> dict[str, int]:
        rows = await self.tx.fetch(
            "SELECT currency, SUM(amount_minor) AS total FROM ledger_lines WHERE ($1 = 0 OR person_id = $1)"
            " GROUP BY currency", person_id or 0)
        return {r["currency"]: int(r["total"]) for r in rows}

    async def weekly(self, person_id: int, first: date) -> list[dict]:
        """(earned_on, currency, minor) since `first`, for the chart (summed per week by the caller)."""
        rows = await self.tx.fetch(
            "SELECT earned_on, currency, SUM(amount_minor) AS total FROM ledger_lines WHERE person_id = $1"
            " AND earned_on >= $2 GROUP BY earned_on, currency ORDER BY earned_on",
            person_id, first.isoformat())
        return [{"on": date.fromisoformat(r["earned_on"]), "currency": r["currency"], "minor": int(r["total"])}
                for r in rows]

    # statements -------------------------------------------------------------------------------------------
    async def unpaid_in(self, first: date, last: date) -> list[LedgerLine]:
        """Approved lines in the period on no statement, without an open dispute."""
        rows = await self.tx.fetch(
            f"SELECT {_L_COLS} FROM {_L_FROM} WHERE sl.statement_id IS NULL AND l.earned_on >= $1 AND l.earned_on <= $2"
            " AND (d.id IS NULL OR d.state <> 'open') ORDER BY l.person_id, l.currency, l.earned_on, l.id",
            first.isoformat(), last.isoformat())
        return [_line(r) for r in rows]  # type: ignore[misc]

    async def create_statement(self, person_id: int, currency: str, first: date, last: date, by: int | None,
                               now: datetime) -> int:
        return int(await self.tx.fetchval(
            "INSERT INTO statements (person_id, currency, period_start, period_end, closed_by, closed_at)"
            " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            person_id, currency, first.isoformat(), last.isoformat(), by, now))

    async def put_on_statement(self, statement_id: int, line_id: int) -> bool:
        """False when the line is on a statement already (UNIQUE line_id)."""
        return await self.tx.execute(
            "INSERT INTO statement_lines (statement_id, line_id) VALUES ($1, $2) ON CONFLICT (line_id) DO NOTHING",
            statement_id, line_id) == 1

    async def statement(self, statement_id: int) -> Statement | None:
        return _statement(await self.tx.fetchrow(f"SELECT {_S_COLS} FROM statements WHERE id = $1", statement_id))

    async def statement_lines(self, statement_id: int) -> list[LedgerLine]:
        rows = await self.tx.fetch(
            f"SELECT {_L_COLS} FROM {_L_FROM} WHERE sl.statement_id = $1 ORDER BY l.earned_on, l.id", statement_id)
        return [_line(r) for r in rows]  # type: ignore[misc]

    async def statement_total(self, statement_id: int) -> int:
        return int(await self.tx.fetchval(
            "SELECT COALESCE(SUM(l.amount_minor), 0) FROM statement_lines sl JOIN ledger_lines l ON l.id = sl.line_id"
            " WHERE sl.statement_id = $1", statement_id))

    async def delete_statement(self, statement_id: int) -> None:
        await self.tx.execute("DELETE FROM statements WHERE id = $1", statement_id)

    async def open_statements(self, limit: int = 50) -> list[Statement]:
        rows = await self.tx.fetch(
            f"SELECT {_S_COLS} FROM statements WHERE paid_at IS NULL ORDER BY id LIMIT $1", limit)
        return [_statement(r) for r in rows]  # type: ignore[misc]

    async def mark_paid(self, statement_id: int, ref: str, by: int, now: datetime) -> bool:
        paid = await self.tx.execute(
            "UPDATE statements SET paid_ref = $2, paid_by = $3, paid_at = $4 WHERE id = $1 AND paid_at IS NULL",
            statement_id, ref, by, now) == 1
        if paid:
            await mark_stale(self.tx, await self.tx.fetchval("SELECT person_id FROM statements WHERE id = $1",
                                                             statement_id))
        return paid

    # disputes ---------------------------------------------------------------------------------------------
    async def open_dispute(self, line_id: int, person_id: int, comment: str, now: datetime) -> int | None:
        """None when this line was disputed before (one dispute per line)."""
        dispute_id = await self.tx.fetchval(
            "INSERT INTO disputes (line_id, person_id, comment, created_at) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (line_id) DO NOTHING RETURNING id", line_id, person_id, comment, now)
        if dispute_id is not None:
            await mark_stale(self.tx, person_id, staff=True)
        return dispute_id

    async def dispute(self, dispute_id: int) -> Dispute | None:
        row = await self.tx.fetchrow(f"SELECT {_D_COLS} FROM disputes WHERE id = $1", dispute_id)
        return Dispute(**row) if row else None

    async def open_disputes(self, limit: int = 50) -> list[Dispute]:
        rows = await self.tx.fetch(f"SELECT {_D_COLS} FROM disputes WHERE state = 'open' ORDER BY id LIMIT $1", limit)
        return [Dispute(**r) for r in rows]

    async def resolve_dispute(self, dispute_id: int, state: str, resolution: str, by: int, now: datetime) -> bool:
        resolved = await self.tx.execute(
            "UPDATE disputes SET state = $2, resolution = $3, resolved_by = $4, resolved_at = $5"
            " WHERE id = $1 AND state = 'open'", dispute_id, state, resolution, by, now) == 1
        if resolved:
            await mark_stale(self.tx, await self.tx.fetchval("SELECT person_id FROM disputes WHERE id = $1",
                                                             dispute_id), staff=True)
        return resolved

    # what is not in the ledger yet ------------------------------------------------------------------------
    async def pending_submissions(self, person_id: int, since: datetime, until: datetime) -> dict[int, int]:
        """{project_id: count} of this person's answers waiting for a review decision (or rework)."""
        rows = await self.tx.fetch(
            "SELECT project_id, COUNT(*) AS n FROM submissions WHERE person_id = $1 AND review_state IN ('pending', 'rework')"
            " AND submitted_at >= $2 AND submitted_at < $3 GROUP BY project_id", person_id, since, until)
        return {int(r["project_id"]): int(r["n"]) for r in rows}
