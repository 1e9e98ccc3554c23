"""Glue between an expert's answer and the gold and review rules: what happens to a submission on arrival."""
from __future__ import annotations

from typing import Any, Callable
import random

from domain.gold import GoldResult, score_against_gold
from domain.project_spec import GOLD_TASK_TYPES, ProjectSpec
from domain.task_import import TaskItem
from domain.task_types import canonical_gold, score_positions, validate_gold


def gold_shape(spec: ProjectSpec, answer: Any) -> dict[str, Any]:
    """An answer in the shape the gold scorer reads; rating scores as scale positions."""
    shape = canonical_gold(spec, answer)
    if spec.task_type == "rating":
        shape = {"scores": score_positions(spec, shape["scores"])}
    return shape


def expected_answer(spec: ProjectSpec, item: TaskItem) -> dict[str, Any] | None:
    if item.gold is None or spec.task_type not in GOLD_TASK_TYPES:
        return None
    return canonical_gold(spec, validate_gold(spec, item, item.gold))


def score_gold(spec: ProjectSpec, item: TaskItem, answer: Any) -> GoldResult | None:
    """The gold result of one answer, or None when the item has no gold (or the type has no automatic check)."""
    if item.gold is None or spec.task_type not in GOLD_TASK_TYPES:
        return None
    gold = gold_shape(spec, validate_gold(spec, item, item.gold))
    tolerance = {c.id: c.tolerance for c in spec.criteria}
    return score_against_gold(spec.task_type, gold_shape(spec, answer), gold, tolerance=tolerance)


def needs_review(spec: ProjectSpec, approvals_so_far: int, rng: Callable[[], float] = random.random) -> bool:
    """Every answer of a new expert is reviewed until they have `review_until_approvals` approvals; then a
    `review_share` sample."""
    if approvals_so_far < spec.review_until_approvals:
        return True
    return spec.review_share > 0 and rng() < spec.review_share
