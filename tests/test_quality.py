"""Quality score: the documented formula, the data-point minimum, and the explanation texts."""
from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.i18n import default_catalogs
from bot.i18n.text import msg
from domain import quality
from domain.quality import (
    QualityConfig,
    QualityInputs,
    explain,
    peer_agreement,
    quality_score,
    should_pause,
)


def test_formula_by_hand():
    inputs = QualityInputs(gold_passed=8, gold_total=10, approved=6, rework=2, rejected=2,
                           agreement=0.75, agreement_items=4)
    result = quality_score(inputs)
    # G = 0.8, R = (6 + 0.5·2) / 10 = 0.7, A = 0.75 → 0.5·0.8 + 0.3·0.7 + 0.2·0.75 = 0.76
    assert result.gold == pytest.approx(0.8)
    assert result.review == pytest.approx(0.7)
    assert result.score == pytest.approx(0.76)
    assert result.data_points == 24


def test_missing_parts_renormalise():
    result = quality_score(QualityInputs(approved=9, rejected=3))
    assert result.gold is None and result.agreement is None
    assert result.score == pytest.approx(0.75)  # reviews alone carry the whole weight
    only_agreement = quality_score(QualityInputs(agreement=0.5, agreement_items=12))
    assert only_agreement.score == pytest.approx(0.5)


def test_not_enough_data_is_none():
    result = quality_score(QualityInputs(gold_passed=0, gold_total=3, rejected=2))
    assert result.score is None and result.data_points == 5 and result.needed == 10
    assert quality_score(QualityInputs(gold_passed=0, gold_total=3), QualityConfig(min_data_points=3)).score == 0.0
    assert quality_score(QualityInputs()).score is None


def test_config_changes_weights_and_rework_credit():
    inputs = QualityInputs(gold_passed=10, gold_total=10, approved=0, rework=10)
    assert quality_score(inputs, QualityConfig(gold_weight=1, review_weight=1)).score == pytest.approx(0.75)
    assert quality_score(inputs, QualityConfig(gold_weight=0, rework_credit=0)).score == 0.0
    # a part with data but zero weight, and no other part: no score rather than 0/0
    assert quality_score(QualityInputs(agreement=1.0, agreement_items=20),
                         QualityConfig(agreement_weight=0)).score is None


def test_invalid_config_and_inputs_are_refused():
    with pytest.raises(ValidationError):
        QualityConfig(gold_weight=0, review_weight=0, agreement_weight=0)
    with pytest.raises(ValidationError):
        QualityConfig(rework_credit=1.5)
    with pytest.raises(ValidationError):
        QualityConfig(min_data_points=0)
    with pytest.raises(ValidationError):
        QualityInputs(gold_passed=3, gold_total=2)
    with pytest.raises(ValidationError):
        QualityInputs(agreement=0.5)  # a share without the number of items behind it
    with pytest.raises(ValidationError):
        QualityInputs(approved=-1)


def test_peer_agreement():
    own = {"i1": "A", "i2": "B", "i3": "tie", "i4": "A"}
    peers = {"i1": ["A", "A"], "i2": ["A", "B", None], "i3": [], "i5": ["A"]}
    rate, items = peer_agreement(own, peers)
    assert items == 2  # i3 has no peer answer, i4 none at all, i5 not answered by this expert
    assert rate == pytest.approx((1.0 + 0.5) / 2)
    assert peer_agreement({"i1": "A"}, {}) == (None, 0)


def test_should_pause_only_on_a_real_low_score():
    low = quality_score(QualityInputs(approved=1, rejected=9))
    assert should_pause(low, 0.5)
    assert not should_pause(low, None)
    assert not should_pause(quality_score(QualityInputs(rejected=2)), 0.5)  # not enough data: never pause
    assert not should_pause(quality_score(QualityInputs(approved=10)), 0.5)


def test_explain_lines():
    inputs = QualityInputs(gold_passed=8, gold_total=10, approved=6, rework=2, rejected=2,
                           agreement=0.75, agreement_items=4)
    lines = explain(quality_score(inputs), inputs)
    assert [key for key, _ in lines] == [
        "quality.explain.score", "quality.explain.gold", "quality.explain.review",
        "quality.explain.agreement", "quality.explain.formula",
    ]
    params = dict(lines)
    assert params["quality.explain.score"] == {"score": 76}
    assert params["quality.explain.review"]["rework_credit"] == 50
    assert params["quality.explain.formula"] == {"gold_weight": 50, "review_weight": 30, "agreement_weight": 20}
    early = explain(quality_score(QualityInputs(approved=1)), QualityInputs(approved=1))
    assert early[0] == ("quality.explain.not_enough_data", {"count": 10, "points": 1, "needed": 10})


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _catalog_text(locale: str, key: str) -> str:
    texts = default_catalogs()._by_locale[locale].texts
    assert key in texts, (locale, key)
    found = texts[key]
    return found if isinstance(found, str) else found[-1]  # a plural entry: its "other" form


def test_catalog_texts_match_keys_and_params():
    for key in quality.EXPLANATION_KEYS:
        assert _placeholders(_catalog_text("en", key)) == _placeholders(_catalog_text("es", key)), key
    inputs = QualityInputs(gold_passed=1, gold_total=2, approved=3, rework=1, rejected=1,
                           agreement=0.5, agreement_items=5)
    for key, params in explain(quality_score(inputs), inputs):
        assert key in quality.EXPLANATION_KEYS
        assert _placeholders(_catalog_text("en", key)) == set(params) - {"count"}, key


def test_explanation_reads_from_the_catalog_in_each_language():
    inputs = QualityInputs(gold_passed=1, gold_total=2, approved=3, rework=1, rejected=1,
                           agreement=0.5, agreement_items=5)
    lines = [msg(key, **params) for key, params in explain(quality_score(inputs), inputs)]
    catalogs = default_catalogs()
    assert [catalogs.render(m, "en") for m in lines] == [
        "Your quality score is 56%.",
        "Gold checks (items with a known answer): 1 of 2 right (50%).",
        "Reviews: approved 3, sent back for rework 1, rejected 1 (70%; a rework counts as 50% of an approval).",
        "Agreement with other experts on the same items (5): 50% of their answers matched yours.",
        "The score is a weighted average: gold checks 50%, reviews 30%, agreement 20%. "
        "Parts with no data yet are left out and the others count more.",
    ]
    assert [catalogs.render(m, "es") for m in lines] == [
        "Tu puntuación de calidad es 56 %.",
        "Controles de referencia (ítems con respuesta conocida): 1 de 2 correctos (50 %).",
        "Revisiones: aprobadas 3, devueltas para corregir 1, rechazadas 1 (70 %; una corrección cuenta como el 50 % "
        "de una aprobación).",
        "Coincidencia con otras personas expertas en los mismos ítems (5): el 50 % de sus respuestas coincidió con las tuyas.",
        "La puntuación es una media ponderada: controles de referencia 50 %, revisiones 30 %, coincidencia 20 %. "
        "Las partes sin datos no cuentan y las demás pesan más.",
    ]
    early = QualityInputs(approved=1)
    (first, *_) = [msg(key, **params) for key, params in explain(quality_score(early), early)]
    assert catalogs.render(first, "en") == (
        "Your quality score appears once there is enough data: 1 of 10 data points so far.")
    assert catalogs.render(first, "es") == (
        "Tu puntuación de calidad aparecerá cuando haya datos suficientes: 1 de 10 datos por ahora.")


counts = st.integers(min_value=0, max_value=200)


@given(counts, counts, counts, counts, counts, st.one_of(st.none(), st.floats(0, 1)), st.integers(1, 50))
def test_score_is_a_share_and_more_gold_passes_never_lower_it(passed, failed, approved, rework, rejected,
                                                              agreement, items):
    inputs = QualityInputs(gold_passed=passed, gold_total=passed + failed, approved=approved, rework=rework,
                           rejected=rejected, agreement=agreement,
                           agreement_items=items if agreement is not None else 0)
    result = quality_score(inputs)
    if result.score is not None:
        assert 0.0 <= result.score <= 1.0
        better = quality_score(inputs.model_copy(update={"gold_passed": passed + 1, "gold_total": passed + failed + 1}))
        assert better.score is not None and better.score >= result.score - 1e-12
    else:
        assert result.data_points < result.needed
