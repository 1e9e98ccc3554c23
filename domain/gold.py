"""Scoring a submitted answer against a gold (known-correct) answer.

Answers arrive as the plain dicts the task forms produce:

- rating    `{"scores": {criterion_id: int}, "justification": str}`
- pairwise  `{"preference": "a_much_better" | "a_better" | "tie" | "b_better" | "b_much_better", ...}`
- ranking   `{"order": [["r1"], ["r2", "r3"]]}` — best first; responses in one inner list are tied
- labeling  `{"labels": [...]}`

Every check returns `GoldResult(passed, score, detail)`: `passed` decides right/wrong (and feeds the
quality score), `score` in 0..1 says how close the answer came, `detail` is what the expert is shown
after a miss and what exports keep. The rules:

- labeling: passed on set equality (order and repeats ignored); score is the Jaccard overlap.
- pairwise: passed when the *direction* matches (A, tie, B); "much better" vs "better" is recorded in
  detail but not required — strength is a judgement call, direction is the fact being checked.
- rating: every gold criterion must be within its tolerance (|given − expected| ≤ tolerance);
  score is the share of criteria within tolerance; detail lists each criterion.
- ranking: Kendall's tau-b between the answer and the gold order, passed when tau-b ≥ threshold.
  Kendall rather than Spearman because it counts pairs ("5 of 6 pairs in the gold order"), which is
  easy to explain to an expert, and tau-b handles tied positions properly. Score is that share of
  pairs whose relation (before / tied / after) matches gold.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "GoldResult", "PREFERENCE_DIRECTION", "GOLD_KINDS", "DEFAULT_RANK_THRESHOLD",
    "score_labeling", "score_pairwise", "score_rating", "score_ranking", "score_against_gold", "gold_accuracy",
]

PREFERENCE_DIRECTION = {
    "a_much_better": "A", "a_better": "A", "tie": "tie", "b_better": "B", "b_much_better": "B",
}
GOLD_KINDS = ("rating", "pairwise", "ranking", "labeling")
# With 4 responses one swapped neighbour pair gives tau-b 0.67 (passes); with 3 it gives 0.33 (fails).
DEFAULT_RANK_THRESHOLD = 0.6
_EPS = 1e-9  # so tau-b computed through sqrt still meets a threshold it equals exactly (e.g. 2/3)


class GoldResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    passed: bool
    score: float = Field(ge=0.0, le=1.0)
    detail: dict[str, Any] = Field(default_factory=dict)


def _field(answer: Mapping[str, Any], key: str, what: str) -> Any:
    if not isinstance(answer, Mapping) or key not in answer:
        raise ValueError(f"{what} answer needs a {key!r} field")
    return answer[key]


def _sorted(values: set) -> list:
    return sorted(values, key=lambda v: (type(v).__name__, str(v)))


def score_labeling(answer: Mapping[str, Any], gold: Mapping[str, Any]) -> GoldResult:
    given = set(_labels(_field(answer, "labels", "labeling")))
    expected = set(_labels(_field(gold, "labels", "labeling gold")))
    union = given | expected
    score = 1.0 if not union else len(given & expected) / len(union)
    return GoldResult(
        passed=given == expected,
        score=score,
        detail={"expected": _sorted(expected), "given": _sorted(given),
                "missing": _sorted(expected - given), "extra": _sorted(given - expected)},
    )


def _labels(value: Any) -> list:
    if isinstance(value, str):  # one label sent bare instead of a one-item list
        return [value]
    if not isinstance(value, (list, tuple, set, frozenset)):
        raise ValueError("labels must be a list")
    return list(value)


def _direction(preference: Any) -> str:
    try:
        return PREFERENCE_DIRECTION[preference]
    except (KeyError, TypeError):
        raise ValueError(f"unknown preference {preference!r}") from None


def score_pairwise(answer: Mapping[str, Any], gold: Mapping[str, Any]) -> GoldResult:
    given = _field(answer, "preference", "pairwise")
    expected = _field(gold, "preference", "pairwise gold")
    passed = _direction(given) == _direction(expected)
    return GoldResult(
        passed=passed,
        score=1.0 if passed else 0.0,
        detail={"expected": expected, "given": given, "expected_direction": _direction(expected),
                "given_direction": _direction(given), "same_strength": given == expected},
    )


def score_rating(
    answer: Mapping[str, Any],
    gold: Mapping[str, Any],
    tolerance: Mapping[str, float] | None = None,
    default_tolerance: float = 0,
) -> GoldResult:
    """Each gold criterion must be within `tolerance[criterion]` (else `default_tolerance`).

    Criteria the gold does not score are ignored; a gold criterion the answer lacks fails.
    """
    expected: Mapping[str, Any] = _field(gold, "scores", "rating gold")
    given: Mapping[str, Any] = _field(answer, "scores", "rating")
    if not expected:
        raise ValueError("rating gold scores no criterion")
    tolerance = tolerance or {}
    criteria: dict[str, dict[str, Any]] = {}
    for crit, want in expected.items():
        allowed = tolerance.get(crit, default_tolerance)
        if allowed < 0:
            raise ValueError(f"tolerance for {crit!r} is negative")
        got = given.get(crit)
        ok = isinstance(got, (int, float)) and not isinstance(got, bool) and abs(got - want) <= allowed
        criteria[crit] = {"expected": want, "given": got, "tolerance": allowed, "passed": ok}
    passed_count = sum(c["passed"] for c in criteria.values())
    return GoldResult(
        passed=passed_count == len(criteria),
        score=passed_count / len(criteria),
        detail={"criteria": criteria, "failed": [c for c, d in criteria.items() if not d["passed"]]},
    )


def _positions(order: Any, what: str) -> dict[Any, int]:
    """Response id → tie-group index (0 = best). Refuses repeats: a response holds one place."""
    if not isinstance(order, (list, tuple)):
        raise ValueError(f"{what} order must be a list of lists")
    positions: dict[Any, int] = {}
    for place, group in enumerate(order):
        members = [group] if isinstance(group, str) else group
        if not isinstance(members, (list, tuple)):
            raise ValueError(f"{what} order must be a list of lists")
        for response in members:
            if response in positions:
                raise ValueError(f"{what} order lists {response!r} twice")
            positions[response] = place
    return positions


def _sign(x: int) -> int:
    return (x > 0) - (x < 0)


def score_ranking(
    answer: Mapping[str, Any], gold: Mapping[str, Any], threshold: float = DEFAULT_RANK_THRESHOLD,
) -> GoldResult:
    """Kendall's tau-b against the gold order; passed when tau-b ≥ `threshold`.

    Edge cases: if gold ties everything (or has one response) tau-b is undefined — the answer passes
    only if it ties everything too. If the answer ties everything but gold does not, tau-b is taken
    as 0 (no information). An answer that ranks a different set of responses fails with score 0.
    """
    given = _positions(_field(answer, "order", "ranking"), "ranking")
    expected = _positions(_field(gold, "order", "ranking gold"), "ranking gold")
    if set(given) != set(expected):
        return GoldResult(passed=False, score=0.0, detail={
            "error": "responses_differ", "missing": _sorted(set(expected) - set(given)),
            "extra": _sorted(set(given) - set(expected)), "threshold": threshold})
    concordant = discordant = tied_gold = tied_answer = same_relation = 0
    pairs = list(combinations(expected, 2))
    for i, j in pairs:
        g = _sign(expected[i] - expected[j])
        a = _sign(given[i] - given[j])
        same_relation += g == a
        if g == 0:
            tied_gold += 1
        if a == 0:
            tied_answer += 1
        if g * a > 0:
            concordant += 1
        elif g * a < 0:
            discordant += 1
    n = len(pairs)
    score = 1.0 if n == 0 else same_relation / n
    if n - tied_gold == 0:
        tau = None
        passed = n - tied_answer == 0
    else:
        denominator = math.sqrt((n - tied_gold) * (n - tied_answer))
        tau = 0.0 if denominator == 0 else (concordant - discordant) / denominator
        passed = tau >= threshold - _EPS
    return GoldResult(passed=passed, score=score, detail={
        "tau_b": tau, "threshold": threshold, "pairs": n, "same_order_pairs": same_relation,
        "concordant": concordant, "discordant": discordant, "expected": _field(gold, "order", "")})


def score_against_gold(
    kind: str,
    answer: Mapping[str, Any],
    gold: Mapping[str, Any],
    *,
    tolerance: Mapping[str, float] | None = None,
    default_tolerance: float = 0,
    rank_threshold: float = DEFAULT_RANK_THRESHOLD,
) -> GoldResult:
    """Dispatch on the task kind (`GOLD_KINDS`); other kinds have no automatic gold check."""
    if kind == "labeling":
        return score_labeling(answer, gold)
    if kind == "pairwise":
        return score_pairwise(answer, gold)
    if kind == "rating":
        return score_rating(answer, gold, tolerance, default_tolerance)
    if kind == "ranking":
        return score_ranking(answer, gold, rank_threshold)
    raise ValueError(f"no automatic gold check for {kind!r} tasks (only {', '.join(GOLD_KINDS)})")


def gold_accuracy(results: Sequence[GoldResult]) -> float | None:
    """Share of gold items passed, or None with no gold items yet."""
    return None if not results else sum(r.passed for r in results) / len(results)
