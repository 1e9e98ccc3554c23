"""What answers to one item are compared on, for agreement: the main question of each task type, and each
question a rubric asks on its own (`questions`), at the level of measurement its scale has."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Hashable, Literal

from domain.agreement import percent_agreement
from domain.gold import PREFERENCE_DIRECTION
from domain.project_spec import ProjectSpec

Level = Literal["nominal", "ordinal", "interval"]
PREFERENCE_ORDER = ("a_much_better", "a_better", "tie", "b_better", "b_much_better")


def comparable(spec: ProjectSpec, answer: dict[str, Any]) -> Hashable | None:
    """One value per answer that two experts agree on when equal; None for types without agreement."""
    kind = spec.task_type
    if kind == "labeling":
        return frozenset(answer.get("labels", []))
    if kind == "pairwise":
        return PREFERENCE_DIRECTION.get(answer.get("preference"))
    if kind == "rating":
        return tuple(sorted((k, str(v)) for k, v in answer.get("scores", {}).items()))
    if kind == "ranking":
        return tuple(tuple(sorted(group)) for group in answer.get("order", []))
    if kind == "error_check":
        return "no_issues" if answer.get("no_issues") else "issues_found"
    return None


def item_agreement(spec: ProjectSpec, answers: list[dict[str, Any]]) -> float | None:
    """Percent agreement among the answers to one item, or None when it cannot be compared."""
    values = [comparable(spec, a) for a in answers]
    if len(values) < 2 or any(v is None for v in values):
        return None
    return percent_agreement([values])


def fractional_ranks(order: Sequence[Sequence[str]]) -> dict[str, float]:
    """Each response's rank, best = 1, tied responses sharing the average of the places they take together
    (`[[a, b], [c]]` → a 1.5, b 1.5, c 3): the "average" method of `scipy.stats.rankdata`."""
    ranks: dict[str, float] = {}
    place = 1
    for group in order:
        ids = list(group)
        for rid in ids:
            ranks[rid] = place + (len(ids) - 1) / 2
        place += len(ids)
    return ranks


def borda_points(order: Sequence[Sequence[str]]) -> dict[str, float]:
    """Borda points from one ranking of n responses: n − rank, so the best gets n − 1 and the worst 0; tied
    responses share the points of the places they take (`[[a, b, c]]` → 1 each)."""
    ranks = fractional_ranks(order)
    n = len(ranks)
    return {rid: n - rank for rid, rank in ranks.items()}


@dataclass(frozen=True)
class Question:
    """One thing experts answer on an item and are compared on by itself: the task's main question
    (`criterion` None) or one rubric criterion. `units` turns one item's answers into Krippendorff units (a
    ranking gives one unit per response: the ranks it got); `same` is the value two answers agree on when equal,
    for percent agreement (None: this answer says nothing on the question)."""

    criterion: str | None
    label: str | None  # the criterion's label, as the manager wrote it
    level: Level
    categories: tuple | None  # the order of a named ordered scale; None: the values' own order
    units: Callable[[list[dict[str, Any]]], list[list[Any]]]
    same: Callable[[dict[str, Any]], Hashable | None]


def _one_unit(value: Callable[[dict[str, Any]], Any]) -> Callable[[list[dict[str, Any]]], list[list[Any]]]:
    return lambda group: [[value(a) for a in group]]


def _rank_units(group: list[dict[str, Any]]) -> list[list[Any]]:
    ranked = [fractional_ranks(a.get("order", [])) for a in group]
    ids = sorted({rid for ranks in ranked for rid in ranks})
    return [[ranks.get(rid) for ranks in ranked] for rid in ids]


def _score(criterion) -> Callable[[dict[str, Any]], Any]:
    """One criterion's score, or None when missing or off the scale (a stored answer from an older rubric)."""
    def value(answer: dict[str, Any]) -> Any:
        given = answer.get("scores", {}).get(criterion.id)
        return None if given is None or criterion.scale.position(given) is None else given
    return value


def _preference(key: str | None) -> Callable[[dict[str, Any]], str | None]:
    def value(answer: dict[str, Any]) -> str | None:
        given = answer.get("preference") if key is None else answer.get("criteria_preferences", {}).get(key)
        return given if given in PREFERENCE_ORDER else None
    return value


def _direction(key: str | None) -> Callable[[dict[str, Any]], str | None]:
    preference = _preference(key)
    return lambda answer: PREFERENCE_DIRECTION.get(preference(answer))


def questions(spec: ProjectSpec) -> list[Question]:
    """What agreement is measured on, first the main question: labels and verdicts are nominal (a multi-label
    answer is one set); a preference is ordinal on the five-point scale (percent agreement on its direction, A,
    tie or B), and each criterion preference the same; a ranking is ordinal on the ranks each response got
    (percent agreement on the whole order); a rating has no main question: each criterion is interval when
    numeric, ordinal when its levels are named. Rewrites and written prompts are not compared: []."""
    kind = spec.task_type
    if kind in ("labeling", "error_check"):
        same = lambda a: comparable(spec, a)  # noqa: E731
        return [Question(None, None, "nominal", None, _one_unit(same), same)]
    if kind == "pairwise":
        return [Question(key, None if key is None else spec.criterion(key).label, "ordinal", PREFERENCE_ORDER,
                         _one_unit(_preference(key)), _direction(key))
                for key in (None, *(c.id for c in spec.criteria))]
    if kind == "ranking":
        return [Question(None, None, "ordinal", None, _rank_units, lambda a: comparable(spec, a))]
    if kind == "rating":
        return [Question(c.id, c.label, "ordinal" if c.scale.named else "interval",
                         c.scale.levels if c.scale.named else None, _one_unit(_score(c)), _score(c))
                for c in spec.criteria]
    return []
