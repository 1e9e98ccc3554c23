"""Scoring an attempt: each item's points, the per-section breakdown, pass or fail, and when a retake opens.

Rules, item by item:

- choice: the chosen set must equal the correct set (single or several correct): all the points or none.
  Options are shown in an order shuffled per attempt; answers arrive as shown positions and are mapped back
  through the attempt's stored order (`from_shown`) before scoring, so no payload ever names a correct option.
- numeric: |given − answer| ≤ tolerance (plus a hair for binary floating point) earns the points.
- written: a reviewer gives 0..points against the rubric.
- task sample: with gold, the task engine's gold check decides (passed → all points); without gold, a reviewer.

A late answer (after the time limit, judged on the server's clock) scores nothing, as does an unanswered item.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from domain.assessment_spec import AssessmentSpec, ChoiceItem, Item, NumericItem, TaskSampleItem, WrittenItem

_EPS = 1e-9


def new_shuffles(spec: AssessmentSpec, rng: random.Random | None = None) -> dict[str, list[int]]:
    """For every choice item, the order its options are shown in: shown position → position in the file."""
    rng = rng or random.SystemRandom()
    out = {}
    for item in spec.items:
        if isinstance(item, ChoiceItem):
            order = list(range(len(item.options)))
            rng.shuffle(order)
            out[item.id] = order
    return out


def from_shown(item: ChoiceItem, order: list[int], shown: list[Any]) -> list[int]:
    """Shown positions (as the form stored them, "0", "3") → option positions in the file; junk is ignored."""
    chosen = set()
    for s in shown:
        try:
            pos = int(s)
        except (TypeError, ValueError):
            continue
        if 0 <= pos < len(order) and order[pos] < len(item.options):
            chosen.add(order[pos])
    return sorted(chosen)


def score_choice(item: ChoiceItem, chosen: list[int]) -> float:
    return float(item.points) if sorted(set(chosen)) == list(item.correct) else 0.0


def score_numeric(item: NumericItem, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0.0
    return float(item.points) if abs(float(value) - item.answer) <= item.tolerance + _EPS * max(1.0, abs(item.answer)) else 0.0


def score_task(item: TaskSampleItem, answer: Any) -> float | None:
    """Points from gold, or None when a reviewer must score it."""
    if not item.auto:
        return None
    from domain.scoring import score_gold

    result = score_gold(item.task, item.item, answer)
    if result is None:
        return None
    return float(item.points) if result.passed else 0.0


def needs_reviewer(item: Item) -> bool:
    return isinstance(item, WrittenItem) or (isinstance(item, TaskSampleItem) and not item.auto)


def section_of(item: Item) -> str:
    """The section name: the author's, or the item kind (shown through the catalog as `assess.section.<kind>`)."""
    return item.section or f"kind:{item.type}"


@dataclass(frozen=True)
class SectionScore:
    name: str  # the author's section name, or "kind:<type>"
    points: float
    max_points: float


@dataclass
class AttemptResult:
    score: float  # 0..1
    passed: bool
    sections: list[SectionScore] = field(default_factory=list)
    pending: int = 0  # items a reviewer has not scored yet

    def breakdown(self) -> list[dict]:
        return [{"section": s.name, "points": s.points, "max": s.max_points} for s in self.sections]


def result(spec: AssessmentSpec, points: dict[str, float | None], pending: set[str] = frozenset()) -> AttemptResult:
    """`points` maps item id → points earned (missing, late or None count 0); `pending` items await a reviewer."""
    order: list[str] = []
    got: dict[str, float] = {}
    top: dict[str, float] = {}
    for item in spec.items:
        name = section_of(item)
        if name not in got:
            order.append(name)
            got[name], top[name] = 0.0, 0.0
        earned = points.get(item.id) or 0.0
        got[name] += max(0.0, min(float(item.points), earned))
        top[name] += item.points
    total = sum(top.values())
    score = sum(got.values()) / total if total else 0.0
    sections = [SectionScore(n, round(got[n], 2), top[n]) for n in order]
    return AttemptResult(score=score, passed=score + _EPS >= spec.pass_score, sections=sections, pending=len(pending))


@dataclass(frozen=True)
class Standing:
    """Where a person stands with one assessment: may they start, how many attempts remain, when a retake opens."""

    attempts_used: int
    attempts_left: int
    passed: bool
    retake_at: datetime | None  # set when waiting for the retake interval
    in_progress: bool

    @property
    def may_start(self) -> bool:
        return not self.passed and not self.in_progress and self.attempts_left > 0 and self.retake_at is None


def standing(spec: AssessmentSpec, attempts: list[dict], now: datetime) -> Standing:
    """`attempts` are this person's rows (status, finished_at), any order."""
    used = len(attempts)
    passed = any(a["status"] == "passed" for a in attempts)
    in_progress = any(a["status"] in ("active", "grading") for a in attempts)
    finished = [a["finished_at"] for a in attempts if a["status"] == "failed" and a.get("finished_at")]
    retake_at = None
    if finished and not passed and not in_progress and used < spec.max_attempts:
        opens = max(finished) + timedelta(days=spec.retake_after_days)
        if opens > now:
            retake_at = opens
    return Standing(used, max(0, spec.max_attempts - used), passed, retake_at, in_progress)


def retake_opens(spec: AssessmentSpec, finished_at: datetime, attempts_used: int) -> datetime | None:
    """After a fail: when the next attempt may start, or None when no attempts are left."""
    if attempts_used >= spec.max_attempts:
        return None
    return finished_at + timedelta(days=spec.retake_after_days)
