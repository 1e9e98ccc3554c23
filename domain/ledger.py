"""Money rules that need no chat and no storage: periods, what an approval earns, summaries (statements and
their CSV: `domain.statements`).

Every amount is integer minor units with its currency; sums are per currency (never across currencies).

Rates: a project's spec says what an answer (per_task) or an hour (hourly) earns. A person may have their
own rate on a project — their tier or qualification level (`pay_rates` row: tier name + amount, same currency
as the project) — which then replaces the spec's rate for lines written after it is set. Lines already
written never change: a rate change is not retroactive.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable

from domain.dates import DateInvalid, parse_week, week_bounds
from domain.money import multiply_minutes
from domain.typed_words import EVERYTHING, LAST_MONTH, THIS_MONTH, fold

KINDS = ("task", "task_reversal", "hours", "bonus", "adjustment", "dispute")
STATUSES = ("pending", "approved", "on_statement", "paid")

__all__ = ["KINDS", "STATUSES", "PeriodInvalid", "earnings_period", "payout_period", "hours_pay", "Summary",
           "summarize", "weekly_series"]


class PeriodInvalid(ValueError):
    def __init__(self, reason_key: str) -> None:
        super().__init__(reason_key)
        self.reason_key = reason_key


def _month(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return first, nxt - timedelta(days=1)


def _named_month(s: str, today: date) -> tuple[tuple[date, date], str] | None:
    """This month or last month, by a folded word of any language (domain/typed_words.py)."""
    if s in THIS_MONTH:
        return _month(today), "month"
    if s in LAST_MONTH:
        return _month(today.replace(day=1) - timedelta(days=1)), "last_month"
    return None


def earnings_period(text: str, today: date) -> tuple[date | None, date | None, str]:
    """`/earnings [this week|last week|month|all]` (or their words in any of our languages) → (first, last,
    name); None bounds mean unbounded."""
    s = fold(text or "")
    if s == "" or s in EVERYTHING:
        return None, None, "all"
    if (month := _named_month(s, today)) is not None:
        (first, last), name = month
        return first, last, name
    try:
        first, last = parse_week(s, today)
    except DateInvalid:
        raise PeriodInvalid("earnings.error.period") from None
    return first, last, "week"


def payout_period(text: str, today: date) -> tuple[date, date]:
    """`/payouts close PERIOD`: `2026-11` (a month), `last month`, a week (`last`, `2026-W47`), a day range
    `2026-11-01..2026-11-15`, or `all` (everything up to today)."""
    raw = text or ""
    if ".." in raw:  # a day range, read before folding (which drops a trailing dot: "2026-11-01.." is no week)
        a, _, b = raw.partition("..")
        try:
            first, last = date.fromisoformat(a.strip()), date.fromisoformat(b.strip())
        except ValueError:
            raise PeriodInvalid("payouts.error.period") from None
        if first > last:
            raise PeriodInvalid("payouts.error.period")
        return first, last
    s = fold(raw)
    if not s:
        raise PeriodInvalid("payouts.error.period")
    if s in EVERYTHING:
        return date.min, today
    if len(s) == 7 and s[4] == "-" and s[:4].isdigit() and s[5:].isdigit():
        try:
            return _month(date(int(s[:4]), int(s[5:]), 1))
        except ValueError:
            raise PeriodInvalid("payouts.error.period") from None
    if (month := _named_month(s, today)) is not None:
        return month[0]
    try:
        return parse_week(s, today)
    except DateInvalid:
        raise PeriodInvalid("payouts.error.period") from None


def hours_pay(rate_minor_per_hour: int, minutes: int) -> int:
    """What approved minutes earn at an hourly rate: exact, rounded half-even once per entry."""
    return multiply_minutes(rate_minor_per_hour, minutes)


@dataclass
class Summary:
    """Per (project, currency): minor units by status; totals per currency. Never across currencies."""

    rows: dict[tuple[int | None, str], dict[str, int]] = field(default_factory=dict)

    def add(self, project_id: int | None, currency: str, status: str, minor: int) -> None:
        if status not in STATUSES:
            raise ValueError(status)
        bucket = self.rows.setdefault((project_id, currency), {s: 0 for s in STATUSES})
        bucket[status] += minor

    def totals(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for (_, currency), bucket in self.rows.items():
            t = out.setdefault(currency, {s: 0 for s in STATUSES})
            for status, minor in bucket.items():
                t[status] += minor
        return out


def summarize(ledger_totals: dict[tuple[int | None, str, str], int],
              pending: Iterable[tuple[int | None, str, int]] = ()) -> Summary:
    """Ledger sums by (project, currency, status) plus pending estimates (project, currency, minor)."""
    summary = Summary()
    for (project_id, currency, status), minor in ledger_totals.items():
        summary.add(project_id, currency, status, minor)
    for project_id, currency, minor in pending:
        summary.add(project_id, currency, "pending", minor)
    return summary


def weekly_series(points: Iterable[dict], today: date, weeks: int = 8) -> tuple[list[date], dict[str, list[int]]]:
    """Sum (on, currency, minor) points into the last `weeks` weeks (Monday starts): week starts, and one
    series of minor units per currency."""
    this_monday, _ = week_bounds(today)
    starts = [this_monday - timedelta(weeks=i) for i in range(weeks - 1, -1, -1)]
    series: dict[str, list[int]] = {}
    for p in points:
        monday, _ = week_bounds(p["on"])
        if monday < starts[0] or monday > starts[-1]:
            continue
        series.setdefault(p["currency"], [0] * weeks)[starts.index(monday)] += p["minor"]
    return starts, series
