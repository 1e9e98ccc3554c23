"""What a payout statement lists, so a finance team can check every line: quantity × rate = amount (issue 18, 8).

One statement line is either
- the per-task lines of one project at one rate (`task`, or `task_reversal` for answers that lost their pay):
  `tasks × rate = amount`, exactly;
- one approved hours entry (`hours`): `minutes / 60 × rate per hour = amount`, rounded half-even once, as it was
  paid (`domain.ledger.hours_pay`);
- one bonus, adjustment or dispute outcome: an amount, with its reason.

The chat statement and the CSV are both made from these lines, so they cannot disagree. Lines keep the ledger line
ids they stand for (an expert disputes a ledger line).
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Iterable, Protocol

from domain.csv_safety import SafeCsvWriter
from domain.money import format_amount, multiply_minutes

__all__ = ["LedgerEntry", "StatementLine", "Statement", "statement_lines", "adds_up", "decimal_hours",
           "CSV_COLUMNS", "statement_csv"]

COUNTED = ("task", "task_reversal")


class LedgerEntry(Protocol):
    """The fields of a ledger line a statement reads (storage's `LedgerLine` has them)."""

    id: int
    kind: str
    project_id: int | None
    earned_on: date
    amount_minor: int
    reason: str
    quantity: int | None
    unit_minor: int | None


@dataclass(frozen=True)
class StatementLine:
    kind: str  # task | task_reversal | hours | bonus | adjustment | dispute
    project_id: int | None
    first: date
    last: date
    tasks: int | None  # per-task lines: how many (negative for reversals)
    minutes: int | None  # an hours line: how long
    rate_minor: int | None  # per task or per hour; None when the line counts nothing (or its rate is not known)
    amount_minor: int
    line_ids: tuple[int, ...]
    reason: str = ""

    @property
    def per(self) -> str | None:
        """What the rate is paid for: `task`, `hour`, or None."""
        if self.rate_minor is None:
            return None
        return "task" if self.tasks is not None else "hour"


def statement_lines(entries: Iterable[LedgerEntry]) -> list[StatementLine]:
    """The statement's lines, in date order: per-task lines summed per (kind, project, rate), the rest one each."""
    groups: dict[tuple, list[LedgerEntry]] = {}
    out: list[StatementLine] = []
    for e in entries:
        if e.kind in COUNTED and e.quantity is not None and e.unit_minor is not None:
            groups.setdefault((e.kind, e.project_id, e.unit_minor), []).append(e)
            continue
        minutes = e.quantity if e.kind == "hours" else None
        rate = e.unit_minor if e.kind == "hours" else None
        out.append(StatementLine(e.kind, e.project_id, e.earned_on, e.earned_on, None, minutes, rate, e.amount_minor,
                                 (e.id,), e.reason))
    for (kind, project_id, rate), members in groups.items():
        out.append(StatementLine(kind, project_id, min(m.earned_on for m in members),
                                 max(m.earned_on for m in members), sum(m.quantity for m in members), None, rate,
                                 sum(m.amount_minor for m in members), tuple(sorted(m.id for m in members))))
    return sorted(out, key=lambda ln: (ln.first, ln.line_ids))


def adds_up(line: StatementLine) -> bool:
    """Quantity × rate gives the amount (a line without a quantity or rate has nothing to check)."""
    if line.rate_minor is None:
        return True
    if line.tasks is not None:
        return line.tasks * line.rate_minor == line.amount_minor
    return line.minutes is not None and multiply_minutes(line.rate_minor, line.minutes) == line.amount_minor


def decimal_hours(minutes: int) -> Decimal:
    """Minutes as hours with two decimals (90 → 1.50), for a spreadsheet; the exact measure is the minutes."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


@dataclass
class Statement:
    """One person's statement in one currency for one period, as shown in chat and written to the CSV.
    `identity` is the precise `platform:workspace/id` (`domain.identity.IdentityKey`), the form commands accept."""

    id: int
    person: str
    identity: str
    currency: str
    first: date
    last: date
    lines: list[StatementLine]
    projects: dict[int, str] = field(default_factory=dict)

    @property
    def total_minor(self) -> int:
        return sum(ln.amount_minor for ln in self.lines)


CSV_COLUMNS = ("statement", "period_from", "period_to", "person", "identity", "currency", "kind", "project", "from",
               "to", "tasks", "minutes", "hours", "rate", "rate_per", "amount", "statement_total", "lines", "reason")


def statement_csv(statements: Iterable[Statement]) -> bytes:
    """One CSV row per statement line, with the statement's period and total on each row, so a spreadsheet can
    check `tasks × rate` or `hours × rate` against `amount` and the sum of `amount` against `statement_total`.

    Written by `SafeCsvWriter`: the text people typed or chose (person name, identity, project name, reason) is
    quoted and neutralized against spreadsheet formulas; ids, counts, minutes and money are numbers the project
    writes and stay bare numbers (a negative amount is `-2.05`, never `'-2.05`). Money is a plain decimal in the
    row's currency; `minutes` is the exact measure of an hours line (`hours` is it rounded to two decimals)."""
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(CSV_COLUMNS)
    for st in statements:
        def money(minor: int | None) -> Decimal | None:
            return None if minor is None else Decimal(format_amount(minor, st.currency))

        for ln in st.lines:
            writer.writerow([st.id, st.first.isoformat(), st.last.isoformat(), st.person, st.identity, st.currency,
                             ln.kind, st.projects.get(ln.project_id, "") if ln.project_id else "",
                             ln.first.isoformat(), ln.last.isoformat(), ln.tasks, ln.minutes,
                             None if ln.minutes is None else decimal_hours(ln.minutes), money(ln.rate_minor), ln.per,
                             money(ln.amount_minor), money(st.total_minor), " ".join(map(str, ln.line_ids)),
                             ln.reason])
    return out.getvalue().encode("utf-8")
