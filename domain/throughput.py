"""Per-expert throughput and implausibly fast answers, for /progress. No storage, no chat.

- *Answers per day*: an expert's answers in the pace window (`domain.pace.pace_window`: the last 7 local days, or
  fewer for a younger project) divided by its days — the same window as the project's pace, so the two compare.
- *Answers per hour on task*: all their answers in the project divided by the hours they spent on them (the
  seconds each submission stores, from the task being shown to the answer being sent). None before any second
  was recorded.
- *Fast answers*: answers that took less than a threshold: the spec's `min_answer_seconds` when set, else a
  third of the project's median time per answer (`FAST_SHARE`), at least one second. A third of the median is
  far enough below typical work that careful fast experts are not flagged, close enough to catch answers given
  without reading. No threshold (so nothing flagged) before the project has an answer.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

FAST_SHARE = 1 / 3


@dataclass(frozen=True)
class Throughput:
    person_id: int
    answers: int  # all their answers in the project
    per_day: float  # over the pace window
    per_hour: float | None  # per hour on task; None when no time was recorded
    fast: int  # answers below the fast-answer threshold


def fast_threshold(spec_seconds: int | None, median_seconds: float | None) -> int | None:
    """Seconds below which an answer is implausibly fast: the spec's value, else a third of the median."""
    if spec_seconds is not None:
        return spec_seconds
    if median_seconds is None:
        return None
    return max(1, round(median_seconds * FAST_SHARE))


def throughput(rows: Iterable[Mapping[str, Any]], window_days: int) -> list[Throughput]:
    """One line per expert from rows of (person_id, answers, recent, seconds, fast), most answers first (ties by
    person id so the order is stable)."""
    days = max(window_days, 1)
    out = [Throughput(person_id=int(r["person_id"]), answers=int(r["answers"]), per_day=int(r["recent"]) / days,
                      per_hour=int(r["answers"]) / (int(r["seconds"]) / 3600) if int(r["seconds"]) > 0 else None,
                      fast=int(r["fast"]))
           for r in rows]
    return sorted(out, key=lambda t: (-t.answers, t.person_id))


def fast_experts(lines: Iterable[Throughput]) -> list[Throughput]:
    """The experts with at least one fast answer, most fast answers first."""
    return sorted((t for t in lines if t.fast), key=lambda t: (-t.fast, t.person_id))
