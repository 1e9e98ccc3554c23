"""Gold checks per task kind: what passes, the partial score, and the detail shown after a miss."""
from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.gold import (
    GoldResult,
    gold_accuracy,
    score_against_gold,
    score_labeling,
    score_pairwise,
    score_ranking,
    score_rating,
)

# --- labeling ------------------------------------------------------------------------------------

def test_labeling_is_set_equality():
    result = score_labeling({"labels": ["b", "a", "a"]}, {"labels": ["a", "b"]})
    assert result.passed and result.score == 1.0


def test_labeling_miss_reports_missing_and_extra():
    result = score_labeling({"labels": ["a", "c"]}, {"labels": ["a", "b"]})
    assert not result.passed
    assert result.score == pytest.approx(1 / 3)  # Jaccard: {a} of {a, b, c}
    assert result.detail["missing"] == ["b"] and result.detail["extra"] == ["c"]


def test_labeling_edge_cases():
    assert score_labeling({"labels": []}, {"labels": []}).passed
    assert score_labeling({"labels": "spam"}, {"labels": ["spam"]}).passed
    assert not score_labeling({"labels": []}, {"labels": ["spam"]}).passed
    with pytest.raises(ValueError):
        score_labeling({}, {"labels": ["spam"]})
    with pytest.raises(ValueError):
        score_labeling({"labels": 3}, {"labels": ["spam"]})


# --- pairwise ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("given_pref", "gold_pref", "passed"), [
    ("a_much_better", "a_better", True), ("a_better", "a_better", True), ("tie", "tie", True),
    ("b_better", "b_much_better", True), ("a_better", "tie", False), ("b_better", "a_better", False),
    ("tie", "b_much_better", False),
])
def test_pairwise_direction(given_pref, gold_pref, passed):
    result = score_pairwise({"preference": given_pref, "justification": "…"}, {"preference": gold_pref})
    assert result.passed is passed
    assert result.score == (1.0 if passed else 0.0)
    assert result.detail["same_strength"] == (given_pref == gold_pref)


def test_pairwise_unknown_preference():
    with pytest.raises(ValueError):
        score_pairwise({"preference": "a_best"}, {"preference": "a_better"})


# --- rating --------------------------------------------------------------------------------------

def test_rating_within_tolerance_per_criterion():
    gold = {"scores": {"accuracy": 4, "clarity": 3, "safety": 5}}
    answer = {"scores": {"accuracy": 5, "clarity": 3, "safety": 4, "extra": 1}, "justification": "ok"}
    result = score_rating(answer, gold, tolerance={"accuracy": 1, "safety": 1})
    assert result.passed and result.score == 1.0
    strict = score_rating(answer, gold, tolerance={"accuracy": 1})
    assert not strict.passed
    assert strict.score == pytest.approx(2 / 3)
    assert strict.detail["failed"] == ["safety"]
    assert strict.detail["criteria"]["safety"] == {"expected": 5, "given": 4, "tolerance": 0, "passed": False}


def test_rating_default_tolerance_and_missing_criterion():
    gold = {"scores": {"a": 3, "b": 3}}
    assert score_rating({"scores": {"a": 4, "b": 2}}, gold, default_tolerance=1).passed
    result = score_rating({"scores": {"a": 3}}, gold)
    assert not result.passed and result.detail["criteria"]["b"]["given"] is None
    with pytest.raises(ValueError):
        score_rating({"scores": {}}, {"scores": {}})
    with pytest.raises(ValueError):
        score_rating({"scores": {"a": 3}}, {"scores": {"a": 3}}, tolerance={"a": -1})


# --- ranking -------------------------------------------------------------------------------------

def test_ranking_identical_and_reversed():
    gold = {"order": [["r1"], ["r2"], ["r3"], ["r4"]]}
    same = score_ranking({"order": [["r1"], ["r2"], ["r3"], ["r4"]]}, gold)
    assert same.passed and same.score == 1.0 and same.detail["tau_b"] == pytest.approx(1.0)
    reverse = score_ranking({"order": [["r4"], ["r3"], ["r2"], ["r1"]]}, gold)
    assert not reverse.passed and reverse.score == 0.0 and reverse.detail["tau_b"] == pytest.approx(-1.0)


def test_ranking_one_swap_passes_with_four_fails_with_three():
    four = score_ranking({"order": [["r2"], ["r1"], ["r3"], ["r4"]]}, {"order": [["r1"], ["r2"], ["r3"], ["r4"]]})
    assert four.passed and four.detail["tau_b"] == pytest.approx(4 / 6)
    assert four.score == pytest.approx(5 / 6)
    three = score_ranking({"order": [["r2"], ["r1"], ["r3"]]}, {"order": [["r1"], ["r2"], ["r3"]]})
    assert not three.passed and three.detail["tau_b"] == pytest.approx(1 / 3)


def test_ranking_tau_b_with_ties_matches_scipy_documentation():
    # scipy.stats.kendalltau docs example: x = [12, 2, 1, 12, 2], y = [1, 4, 7, 1, 0] → tau-b = -0.47140.
    # As rankings (higher value = better place): x → [[a, d], [b, e], [c]], y → [[c], [b], [a, d], [e]].
    result = score_ranking({"order": [["c"], ["b"], ["a", "d"], ["e"]]}, {"order": [["a", "d"], ["b", "e"], ["c"]]})
    assert result.detail["tau_b"] == pytest.approx(-0.47140452079103173)
    assert not result.passed


def test_ranking_ties_and_degenerate_orders():
    gold_tied = {"order": [["r1", "r2"]]}
    assert score_ranking({"order": [["r2", "r1"]]}, gold_tied).passed
    assert not score_ranking({"order": [["r1"], ["r2"]]}, gold_tied).passed
    all_tied_answer = score_ranking({"order": [["r1", "r2", "r3"]]}, {"order": [["r1"], ["r2"], ["r3"]]})
    assert not all_tied_answer.passed and all_tied_answer.detail["tau_b"] == 0.0
    assert score_ranking({"order": [["r1"]]}, {"order": [["r1"]]}).passed
    assert score_ranking({"order": ["r1", "r2"]}, {"order": [["r1"], ["r2"]]}).passed  # bare ids allowed


def test_ranking_different_responses_fail_cleanly():
    result = score_ranking({"order": [["r1"], ["r9"]]}, {"order": [["r1"], ["r2"]]})
    assert not result.passed and result.score == 0.0
    assert result.detail["missing"] == ["r2"] and result.detail["extra"] == ["r9"]
    with pytest.raises(ValueError):
        score_ranking({"order": [["r1"], ["r1"]]}, {"order": [["r1"], ["r2"]]})


def test_ranking_threshold_is_configurable():
    answer = {"order": [["r2"], ["r1"], ["r3"], ["r4"]]}
    gold = {"order": [["r1"], ["r2"], ["r3"], ["r4"]]}
    assert not score_ranking(answer, gold, threshold=0.9).passed
    assert score_ranking(answer, gold, threshold=2 / 3).passed  # float rounding of tau must not fail it
    assert not score_ranking(answer, gold, threshold=0.67).passed


@given(st.permutations(["r1", "r2", "r3", "r4", "r5"]), st.randoms(use_true_random=False))
def test_ranking_properties(perm, rnd: random.Random):
    gold = {"order": [[r] for r in perm]}
    assert score_ranking(gold, gold).passed
    shuffled = list(perm)
    rnd.shuffle(shuffled)
    result = score_ranking({"order": [[r] for r in shuffled]}, gold)
    assert 0.0 <= result.score <= 1.0
    assert -1.0 <= result.detail["tau_b"] <= 1.0
    reverse = score_ranking({"order": [[r] for r in reversed(shuffled)]}, gold)
    assert result.detail["tau_b"] == pytest.approx(-reverse.detail["tau_b"])


# --- dispatch and accuracy -----------------------------------------------------------------------

def test_dispatch_by_kind():
    assert score_against_gold("labeling", {"labels": ["x"]}, {"labels": ["x"]}).passed
    assert score_against_gold("pairwise", {"preference": "tie"}, {"preference": "tie"}).passed
    assert score_against_gold("rating", {"scores": {"a": 2}}, {"scores": {"a": 3}}, default_tolerance=1).passed
    assert score_against_gold("ranking", {"order": [["r1"], ["r2"]]}, {"order": [["r1"], ["r2"]]}).passed
    with pytest.raises(ValueError):
        score_against_gold("rewrite", {}, {})


def test_gold_accuracy_and_result_bounds():
    results = [GoldResult(passed=True, score=1.0), GoldResult(passed=False, score=0.5)]
    assert gold_accuracy(results) == 0.5
    assert gold_accuracy([]) is None
    with pytest.raises(ValueError):
        GoldResult(passed=True, score=1.5)
