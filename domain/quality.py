"""An expert's quality score from gold accuracy, review outcomes and agreement with peers.

Formula (all parts are shares in 0..1):

    gold       G = gold items passed / gold items answered
    review     R = (approved + c · rework) / (approved + rework + rejected),  c = `rework_credit`
    agreement  A = mean over shared items of (peers who gave the same answer / peers on that item)

    Q = Σ w_x · x / Σ w_x   over the parts x ∈ {G, R, A} that have at least one data point

Parts without data are left out and the remaining weights renormalised, so a new project with no
gold items still scores on reviews and agreement. Data points = gold items + review decisions +
shared items; below `min_data_points` the score is `None` ("not enough data yet") — a few early
answers should neither pause nor flatter anyone. The same function serves per project and overall:
the caller passes the counts for the scope it wants.

Why these choices: a plain weighted average is easy to explain in one chat message (see
`EXPLANATION_KEYS`); rework is partial credit because the answer was salvageable but not right;
agreement uses raw matching rather than kappa because per-expert item counts are small and kappa's
chance correction is unstable there (project-level kappa/alpha live in `domain.agreement`).
"""
from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "QualityConfig", "QualityInputs", "QualityScore", "quality_score", "peer_agreement", "should_pause",
    "explain", "EXPLANATION_KEYS",
]


class QualityConfig(BaseModel):
    """Weights and thresholds; a project spec may override any of them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    gold_weight: float = Field(0.5, ge=0)
    review_weight: float = Field(0.3, ge=0)
    agreement_weight: float = Field(0.2, ge=0)
    rework_credit: float = Field(0.5, ge=0, le=1)
    min_data_points: int = Field(10, ge=1)

    @model_validator(mode="after")
    def _some_weight(self) -> QualityConfig:
        if self.gold_weight + self.review_weight + self.agreement_weight <= 0:
            raise ValueError("at least one quality weight must be positive")
        return self


class QualityInputs(BaseModel):
    """Counts for one expert in one scope (a project, or everything)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    gold_passed: int = Field(0, ge=0)
    gold_total: int = Field(0, ge=0)
    approved: int = Field(0, ge=0)
    rework: int = Field(0, ge=0)
    rejected: int = Field(0, ge=0)
    agreement: float | None = Field(None, ge=0, le=1)
    agreement_items: int = Field(0, ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> QualityInputs:
        if self.gold_passed > self.gold_total:
            raise ValueError("gold_passed cannot exceed gold_total")
        if (self.agreement is None) != (self.agreement_items == 0):
            raise ValueError("agreement and agreement_items go together")
        return self

    @property
    def reviews(self) -> int:
        return self.approved + self.rework + self.rejected

    @property
    def data_points(self) -> int:
        return self.gold_total + self.reviews + self.agreement_items


class QualityScore(BaseModel):
    model_config = ConfigDict(frozen=True)

    score: float | None  # None until there are `needed` data points
    data_points: int
    needed: int
    gold: float | None  # each part's share, None without data
    review: float | None
    agreement: float | None


def quality_score(inputs: QualityInputs, config: QualityConfig | None = None) -> QualityScore:
    config = config or QualityConfig()
    gold = inputs.gold_passed / inputs.gold_total if inputs.gold_total else None
    review = ((inputs.approved + config.rework_credit * inputs.rework) / inputs.reviews
              if inputs.reviews else None)
    agreement = inputs.agreement
    parts = [(gold, config.gold_weight), (review, config.review_weight), (agreement, config.agreement_weight)]
    weight = sum(w for x, w in parts if x is not None)
    score = None
    if inputs.data_points >= config.min_data_points and weight > 0:
        score = sum(x * w for x, w in parts if x is not None) / weight
        score = min(1.0, max(0.0, score))  # float rounding must not leave 0..1
    return QualityScore(score=score, data_points=inputs.data_points, needed=config.min_data_points,
                        gold=gold, review=review, agreement=agreement)


def peer_agreement(
    own: Mapping[Hashable, Hashable], peers: Mapping[Hashable, Sequence[Hashable | None]],
) -> tuple[float | None, int]:
    """(agreement share, shared items) for one expert: `own[item]` vs the other experts' `peers[item]`.

    Each shared item counts once: the share of its peers who gave the same answer. Items nobody else
    answered are not shared. Compare what the question compares — labels as frozensets, pairwise as
    direction (see `gold.PREFERENCE_DIRECTION`), ratings per criterion.
    """
    shares: list[float] = []
    for item, mine in own.items():
        others = [v for v in peers.get(item, ()) if v is not None]
        if mine is None or not others:
            continue
        shares.append(sum(v == mine for v in others) / len(others))
    if not shares:
        return None, 0
    return sum(shares) / len(shares), len(shares)


def should_pause(result: QualityScore, threshold: float | None) -> bool:
    """Pause assignment only on a real score below the project's threshold, never for lack of data."""
    return threshold is not None and result.score is not None and result.score < threshold


def _pct(x: float) -> int:
    return round(x * 100)


def explain(
    result: QualityScore, inputs: QualityInputs, config: QualityConfig | None = None,
) -> list[tuple[str, dict[str, Any]]]:
    """The `/stats` explanation as (catalog key, params) lines, in display order.

    Percentages are whole numbers (the catalog adds the % sign) so no locale decimal separator is
    needed; the handler turns each pair into a `Msg`.
    """
    config = config or QualityConfig()
    lines: list[tuple[str, dict[str, Any]]] = []
    if result.score is None:
        lines.append(("quality.explain.not_enough_data",
                      {"count": result.needed, "points": result.data_points, "needed": result.needed}))
    else:
        lines.append(("quality.explain.score", {"score": _pct(result.score)}))
    if result.gold is not None:
        lines.append(("quality.explain.gold", {"passed": inputs.gold_passed, "total": inputs.gold_total,
                                               "rate": _pct(result.gold)}))
    if result.review is not None:
        lines.append(("quality.explain.review", {"approved": inputs.approved, "rework": inputs.rework,
                                                 "rejected": inputs.rejected, "rate": _pct(result.review),
                                                 "rework_credit": _pct(config.rework_credit)}))
    if result.agreement is not None:
        lines.append(("quality.explain.agreement", {"items": inputs.agreement_items,
                                                    "rate": _pct(result.agreement)}))
    total = config.gold_weight + config.review_weight + config.agreement_weight
    lines.append(("quality.explain.formula", {"gold_weight": _pct(config.gold_weight / total),
                                              "review_weight": _pct(config.review_weight / total),
                                              "agreement_weight": _pct(config.agreement_weight / total)}))
    return lines


# The catalog keys `explain` (and the pause notice) use; their texts live only in the catalogs.
EXPLANATION_KEYS = (
    "quality.explain.score",
    "quality.explain.not_enough_data",
    "quality.explain.gold",
    "quality.explain.review",
    "quality.explain.agreement",
    "quality.explain.formula",
    "quality.explain.paused",
)
