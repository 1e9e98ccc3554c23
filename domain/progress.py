"""A project's progress for its managers, computed from plain rows: no storage, no chat.

- Items: *done* when answered by as many experts as the item's overlap asks (`answered >= overlap`; adaptive
  overlap can raise it again later); *in progress* when not done but someone holds a slot or has answered;
  *waiting* when nobody has touched it yet. The three always add up to the number of items.
- Answers per day: each answer counted on the calendar day it was submitted **in the manager's time zone**,
  for the last `days` days up to and including today, oldest first; days without answers are 0. Days are
  calendar days, so a day with a daylight-saving change has 23 or 25 hours.
- Median time per task: the median of the seconds experts spent on their answers (the mean of the two middle
  values when the count is even).
- Agreement: Krippendorff's alpha and percent agreement for each question the project asks
  (`item_answers.questions`: the main question, and each rubric criterion on its own), at the level of
  measurement its scale has, over items with at least two answers to that question; then one summary: the main
  question's, or for a rating rubric (which has none) the mean over its criteria. Computed over the answers the
  training exports use (rejected and sent-back answers are left out by the storage query). `None` for task types
  whose answers are not compared (rewrites, prompt writing).
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
from domain.item_answers import Question, questions
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
class QuestionAgreement:
    """Agreement on one question: `criterion` None is the task's main question."""

    criterion: str | None
    label: str | None
    level: str  # nominal | ordinal | interval
    items: int  # items with at least two answers to this question
    alpha: float | None  # None: undefined (no variation at all) or no items
    percent: float | None  # 0..1


@dataclass(frozen=True)
class Agreement:
    """The project summary (`items`, `alpha`, `level`, `percent`) and, for a rubric, each criterion (`criteria`).
    The summary is the main question's (`summary` "main"); a rating rubric has none, so its summary is a mean
    (`summary` "mean"): alpha over the `mean_of` criteria where it is defined (`level` theirs, "mixed" when they
    differ), percent agreement over every criterion that has it."""

    items: int  # items with at least two comparable answers
    alpha: float | None  # None: undefined (no variation at all) or no items
    level: str  # nominal | ordinal | interval | mixed
    percent: float | None  # 0..1
    criteria: tuple[QuestionAgreement, ...] = ()
    summary: str = "main"  # main | mean
    mean_of: int = 0  # criteria whose alpha the mean covers


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


def measure(question: Question, answers_by_item: Mapping[int, list[dict[str, Any]]]) -> QuestionAgreement:
    """Alpha and percent agreement on one question, over the items with two or more answers to it."""
    units: list[list[Any]] = []
    same: list[list[Any]] = []
    for group in answers_by_item.values():
        values = [question.same(a) for a in group]
        if sum(v is not None for v in values) < 2:
            continue
        same.append(values)
        units += [u for u in question.units(group) if sum(v is not None for v in u) >= 2]
    alpha = None
    if units:
        try:
            alpha = krippendorff_alpha(units, question.level, categories=question.categories)
        except ValueError:  # a stored answer outside the question's scale: report no alpha rather than fail
            alpha = None
    return QuestionAgreement(criterion=question.criterion, label=question.label, level=question.level,
                             items=len(same), alpha=alpha, percent=percent_agreement(same) if same else None)


def _mean(values: list[float | None]) -> float | None:
    given = [v for v in values if v is not None]
    return sum(given) / len(given) if given else None


def agreement(spec: ProjectSpec, answers_by_item: Mapping[int, list[dict[str, Any]]]) -> Agreement | None:
    """Agreement per question and the project summary (see the module's docstring)."""
    if spec.task_type not in COMPARED_TYPES:
        return None
    asked = questions(spec)
    measured = [measure(q, answers_by_item) for q in asked]
    if asked[0].criterion is None:  # the main question sums up; criterion preferences come beside it
        main, criteria = measured[0], tuple(m for m in measured[1:] if m.items)
        return Agreement(items=main.items, alpha=main.alpha, level=main.level, percent=main.percent,
                         criteria=criteria)
    defined = [m for m in measured if m.alpha is not None]
    levels = {m.level for m in defined or measured}
    return Agreement(items=max(m.items for m in measured), alpha=_mean([m.alpha for m in defined]),
                     level=levels.pop() if len(levels) == 1 else "mixed", percent=_mean([m.percent for m in measured]),
                     criteria=tuple(measured), summary="mean", mean_of=len(defined))


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
