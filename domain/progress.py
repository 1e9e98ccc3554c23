"""A project's progress for its managers, computed from plain rows: no storage, no chat.

- Items: *done* when answered by as many experts as the item's overlap asks (`answered >= overlap`; adaptive
  overlap can raise it again later); *in progress* when not done but someone holds a slot or has answered;
  *waiting* when nobody has touched it yet. The three always add up to the number of items.
- Answers per day: each answer counted on the calendar day it was submitted **in the manager's time zone**,
  for the last `days` days up to and including today, oldest first; days without answers are 0. Days are
  calendar days, so a day with a daylight-saving change has 23 or 25 hours.
- Median time per task: the median of the seconds experts spent on their answers (the mean of the two middle
  values when the count is even).
- Agreement: Krippendorff's alpha at the level of measurement of the project's question, plus percent
  agreement, over items that have at least two comparable answers. `None` for task types whose answers are
  not compared (rewrites, prompt writing).
"""
from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from domain.agreement import krippendorff_alpha, percent_agreement
from domain.item_answers import alpha_data, comparable
from domain.project_spec import ProjectSpec

DAYS_SHOWN = 14
ACTIVE_DAYS = 7
# The task types whose answers two experts can agree on (see `item_answers.comparable`).
COMPARED_TYPES = frozenset({"labeling", "pairwise", "rating", "ranking", "error_check"})


@dataclass(frozen=True)
class ItemCounts:
    done: int
    in_progress: int
    waiting: int
    answering_now: int = 0  # live (active) assignments: experts holding an item right now

    @property
    def total(self) -> int:
        return self.done + self.in_progress + self.waiting


@dataclass(frozen=True)
class Agreement:
    items: int  # items with at least two comparable answers
    alpha: float | None  # None: undefined (no variation at all) or no items
    level: str  # nominal | ordinal | interval
    percent: float | None  # 0..1


@dataclass(frozen=True)
class ProgressReport:
    items: ItemCounts
    per_day: list[tuple[date, int]]
    median_seconds: float | None
    experts_active: int
    agreement: Agreement | None  # None: this task type is not compared

    @property
    def answers_shown(self) -> int:
        return sum(n for _, n in self.per_day)


def item_counts(groups: Iterable[Mapping[str, Any]], answering_now: int = 0) -> ItemCounts:
    """Classify items from rows of (overlap, filled, answered[, n]): `n` is how many items share that row."""
    done = in_progress = waiting = 0
    for row in groups:
        n = int(row.get("n", 1))
        if int(row["answered"]) >= int(row["overlap"]):
            done += n
        elif int(row["filled"]) > 0 or int(row["answered"]) > 0:
            in_progress += n
        else:
            waiting += n
    return ItemCounts(done=done, in_progress=in_progress, waiting=waiting, answering_now=answering_now)


def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at


def _zone(tz: str) -> tzinfo:
    """The IANA zone `tz`; an unknown name counts days in UTC rather than failing the report."""
    try:
        return ZoneInfo(tz)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return timezone.utc


def local_day(at: datetime, tz: str) -> date:
    """The calendar day `at` falls on in zone `tz` (naive datetimes are UTC, as storage keeps them)."""
    return _aware(at).astimezone(_zone(tz)).date()


def window_start(now: datetime, tz: str, days: int = DAYS_SHOWN) -> datetime:
    """The UTC moment the first shown local day begins: what to fetch answers from."""
    zone = _zone(tz)
    first = local_day(now, tz) - timedelta(days=days - 1)
    # Midnight may not exist on a DST day in some zones; fold=0 plus normalising through UTC gives the
    # earliest instant of that day, and one hour earlier is harmless because days are bucketed again.
    midnight = datetime(first.year, first.month, first.day, tzinfo=zone)
    return midnight.astimezone(timezone.utc) - timedelta(hours=1)


def answers_per_day(submitted: Iterable[datetime], tz: str, today: date, days: int = DAYS_SHOWN) -> list[tuple[date, int]]:
    """Answers per local calendar day for the `days` days ending `today` (in `tz`), oldest first."""
    first = today - timedelta(days=days - 1)
    counts = Counter(local_day(at, tz) for at in submitted)
    return [(first + timedelta(days=i), counts.get(first + timedelta(days=i), 0)) for i in range(days)]


def median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def agreement(spec: ProjectSpec, answers_by_item: Mapping[int, list[dict[str, Any]]]) -> Agreement | None:
    """Alpha at the question's level plus percent agreement over items with two or more comparable answers."""
    if spec.task_type not in COMPARED_TYPES:
        return None
    units, level, categories = alpha_data(spec, dict(answers_by_item))
    pairable = [u for u in units if sum(v is not None for v in u) >= 2]
    if not pairable:
        return Agreement(items=0, alpha=None, level=level, percent=None)
    try:
        alpha = krippendorff_alpha(pairable, level, categories=categories)
    except ValueError:  # a stored answer outside the question's scale: report no alpha rather than fail
        alpha = None
    same = [[comparable(spec, a) for a in group] for group in answers_by_item.values()]
    return Agreement(items=len(pairable), alpha=alpha, level=level, percent=percent_agreement(same))


def build_report(spec: ProjectSpec, *, item_rows: Iterable[Mapping[str, Any]], answering_now: int,
                 submitted: Iterable[datetime], middle_seconds: Sequence[float], experts_active: int,
                 answers_by_item: Mapping[int, list[dict[str, Any]]], now: datetime, tz: str,
                 days: int = DAYS_SHOWN) -> ProgressReport:
    return ProgressReport(
        items=item_counts(item_rows, answering_now),
        per_day=answers_per_day(submitted, tz, local_day(now, tz), days),
        median_seconds=median(middle_seconds),
        experts_active=experts_active,
        agreement=agreement(spec, answers_by_item),
    )
