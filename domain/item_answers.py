"""What answers to one item are compared on, for agreement: the main question of each task type."""
from __future__ import annotations

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


def alpha_data(spec: ProjectSpec, answers: dict[int, list[dict[str, Any]]]) -> tuple[list[list[Any]], Level, list | None]:
    """Items × answers for Krippendorff's alpha, with the level of measurement the question has."""
    if spec.task_type == "pairwise":
        units = [[PREFERENCE_ORDER.index(a["preference"]) for a in group if a.get("preference") in PREFERENCE_ORDER]
                 for group in answers.values()]
        return units, "ordinal", None
    if spec.task_type == "rating" and spec.criteria and not spec.criteria[0].scale.named:
        first = spec.criteria[0].id
        units = [[a.get("scores", {}).get(first) for a in group] for group in answers.values()]
        return units, "interval", None
    return [[comparable(spec, a) for a in group] for group in answers.values()], "nominal", None
