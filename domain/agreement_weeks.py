"""Agreement week by week, for /progress: is the project's agreement improving or slipping? No storage, no chat.

An item counts in the week (Monday to Sunday, in the reader's zone) its latest answer arrived, once it has two or
more answers; its agreement is computed over all its answers. Each week's figure is the project-level agreement
(`agreement_of`) over that week's items, so the weekly and overall numbers measure the same thing.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from domain.progress import Agreement, agreement, local_day
from domain.project_spec import ProjectSpec

WEEKS_SHOWN = 6


@dataclass(frozen=True)
class WeekAgreement:
    monday: date
    items: int
    alpha: float | None
    percent: float | None


def agreement_of(spec: ProjectSpec, answers_by_item: Mapping[int, list[dict[str, Any]]]) -> Agreement | None:
    """The one call into the project-level agreement: when that computation changes (per criterion), only this
    wrapper needs to follow."""
    return agreement(spec, answers_by_item)


def first_monday(today: date, weeks: int = WEEKS_SHOWN) -> date:
    """The Monday that starts the first of the `weeks` weeks ending with the current one."""
    return today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)


def by_week(spec: ProjectSpec, rows: Iterable[Mapping[str, Any]], tz: str, today: date,
            weeks: int = WEEKS_SHOWN) -> list[WeekAgreement] | None:
    """Agreement for each of the last `weeks` weeks that has compared items, oldest first; None when this task type
    is not compared. `rows` are (task_id, answer, submitted_at) of items with two or more answers."""
    answers: dict[int, list[dict[str, Any]]] = {}
    latest: dict[int, datetime] = {}
    for r in rows:
        answers.setdefault(r["task_id"], []).append(r["answer"])
        at = r["submitted_at"]
        latest[r["task_id"]] = max(latest.get(r["task_id"], at), at)
    start = first_monday(today, weeks)
    weekly: dict[date, dict[int, list[dict[str, Any]]]] = {}
    for task_id, group in answers.items():
        if len(group) < 2:
            continue
        day = local_day(latest[task_id], tz)
        monday = day - timedelta(days=day.weekday())
        if monday >= start:
            weekly.setdefault(monday, {})[task_id] = group
    if agreement_of(spec, {}) is None:
        return None
    out = []
    for monday in sorted(weekly):
        a = agreement_of(spec, weekly[monday])
        if a is not None and a.items:
            out.append(WeekAgreement(monday=monday, items=a.items, alpha=a.alpha, percent=a.percent))
    return out
