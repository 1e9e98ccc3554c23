"""Every statistic Panelist computes, checked against a reference implementation on the same data: Krippendorff's
alpha against `krippendorff`, Cohen's kappa against scikit-learn, Fleiss' kappa against statsmodels, fractional
ranks against SciPy, medians and spreads against NumPy; then the project report and the aggregated export, which
build their inputs from stored answers, against the reference fed the same answers by hand.

The libraries come with the `reference` extra (`pip install -e '.[dev,reference]'`, as the README's test command
and CI do); they are imported plainly, so a missing one fails here rather than skipping the comparison."""
from __future__ import annotations

import random
import statistics
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from scipy.stats import rankdata
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa as sm_fleiss_kappa

from domain.agreement import cohen_kappa, fleiss_kappa, krippendorff_alpha
from domain.exports import aggregate_item
from domain.item_answers import PREFERENCE_ORDER, borda_points, fractional_ranks
from domain.progress import agreement
from domain.project_spec import parse_project_spec

SPECS = Path(__file__).resolve().parent / "data" / "specs"
EXACT = 1e-15  # what "right" means here: the reference's float, to the last bits a double carries near 1
SEEDS = range(12)


def spec(stem: str):
    path = next(SPECS.glob(stem + ".*"))
    return parse_project_spec(path.read_bytes(), path.name)


def close(ours: float | None, reference: float) -> bool:
    return ours is not None and abs(ours - reference) <= EXACT * max(1.0, abs(reference))


def random_units(rng: random.Random, values: list, raters: int = 4, items: int = 25, missing: float = 0.2):
    return [[rng.choice(values) if rng.random() > missing else None for _ in range(raters)] for _ in range(items)]


def as_matrix(units: list[list], code=lambda v: v) -> np.ndarray:
    """Our items × raters lists as the reference's raters × items array, NaN for missing."""
    return np.array([[np.nan if v is None else code(v) for v in unit] for unit in units], dtype=float).T


# ---------------------------------------------------------------- the primitives


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_krippendorff_alpha_matches_the_krippendorff_package(seed, level):
    rng = random.Random(seed)
    values = [1, 2, 3, 4, 5] if level != "ratio" else [1, 2, 4, 8, 10]
    units = random_units(rng, values)
    ours = krippendorff_alpha(units, level)
    reference = krippendorff.alpha(reliability_data=as_matrix(units), level_of_measurement=level)
    assert close(ours, reference), (ours, reference)


@pytest.mark.parametrize("seed", SEEDS)
def test_ordinal_alpha_on_named_levels_matches_the_reference_on_their_positions(seed):
    levels = ("unsafe", "borderline", "safe")
    units = random_units(random.Random(seed), list(levels), raters=3)
    ours = krippendorff_alpha(units, "ordinal", categories=levels)
    reference = krippendorff.alpha(reliability_data=as_matrix(units, levels.index), level_of_measurement="ordinal",
                                   value_domain=[0, 1, 2])
    assert close(ours, reference), (ours, reference)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_cohen_kappa_matches_scikit_learn(seed, weights):
    rng = random.Random(seed)
    a = [rng.randint(1, 5) for _ in range(40)]
    b = [min(5, max(1, x + rng.choice([-1, 0, 0, 1]))) for x in a]
    ours = cohen_kappa(a, b, weights=weights, categories=[1, 2, 3, 4, 5])
    reference = cohen_kappa_score(a, b, weights=weights, labels=[1, 2, 3, 4, 5])
    assert close(ours, reference), (ours, reference)


@pytest.mark.parametrize("seed", SEEDS)
def test_fleiss_kappa_matches_statsmodels(seed):
    rng = random.Random(seed)
    units = [[rng.choice("abcd") for _ in range(5)] for _ in range(30)]  # Fleiss: the same number of raters each
    table, _ = aggregate_raters(np.array([["abcd".index(v) for v in u] for u in units]))
    ours = fleiss_kappa(units)
    reference = sm_fleiss_kappa(table, method="fleiss")
    assert close(ours, reference), (ours, reference)


@pytest.mark.parametrize("order", [
    [["a"], ["b"], ["c"]], [["a", "b", "c"]], [["a", "b"], ["c"]], [["c"], ["a", "b"], ["d"]],
    [["b"], ["a", "c", "d"], ["e"]],
])
def test_fractional_ranks_and_borda_points_match_scipy_average_ranks(order):
    # the position each response takes, ties as one value: rankdata's "average" method gives the shared rank
    ids = [rid for group in order for rid in group]
    position = [i for i, group in enumerate(order) for _ in group]
    reference = dict(zip(ids, rankdata(position, method="average")))
    assert fractional_ranks(order) == pytest.approx(reference, abs=EXACT)
    assert borda_points(order) == pytest.approx({rid: len(ids) - r for rid, r in reference.items()}, abs=EXACT)
    assert sum(borda_points(order).values()) == len(ids) * (len(ids) - 1) / 2  # ties share, never add points


# ---------------------------------------------------------------- the project report, per criterion


def rating_answers(rng: random.Random, items: int = 20, raters: int = 4) -> dict[int, list[dict]]:
    levels = ["unsafe", "borderline", "safe"]
    return {i: [{"scores": {"accuracy": rng.randint(1, 5), "safety": rng.choice(levels),
                            "completeness": rng.randint(1, 5)}} for _ in range(rng.randint(1, raters))]
            for i in range(items)}


def reference_alpha(groups: list[list], level: str, code=lambda v: v, domain=None) -> float:
    width = max(len(g) for g in groups)
    padded = [[code(v) for v in g] + [np.nan] * (width - len(g)) for g in groups]
    return krippendorff.alpha(reliability_data=np.array(padded, dtype=float).T, level_of_measurement=level,
                              value_domain=domain)


@pytest.mark.parametrize("seed", SEEDS)
def test_progress_agreement_per_criterion_matches_the_reference(seed):
    answers = rating_answers(random.Random(seed))
    result = agreement(spec("rating_medicine"), answers)
    by_id = {c.criterion: c for c in result.criteria}
    groups = [g for g in answers.values() if len(g) >= 2]
    for cid in ("accuracy", "completeness"):
        reference = reference_alpha([[a["scores"][cid] for a in g] for g in groups], "interval")
        assert by_id[cid].level == "interval" and close(by_id[cid].alpha, reference), cid
    levels = ["unsafe", "borderline", "safe"]
    reference = reference_alpha([[a["scores"]["safety"] for a in g] for g in groups], "ordinal", levels.index,
                                [0, 1, 2])
    assert by_id["safety"].level == "ordinal" and close(by_id["safety"].alpha, reference)
    assert close(result.alpha, statistics.fmean(c.alpha for c in result.criteria))


@pytest.mark.parametrize("seed", SEEDS)
def test_progress_agreement_on_preferences_and_rankings_matches_the_reference(seed):
    rng = random.Random(seed)
    prefs = {i: [{"preference": rng.choice(PREFERENCE_ORDER)} for _ in range(rng.randint(2, 4))] for i in range(20)}
    result = agreement(spec("pairwise_law"), prefs)
    reference = reference_alpha([[a["preference"] for a in g] for g in prefs.values()], "ordinal",
                                PREFERENCE_ORDER.index, list(range(5)))
    assert result.level == "ordinal" and close(result.alpha, reference)

    ids = ["a", "b", "c"]
    orders = {i: [rng.sample(ids, 3) for _ in range(rng.randint(2, 4))] for i in range(15)}
    answers = {i: [{"order": [[x] for x in o]} for o in group] for i, group in orders.items()}
    result = agreement(spec("ranking_software"), answers)
    units = [[o.index(rid) + 1 for o in group] for group in orders.values() for rid in ids]  # one unit per response
    assert result.level == "ordinal" and close(result.alpha, reference_alpha(units, "ordinal"))


def test_the_issue_s_rubric_where_only_the_second_criterion_disagrees():
    # four experts, every accuracy 4; completeness differs: the report names it instead of "every answer the same"
    groups = [[3, 4, 3, 2], [2, 4, 3, 3], [4, 3, 2, 4]]
    answers = {i: [{"scores": {"accuracy": 4, "safety": "safe", "completeness": c}} for c in g]
               for i, g in enumerate(groups)}
    result = agreement(spec("rating_medicine"), answers)
    completeness = next(c for c in result.criteria if c.criterion == "completeness")
    assert close(completeness.alpha, reference_alpha(groups, "interval"))


# ---------------------------------------------------------------- the aggregated export


@pytest.mark.parametrize("seed", SEEDS)
def test_aggregated_rating_statistics_match_numpy(seed):
    rng = random.Random(seed)
    answers = rating_answers(rng, items=1, raters=7)[0] + [{"scores": {"accuracy": 3, "safety": "safe",
                                                                         "completeness": 2}}]
    rec = aggregate_item(spec("rating_medicine"), "x", {"prompt": "p"}, answers)
    for cid in ("accuracy", "completeness"):
        given = np.array([a["scores"][cid] for a in answers], dtype=float)
        got = rec["scores"][cid]
        assert got["mean"] == round(float(np.mean(given)), 4) and got["median"] == round(float(np.median(given)), 4)
        assert got["sd"] == round(float(np.std(given, ddof=1)), 4)
    levels = ["unsafe", "borderline", "safe"]
    positions = np.array([levels.index(a["scores"]["safety"]) for a in answers])
    assert rec["scores"]["safety"]["median"] == levels[int(np.quantile(positions, 0.5, method="lower"))]


@pytest.mark.parametrize("seed", SEEDS)
def test_aggregated_ranks_match_scipy(seed):
    rng = random.Random(seed)
    ids = ["a", "b", "c", "d"]
    orders = []
    for _ in range(5):
        shuffled = rng.sample(ids, 4)
        cut = rng.randint(1, 3)  # one tie group somewhere
        tied = [shuffled[cut - 1:cut + 1]]
        orders.append([[x] for x in shuffled[:cut - 1]] + tied + [[x] for x in shuffled[cut + 1:]])
    rec = aggregate_item(spec("ranking_software"), "x", {"prompt": "p"}, [{"order": o} for o in orders])
    per_answer = []
    for o in orders:
        position = {rid: i for i, group in enumerate(o) for rid in group}
        per_answer.append(dict(zip(ids, rankdata([position[r] for r in ids], method="average"))))
    for rid in ids:
        ranks = [r[rid] for r in per_answer]
        assert rec["mean_rank"][rid] == round(float(np.mean(ranks)), 4)
        assert rec["borda"][rid] == round(float(sum(len(ids) - r for r in ranks)), 4)
