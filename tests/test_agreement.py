"""Agreement statistics checked against published worked examples, then invariants by property tests."""
from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.agreement import (
    PREFERENCE_SCALE,
    cohen_kappa,
    fleiss_kappa,
    fleiss_kappa_from_counts,
    krippendorff_alpha,
    percent_agreement,
)

N = None


def raters_from_table(table: list[list[int]]) -> tuple[list[int], list[int]]:
    """Expand a rater-A × rater-B contingency table into two parallel rating lists."""
    a: list[int] = []
    b: list[int] = []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            a += [i] * count
            b += [j] * count
    return a, b


# --- Cohen's kappa -------------------------------------------------------------------------------

def test_cohen_wikipedia_example():
    # Wikipedia, "Cohen's kappa", simple worked example: 50 grant proposals, Yes/Yes 20, A-Yes/B-No 5,
    # A-No/B-Yes 10, No/No 15 → p_o = 0.7, p_e = 0.5, κ = 0.4.
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert percent_agreement(zip(a, b)) == pytest.approx(0.7)
    assert cohen_kappa(a, b) == pytest.approx(0.4)


def test_cohen_sas_example_unweighted_and_linear():
    # SAS PROC FREQ AGREE example table [[0,4,1],[0,8,0],[0,1,5]] as reproduced in statsmodels'
    # test_inter_rater.py: simple kappa 0.4842, weighted kappa (Cicchetti–Allison, i.e. linear) 0.4701.
    a, b = raters_from_table([[0, 4, 1], [0, 8, 0], [0, 1, 5]])
    assert cohen_kappa(a, b) == pytest.approx(0.4842, abs=5e-5)
    assert cohen_kappa(a, b, weights="linear", categories=[0, 1, 2]) == pytest.approx(0.4701, abs=5e-5)


ANXIETY = [  # R package irr, data set `anxiety` (20 subjects × 3 raters), given column by column
    3, 3, 3, 4, 5, 5, 2, 3, 5, 2, 2, 6, 1, 5, 2, 2, 1, 2, 4, 3,
    3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4,
    2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2,
]


def test_cohen_irr_anxiety_weighted():
    # irr::kappa2(anxiety[,2:3]) = -0.006289308; with "equal" (linear) weights 0.1459075; "squared"
    # 0.2520325 (values published in irr's output, reproduced in statsmodels' tests). irr spaces the
    # observed levels equally, which is what we do when `categories` is not given.
    r2, r3 = ANXIETY[20:40], ANXIETY[40:60]
    assert cohen_kappa(r2, r3) == pytest.approx(-0.006289308, abs=1e-9)
    assert cohen_kappa(r2, r3, weights="linear") == pytest.approx(0.1459075, abs=1e-7)
    assert cohen_kappa(r2, r3, weights="quadratic") == pytest.approx(0.2520325, abs=1e-7)


def test_cohen_degenerate_cases():
    assert cohen_kappa([], []) is None
    assert cohen_kappa([None, "x"], ["y", None]) is None  # no item rated by both
    assert cohen_kappa(["x", "x"], ["x", "x"]) is None  # one category: chance agreement is already 1
    assert cohen_kappa(["x", "y"], ["y", "x"]) == pytest.approx(-1.0)
    assert cohen_kappa([1, 1], [1, 1], weights="quadratic") is None
    with pytest.raises(ValueError):
        cohen_kappa(["x"], ["x", "y"])
    with pytest.raises(ValueError):
        cohen_kappa(["x"], ["x"], weights="cubic")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        cohen_kappa(["low", "high"], ["high", "low"], weights="linear", categories=["low", "mid"])


def test_cohen_skips_missing_pairs():
    assert cohen_kappa(["a", "b", None, "a"], ["a", "b", "a", None]) == 1.0


# --- Fleiss' kappa -------------------------------------------------------------------------------

def test_fleiss_wikipedia_example():
    # Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories;
    # P̄ = 0.378, P_e = 0.213, κ = 0.210.
    table = [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]
    assert fleiss_kappa_from_counts(table) == pytest.approx(0.210, abs=5e-4)


DIAGNOSES = [  # Fleiss (1971): 30 patients, 6 psychiatrists, 5 diagnoses (R irr `diagnoses`)
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
]


def test_fleiss_1971_psychiatric_diagnoses():
    # Fleiss (1971), "Measuring nominal scale agreement among many raters", Psychological Bulletin 76(5):
    # overall κ = 0.430 (irr::kappam.fleiss(diagnoses) = 0.4302445).
    assert fleiss_kappa(DIAGNOSES) == pytest.approx(0.4302445, abs=1e-7)


def test_fleiss_varying_raters_reduces_to_constant_case():
    # Dropping a rating from a unit changes the value, but padding with None must not.
    padded = [row + [None, None] for row in DIAGNOSES]
    assert fleiss_kappa(padded) == fleiss_kappa(DIAGNOSES)
    uneven = [row[: 2 + i % 5] for i, row in enumerate(DIAGNOSES)]
    value = fleiss_kappa(uneven)
    assert value is not None and -1 <= value <= 1


def test_fleiss_two_raters_is_scotts_pi():
    # With two raters per item Fleiss' kappa is Scott's pi; Krippendorff (2011) notes nominal alpha
    # then differs from pi only by the factor n/(n-1) on the expected disagreement.
    a = list("aabbdcccedda")
    b = list("babbbcccdddd")
    units = list(zip(a, b))
    pi = fleiss_kappa(units)
    n = 2 * len(units)
    alpha = krippendorff_alpha(units)
    assert alpha == pytest.approx(1 - (1 - pi) * (n - 1) / n)


def test_fleiss_degenerate_cases():
    assert fleiss_kappa([]) is None
    assert fleiss_kappa([["x"], ["y"]]) is None  # single rater per item: no pairs
    assert fleiss_kappa([["x", "x"], ["x", "x", "x"]]) is None  # one category only
    assert fleiss_kappa_from_counts([[0, 0], [1, 0]]) is None
    with pytest.raises(ValueError):
        fleiss_kappa_from_counts([[-1, 3]])


# --- Krippendorff's alpha ------------------------------------------------------------------------

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example C: 4 observers × 12 units
# with missing values (given there observer by observer; transposed here to units × coders).
KRIPP_C = list(zip(
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
))


@pytest.mark.parametrize(("level", "expected"), [
    ("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797),
])
def test_krippendorff_2011_example_c(level, expected):
    assert krippendorff_alpha(KRIPP_C, level) == pytest.approx(expected, abs=5e-4)


def test_krippendorff_2011_binary_and_two_observer_nominal():
    # Same paper, example A (binary, two observers): α = 0.095; example B (nominal, two observers): 0.692.
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    assert krippendorff_alpha(list(zip(a, b))) == pytest.approx(0.095, abs=5e-4)
    assert krippendorff_alpha(list(zip("aabbdcccedda", "babbbcccedd" "d"))) == pytest.approx(0.692, abs=5e-4)


def test_krippendorff_wikipedia_computational_example():
    # Wikipedia, "Krippendorff's alpha", computational example: 3 coders × 15 units with gaps:
    # nominal α = 0.691, interval α = 0.811 (0.810845 in the `krippendorff` package's tests).
    coders = [
        [N, N, N, N, N, 3, 4, 1, 2, 1, 1, 3, 3, N, 3],
        [1, N, 2, 1, 3, 3, 4, 3, N, N, N, N, N, N, N],
        [N, N, 2, 1, 3, 4, 4, N, 2, 1, 1, 3, 3, N, 4],
    ]
    units = list(zip(*coders))
    assert krippendorff_alpha(units, "nominal") == pytest.approx(0.691358, abs=1e-6)
    assert krippendorff_alpha(units, "interval") == pytest.approx(0.810845, abs=1e-6)


def test_krippendorff_ordinal_labels_need_order():
    scale = ["very low", "low", "mid", "high", "very high"]
    names = {i + 1: s for i, s in enumerate(scale)}
    labelled = [[names.get(v) for v in unit] for unit in KRIPP_C]
    assert krippendorff_alpha(labelled, "ordinal", categories=scale) == pytest.approx(0.815, abs=5e-4)
    with pytest.raises(ValueError):
        krippendorff_alpha([["low", 3], ["high", "low"]], "ordinal")
    with pytest.raises(ValueError):
        krippendorff_alpha([["a", "b"]], "interval")


def test_krippendorff_missing_and_degenerate():
    assert krippendorff_alpha([]) is None
    assert krippendorff_alpha([[1, None], [None, 2]]) is None  # nothing pairable
    assert krippendorff_alpha([[1, 1], [1, 1]]) is None  # no variation: 0/0
    assert krippendorff_alpha([[1.0, float("nan"), 2.0], [1.0, 1.0, None]], "interval") is not None
    assert krippendorff_alpha([[0, 0], [1, 1], [2, 2]], "ratio") == 1.0  # zeros do not divide by zero
    with pytest.raises(ValueError):
        krippendorff_alpha([[1, 2]], "cardinal")  # type: ignore[arg-type]


def test_preferences_and_label_sets():
    near = [["a_better", "a_much_better"], ["b_better", "b_better"], ["tie", "tie"], ["a_better", "a_better"]]
    far = [["b_much_better", "a_much_better"], ["b_better", "b_better"], ["tie", "tie"], ["a_better", "a_better"]]
    ordinal_near = krippendorff_alpha(near, "ordinal", categories=PREFERENCE_SCALE)
    ordinal_far = krippendorff_alpha(far, "ordinal", categories=PREFERENCE_SCALE)
    assert ordinal_near > ordinal_far  # a near miss costs less than opposite verdicts
    assert percent_agreement(near) == percent_agreement(far) == 0.75  # raw matching cannot tell them apart
    sets = [[frozenset({"spam"}), frozenset({"spam"})], [frozenset({"ok", "long"}), frozenset({"long", "ok"})],
            [frozenset(), frozenset({"ok"})]]
    assert percent_agreement(sets) == pytest.approx(2 / 3)
    assert krippendorff_alpha(sets) is not None


# --- percent agreement ---------------------------------------------------------------------------

def test_percent_agreement_many_raters():
    # 3 of 4 agree → 3 agreeing pairs of 6; all agree → 1; single rating ignored.
    assert percent_agreement([["a", "a", "a", "b"], ["x", "x"], ["z"]]) == pytest.approx((0.5 + 1) / 2)
    assert percent_agreement([]) is None
    assert percent_agreement([["a"], [None, "b"]]) is None


# --- invariants ----------------------------------------------------------------------------------

labels = st.sampled_from(["a", "b", "c", "d"])
unit_lists = st.lists(st.lists(st.one_of(st.none(), labels), min_size=3, max_size=3), min_size=1, max_size=25)
scores = st.integers(min_value=1, max_value=5)


@given(st.lists(st.tuples(labels, st.integers(2, 6)), min_size=2, max_size=20))
def test_perfect_agreement_is_one(items):
    units = [[label] * raters for label, raters in items]
    if len({label for label, _ in items}) < 2:
        assert fleiss_kappa(units) is None
        assert krippendorff_alpha(units) is None
        return
    assert percent_agreement(units) == 1.0
    assert fleiss_kappa(units) == 1.0
    for level in ("nominal", "ordinal"):
        assert krippendorff_alpha(units, level) == 1.0
    a = [u[0] for u in units]
    assert cohen_kappa(a, a) == 1.0
    assert cohen_kappa(a, a, weights="quadratic") == 1.0


@given(unit_lists, st.randoms(use_true_random=False))
def test_item_and_rater_order_do_not_matter(units, rnd: random.Random):
    shuffled = list(units)
    rnd.shuffle(shuffled)
    columns = list(range(3))
    rnd.shuffle(columns)
    swapped = [[u[c] for c in columns] for u in shuffled]
    assert percent_agreement(swapped) == percent_agreement(units)
    assert fleiss_kappa(swapped) == fleiss_kappa(units)
    for level in ("nominal", "ordinal"):
        assert krippendorff_alpha(swapped, level) == krippendorff_alpha(units, level)
    a, b = [u[0] for u in units], [u[1] for u in units]
    sa, sb = [u[0] for u in shuffled], [u[1] for u in shuffled]
    assert cohen_kappa(sa, sb) == cohen_kappa(a, b)
    assert cohen_kappa(b, a) == cohen_kappa(a, b)  # unweighted kappa is symmetric in the raters


@given(st.lists(st.lists(st.one_of(st.none(), scores), min_size=2, max_size=4), min_size=1, max_size=20))
def test_values_stay_in_range(units):
    for level in ("nominal", "ordinal", "interval", "ratio"):
        value = krippendorff_alpha(units, level)
        assert value is None or -2.0 <= value <= 1.0  # alpha's floor is -1 only asymptotically
    value = fleiss_kappa(units)
    assert value is None or -1.0 <= value <= 1.0
    pa = percent_agreement(units)
    assert pa is None or 0.0 <= pa <= 1.0


@settings(max_examples=20)
@given(st.lists(st.tuples(scores, scores), min_size=1, max_size=30))
def test_weighted_kappa_bounds(pairs):
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    for weights in (None, "linear", "quadratic"):
        value = cohen_kappa(a, b, weights=weights, categories=[1, 2, 3, 4, 5])
        assert value is None or -1.0 <= value <= 1.0


def test_large_input_is_fast_enough():
    rnd = random.Random(7)
    units = [[rnd.choice([1, 2, 3, 4, 5, None]) for _ in range(5)] for _ in range(5000)]
    for level in ("nominal", "ordinal", "interval"):
        value = krippendorff_alpha(units, level)
        assert value is not None and abs(value) < 0.1  # random ratings: near-zero reliability
