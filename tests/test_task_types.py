import re
from pathlib import Path

import pytest

from bot.core.forms import FieldKind, FieldSpec
from bot.i18n import default_catalogs
from bot.i18n.text import Msg
from domain.project_spec import TASK_TYPES
from domain.task_import import TaskItem
from domain.task_types import (
    ANSWER_ADAPTER,
    MAX_ISSUES_IN_FORM,
    AnswerInvalid,
    ErrorCheckAnswer,
    LabelingAnswer,
    PairwiseAnswer,
    PromptWritingAnswer,
    RankingAnswer,
    RatingAnswer,
    RewriteAnswer,
    answer_questions,
    justification_field,
    normalize_passage,
    validate_answer,
    validate_gold,
)
from handlers.shared.task_forms import answer_fields
from tests.task_type_data import make_item, make_spec

WHY = "Accuracy: “6 g a day” exceeds the 4 g maximum and risks liver damage."


RATING = make_spec("rating", criteria=[
    {"id": "accuracy", "label": "Accuracy", "scale": [1, 5], "description": "Facts match guidance."},
    {"id": "safety", "label": "Safety", "scale": ["unsafe", "borderline", "safe"]},
])
PAIRWISE = make_spec("pairwise", criteria=[{"id": "accuracy", "label": "Accuracy", "scale": [1, 5]}])
RANKING = make_spec("ranking")
RANKING_TIES = make_spec("ranking", allow_ties=True)
ERROR_CHECK = make_spec("error_check")
REWRITE = make_spec("rewrite", rewrite_min_chars=20, rewrite_max_chars=200)
LABELING = make_spec("labeling", labels=["fees", "fraud", "loan"])
MULTI_LABELING = make_spec("labeling", labels=["fees", "fraud", "loan"], multi_label=True)
PROMPT_WRITING = make_spec("prompt_writing")

ONE = make_item("Adults can take 1 g every 4 hours,\n up to  6 g a day.")
TWO = make_item("Answer A text.", "Answer B text.")
THREE = make_item("First patch.", "Second patch.", "Third patch.")
NONE = TaskItem(external_id="p1", prompt="Topic: limitation periods.")


def invalid(spec, item, raw) -> AnswerInvalid:
    with pytest.raises(AnswerInvalid) as info:
        validate_answer(spec, item, raw)
    assert isinstance(info.value.message, Msg)
    assert info.value.message.key.startswith("task.invalid.")
    for locale in ("en", "es"):
        assert default_catalogs().has(locale, info.value.message.key)
    return info.value


def render(message: Msg, locale: str = "en") -> str:
    return default_catalogs().render(message, locale)


# ---------------------------------------------------------------- catalog


def _raw(key: str):
    return default_catalogs()._by_locale["en"].texts[key]


def _catalog_text(locale: str, key: str) -> str:
    texts = default_catalogs()._by_locale[locale].texts
    assert key in texts, (locale, key)
    found = texts[key]
    return found if isinstance(found, str) else found[-1]  # a plural entry: its "other" form


def _msgs(fields: list[FieldSpec]):
    for f in fields:
        for text in (f.label, f.help, *(o.label for o in f.options)):
            if isinstance(text, Msg):
                yield text


@pytest.mark.parametrize(
    ("spec", "item"),
    [(RATING, ONE), (PAIRWISE, TWO), (RANKING, THREE), (ERROR_CHECK, ONE), (REWRITE, ONE), (LABELING, ONE),
     (MULTI_LABELING, ONE), (PROMPT_WRITING, NONE)],
)
def test_every_form_message_is_in_the_catalog_with_its_params(spec, item):
    fields = answer_fields(spec, item)
    assert len({f.id for f in fields}) == len(fields)
    for m in _msgs(fields):
        assert m.key.startswith(("task.field.", "task.option."))
        english, spanish = _catalog_text("en", m.key), _catalog_text("es", m.key)
        assert set(re.findall(r"{(\w+)}", english)) == set(re.findall(r"{(\w+)}", spanish)) == set(m.params), m.key
        assert (m.count is not None) == (not isinstance(_raw(m.key), str)), m.key  # a count exactly for plurals
        english.format(**m.params)
        spanish.format(**m.params)


def test_questions_are_declared_in_the_domain_and_become_the_same_fields():
    for spec, item in [(RATING, ONE), (ERROR_CHECK, ONE), (MULTI_LABELING, ONE), (RANKING, THREE)]:
        questions = answer_questions(spec, item)
        fields = answer_fields(spec, item)
        assert [q.name for q in questions] == [f.id for f in fields]
        assert [q.title for q in questions] == [f.label for f in fields]
        assert [q.required for q in questions] == [f.required for f in fields]


def test_form_texts_read_from_the_catalog_in_each_language():
    accuracy, safety, why = answer_fields(RATING, ONE)
    assert render(accuracy.label) == "Score for Accuracy"
    assert render(accuracy.label, "es") == "Puntuación de Accuracy"
    assert render(why.label) == "Justification: name the criterion, quote the passage, say what it causes"
    assert render(why.label, "es") == "Justificación: nombra el criterio, cita el pasaje y di qué consecuencia tiene"
    preference = answer_fields(PAIRWISE, TWO)[0]
    assert [render(o.label) for o in preference.options] == [
        "A is much better", "A is better", "About the same", "B is better", "B is much better"]
    assert [render(o.label, "es") for o in preference.options] == [
        "A es mucho mejor", "A es mejor", "Más o menos igual", "B es mejor", "B es mucho mejor"]
    text, _ = answer_fields(REWRITE, ONE)
    assert render(text.label) == "Your improved response (20–200 characters)"
    assert render(text.label, "es") == "Tu respuesta mejorada (20–200 caracteres)"


def test_every_task_type_has_fields():
    items = {"pairwise": TWO, "ranking": THREE, "prompt_writing": NONE}
    specs = {"rating": RATING, "pairwise": PAIRWISE, "ranking": RANKING, "error_check": ERROR_CHECK,
             "rewrite": REWRITE, "labeling": LABELING, "prompt_writing": PROMPT_WRITING}
    for kind in TASK_TYPES:
        assert answer_fields(specs[kind], items.get(kind, ONE))


# ---------------------------------------------------------------- rating


def test_rating_fields():
    fields = answer_fields(RATING, ONE)
    assert [f.id for f in fields] == ["score.accuracy", "score.safety", "justification"]
    accuracy, safety, why = fields
    assert accuracy.kind == FieldKind.scale and (accuracy.min, accuracy.max) == (1, 5)
    assert accuracy.label.params == {"criterion": "Accuracy"} and accuracy.help == "Facts match guidance."
    assert safety.kind == FieldKind.choice and [o.value for o in safety.options] == ["unsafe", "borderline", "safe"]
    assert why.kind == FieldKind.long_text and why.required


def test_rating_valid():
    answer = validate_answer(RATING, ONE, {"score.accuracy": 2, "score.safety": "unsafe", "justification": f"  {WHY} "})
    assert isinstance(answer, RatingAnswer)
    assert answer.scores == {"accuracy": 2, "safety": "unsafe"}
    assert answer.justification == WHY


def test_rating_accepts_numbers_as_text():
    answer = validate_answer(RATING, ONE, {"score.accuracy": "4", "score.safety": "safe", "justification": WHY})
    assert answer.scores["accuracy"] == 4


@pytest.mark.parametrize(
    ("raw", "field", "key"),
    [
        ({"score.safety": "safe", "justification": WHY}, "score.accuracy", "task.invalid.required"),
        ({"score.accuracy": 6, "score.safety": "safe", "justification": WHY}, "score.accuracy", "task.invalid.not_on_scale"),
        ({"score.accuracy": 0, "score.safety": "safe", "justification": WHY}, "score.accuracy", "task.invalid.not_on_scale"),
        ({"score.accuracy": 2.5, "score.safety": "safe", "justification": WHY}, "score.accuracy", "task.invalid.not_on_scale"),
        ({"score.accuracy": True, "score.safety": "safe", "justification": WHY}, "score.accuracy", "task.invalid.not_on_scale"),
        ({"score.accuracy": "five", "score.safety": "safe", "justification": WHY}, "score.accuracy", "task.invalid.not_on_scale"),
        ({"score.accuracy": 3, "score.safety": "great", "justification": WHY}, "score.safety", "task.invalid.not_an_option"),
        ({"score.accuracy": 3, "score.safety": 2, "justification": WHY}, "score.safety", "task.invalid.not_an_option"),
        ({"score.accuracy": 3, "score.safety": "safe"}, "justification", "task.invalid.required"),
        ({"score.accuracy": 3, "score.safety": "safe", "justification": "   "}, "justification", "task.invalid.required"),
        ({"score.accuracy": 3, "score.safety": "safe", "justification": "x" * 5001}, "justification", "task.invalid.too_long"),
        ({"score.accuracy": 3, "score.safety": "safe", "justification": 42}, "justification", "task.invalid.required"),
    ],
)
def test_rating_invalid(raw, field, key):
    err = invalid(RATING, ONE, raw)
    assert (err.field_id, err.message.key) == (field, key)


def test_scale_error_says_the_range():
    err = invalid(RATING, ONE, {"score.accuracy": 9, "score.safety": "safe", "justification": WHY})
    assert err.message.params == {"min": 1, "max": 5}


def test_answer_must_be_a_mapping():
    with pytest.raises(AnswerInvalid):
        validate_answer(RATING, ONE, ["score.accuracy", 3])


# ---------------------------------------------------------------- pairwise


def test_pairwise_fields():
    fields = answer_fields(PAIRWISE, TWO)
    assert [f.id for f in fields] == ["preference", "pref.accuracy", "justification"]
    assert [o.value for o in fields[0].options] == ["a_much_better", "a_better", "tie", "b_better", "b_much_better"]
    assert fields[0].options[0].label.key == "task.option.a_much_better"
    assert not fields[1].required


def test_pairwise_valid():
    answer = validate_answer(PAIRWISE, TWO, {"preference": "a_better", "pref.accuracy": "tie", "justification": WHY})
    assert isinstance(answer, PairwiseAnswer)
    assert answer.preference == "a_better" and answer.criteria_preferences == {"accuracy": "tie"}
    answer = validate_answer(PAIRWISE, TWO, {"preference": "tie", "justification": WHY})
    assert answer.criteria_preferences == {}


@pytest.mark.parametrize(
    ("raw", "field", "key"),
    [
        ({"justification": WHY}, "preference", "task.invalid.required"),
        ({"preference": "a", "justification": WHY}, "preference", "task.invalid.not_an_option"),
        ({"preference": "A_BETTER", "justification": WHY}, "preference", "task.invalid.not_an_option"),
        ({"preference": "tie", "pref.accuracy": "better", "justification": WHY}, "pref.accuracy", "task.invalid.not_an_option"),
        ({"preference": "tie"}, "justification", "task.invalid.required"),
    ],
)
def test_pairwise_invalid(raw, field, key):
    err = invalid(PAIRWISE, TWO, raw)
    assert (err.field_id, err.message.key) == (field, key)


# ---------------------------------------------------------------- ranking


def test_ranking_fields_offer_a_place_per_response():
    fields = answer_fields(RANKING, THREE)
    assert [f.id for f in fields] == ["rank.a", "rank.b", "rank.c", "justification"]
    assert [o.value for o in fields[0].options] == ["1", "2", "3"]
    assert fields[0].label.params == {"response": "a"}


def test_ranking_valid():
    answer = validate_answer(RANKING, THREE, {"rank.a": "2", "rank.b": "3", "rank.c": "1", "justification": WHY})
    assert isinstance(answer, RankingAnswer)
    assert answer.order == [["c"], ["a"], ["b"]]


def test_ranking_ties_when_allowed():
    answer = validate_answer(RANKING_TIES, THREE, {"rank.a": 1, "rank.b": 1, "rank.c": 2, "justification": WHY})
    assert answer.order == [["a", "b"], ["c"]]


@pytest.mark.parametrize(
    ("spec", "raw", "key"),
    [
        (RANKING, {"rank.a": 1, "rank.b": 1, "rank.c": 2}, "task.invalid.ranking_ties"),
        (RANKING, {"rank.a": 1, "rank.b": 2}, "task.invalid.required"),
        (RANKING, {"rank.a": 1, "rank.b": 2, "rank.c": 4}, "task.invalid.ranking_incomplete"),
        (RANKING, {"rank.a": 0, "rank.b": 2, "rank.c": 3}, "task.invalid.ranking_incomplete"),
        (RANKING, {"rank.a": "first", "rank.b": 2, "rank.c": 3}, "task.invalid.ranking_incomplete"),
        (RANKING, {"rank.a": "²", "rank.b": 2, "rank.c": 3}, "task.invalid.ranking_incomplete"),
        (RANKING, {"rank.a": 1.0, "rank.b": 2, "rank.c": 3}, "task.invalid.ranking_incomplete"),
        (RANKING_TIES, {"rank.a": 1, "rank.b": 1, "rank.c": 3}, "task.invalid.ranking_gap"),
        (RANKING_TIES, {"rank.a": 2, "rank.b": 2, "rank.c": 2}, "task.invalid.ranking_gap"),
    ],
)
def test_ranking_invalid(spec, raw, key):
    err = invalid(spec, THREE, {**raw, "justification": WHY})
    assert err.message.key == key and err.field_id.startswith("rank.")


def test_ranking_needs_justification():
    assert invalid(RANKING, THREE, {"rank.a": 1, "rank.b": 2, "rank.c": 3}).field_id == "justification"


# ---------------------------------------------------------------- error check


def issue(n, quote, category="factual_error", severity="critical", correction="At most 4 g in 24 hours."):
    return {f"issue.{n}.quote": quote, f"issue.{n}.category": category, f"issue.{n}.severity": severity,
            f"issue.{n}.correction": correction}


def test_error_check_fields():
    ids = [f.id for f in answer_fields(ERROR_CHECK, ONE)]
    assert ids[0] == "verdict" and ids[-1] == "no_issues_reason"
    assert len(ids) == 2 + 4 * MAX_ISSUES_IN_FORM
    assert "issue.1.quote" in ids and f"issue.{MAX_ISSUES_IN_FORM}.correction" in ids


def test_error_check_quote_matches_with_normalised_whitespace_and_quotes():
    raw = {"verdict": "issues_found", **issue(1, "“up to 6 g   a day”"), **issue(2, "ADULTS CAN TAKE 1 g every 4 hours, up to", "missing_caveat", "minor")}
    answer = validate_answer(ERROR_CHECK, ONE, raw)
    assert isinstance(answer, ErrorCheckAnswer) and not answer.no_issues
    assert [i.category for i in answer.issues] == ["factual_error", "missing_caveat"]
    assert answer.issues[0].response_id == "a"


def test_error_check_no_issues_with_reason():
    answer = validate_answer(ERROR_CHECK, ONE, {"verdict": "no_issues", "no_issues_reason": "Dose matches the label."})
    assert answer.no_issues and answer.issues == [] and answer.no_issues_reason == "Dose matches the label."


def test_error_check_skips_empty_slots():
    raw = {"verdict": "issues_found", **issue(2, "6 g a day"), "issue.1.quote": " ", "issue.3.category": None}
    assert len(validate_answer(ERROR_CHECK, ONE, raw).issues) == 1


@pytest.mark.parametrize(
    ("raw", "field", "key"),
    [
        ({}, "verdict", "task.invalid.required"),
        ({"verdict": "maybe"}, "verdict", "task.invalid.not_an_option"),
        ({"verdict": "issues_found"}, "issue.1.quote", "task.invalid.no_issue_given"),
        ({"verdict": "issues_found", **issue(1, "7 g a day")}, "issue.1.quote", "task.invalid.quote_not_found"),
        ({"verdict": "issues_found", **issue(1, "g")}, "issue.1.quote", "task.invalid.quote_not_found"),
        ({"verdict": "issues_found", **issue(1, "6 g a day", category="typo")}, "issue.1.category", "task.invalid.not_an_option"),
        ({"verdict": "issues_found", **issue(1, "6 g a day", severity="huge")}, "issue.1.severity", "task.invalid.not_an_option"),
        ({"verdict": "issues_found", **issue(1, "6 g a day", correction="")}, "issue.1.correction", "task.invalid.issue_incomplete"),
        ({"verdict": "issues_found", "issue.2.quote": "6 g a day"}, "issue.2.category", "task.invalid.issue_incomplete"),
        ({"verdict": "no_issues"}, "no_issues_reason", "task.invalid.required"),
        ({"verdict": "no_issues", **issue(1, "6 g a day"), "no_issues_reason": "fine"}, "verdict", "task.invalid.issues_and_none"),
    ],
)
def test_error_check_invalid(raw, field, key):
    err = invalid(ERROR_CHECK, ONE, raw)
    assert (err.field_id, err.message.key) == (field, key)


def test_normalize_passage():
    assert normalize_passage(" «Up to\n6 g» ") == "up to 6 g"


# ---------------------------------------------------------------- rewrite


def test_rewrite_fields_show_the_limits():
    text, wrong = answer_fields(REWRITE, ONE)
    assert (text.min_length, text.max_length) == (20, 200)
    assert text.label.params == {"min": 20, "max": 200}
    assert wrong.id == "what_was_wrong"


def test_rewrite_valid():
    answer = validate_answer(REWRITE, ONE, {"text": "Adults can take 1 g every 4–6 hours, at most 4 g in 24 hours.",
                                            "what_was_wrong": "The 6 g daily maximum is dangerous."})
    assert isinstance(answer, RewriteAnswer)


@pytest.mark.parametrize(
    ("raw", "field", "key"),
    [
        ({"text": "Too short.", "what_was_wrong": "x"}, "text", "task.invalid.too_short"),
        ({"text": "y" * 201, "what_was_wrong": "x"}, "text", "task.invalid.too_long"),
        ({"text": "adults can take 1 g every 4 hours, up to 6 g a day.", "what_was_wrong": "x"}, "text", "task.invalid.rewrite_unchanged"),
        ({"text": "A corrected answer that is long enough."}, "what_was_wrong", "task.invalid.required"),
    ],
)
def test_rewrite_invalid(raw, field, key):
    err = invalid(REWRITE, ONE, raw)
    assert (err.field_id, err.message.key) == (field, key)


def test_rewrite_too_short_says_the_counts():
    assert invalid(REWRITE, ONE, {"text": "Too short.", "what_was_wrong": "x"}).message.params == {"min": 20, "length": 10}


# ---------------------------------------------------------------- labeling


def test_labeling_fields_single_and_multi():
    single = answer_fields(LABELING, ONE)[0]
    multi = answer_fields(MULTI_LABELING, ONE)[0]
    assert single.kind == FieldKind.choice and multi.kind == FieldKind.multi_choice
    assert [o.value for o in single.options] == ["fees", "fraud", "loan"]


def test_labeling_valid():
    assert validate_answer(LABELING, ONE, {"labels": "fees"}).labels == ["fees"]
    assert validate_answer(LABELING, ONE, {"labels": ["fees"], "comment": " hmm "}).comment == "hmm"
    answer = validate_answer(MULTI_LABELING, ONE, {"labels": ["fraud", "fees", "fraud"]})
    assert isinstance(answer, LabelingAnswer) and answer.labels == ["fraud", "fees"]


@pytest.mark.parametrize(
    ("spec", "raw", "key"),
    [
        (LABELING, {}, "task.invalid.required"),
        (LABELING, {"labels": []}, "task.invalid.required"),
        (LABELING, {"labels": ["fees", "loan"]}, "task.invalid.exactly_one_label"),
        (LABELING, {"labels": "Fees"}, "task.invalid.unknown_label"),
        (MULTI_LABELING, {"labels": ["fees", "mortgage"]}, "task.invalid.unknown_label"),
        (MULTI_LABELING, {"labels": [1]}, "task.invalid.required"),
    ],
)
def test_labeling_invalid(spec, raw, key):
    err = invalid(spec, ONE, raw)
    assert (err.field_id, err.message.key) == ("labels", key)


# ---------------------------------------------------------------- prompt writing


def test_prompt_writing_valid():
    answer = validate_answer(PROMPT_WRITING, NONE, {
        "prompt": "A seller hid a defect for seven years; is the buyer's claim time-barred in England?",
        "reference_answer": "Not necessarily: s.32 Limitation Act 1980 postpones the period for deliberate concealment.",
        "why_hard": "Models apply the 6-year rule and miss s.32.",
    })
    assert isinstance(answer, PromptWritingAnswer)


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"prompt": "Short?", "reference_answer": "r", "why_hard": "w"}, "prompt"),
        ({"prompt": "A long enough prompt.", "why_hard": "w"}, "reference_answer"),
        ({"prompt": "A long enough prompt.", "reference_answer": "r"}, "why_hard"),
    ],
)
def test_prompt_writing_invalid(raw, field):
    assert invalid(PROMPT_WRITING, NONE, raw).field_id == field


# ---------------------------------------------------------------- gold and storage


def test_gold_uses_the_same_checks():
    assert validate_gold(RATING, ONE, {"scores": {"accuracy": 1, "safety": "unsafe"}}).scores == {"accuracy": 1, "safety": "unsafe"}
    assert validate_gold(PAIRWISE, TWO, {"preference": "b_better"}).preference == "b_better"
    assert validate_gold(PAIRWISE, TWO, "tie").preference == "tie"
    assert validate_gold(RANKING, THREE, {"order": ["c", "a", "b"]}).order == [["c"], ["a"], ["b"]]
    assert validate_gold(RANKING_TIES, THREE, ["c", ["a", "b"]]).order == [["c"], ["a", "b"]]
    assert validate_gold(LABELING, ONE, {"labels": ["fees"]}).labels == ["fees"]
    assert validate_gold(MULTI_LABELING, ONE, ["fees", "loan"]).labels == ["fees", "loan"]


@pytest.mark.parametrize(
    ("spec", "item", "gold", "field"),
    [
        (RATING, ONE, {"scores": {"accuracy": 9, "safety": "safe"}}, "score.accuracy"),
        (RATING, ONE, {"scores": {"accuracy": 3}}, "score.safety"),
        (RATING, ONE, {"scores": {"accuracy": 3, "safety": "safe", "tone": 2}}, "score.tone"),
        (RATING, ONE, {"scores": [3, "safe"]}, "gold.scores"),
        (RATING, ONE, {"score": {"accuracy": 3}}, "gold.score"),
        (PAIRWISE, TWO, {"preference": "a"}, "gold.preference"),
        (PAIRWISE, TWO, {}, "gold.preference"),
        (RANKING, THREE, {"order": ["a", "b"]}, "rank.c"),
        (RANKING, THREE, {"order": ["a", ["b", "c"]]}, "rank.b"),
        (RANKING, THREE, {"order": ["a", "b", "c", "d"]}, "rank.d"),
        (RANKING, THREE, {"order": ["a", "a", "b", "c"]}, "gold.order"),
        (RANKING, THREE, {"order": "abc"}, "gold.order"),
        (LABELING, ONE, {"labels": ["fees", "fraud"]}, "gold.labels"),
        (LABELING, ONE, {"labels": ["other"]}, "gold.labels"),
        (ERROR_CHECK, ONE, {"issues": []}, "gold"),
        (REWRITE, ONE, "text", "gold"),
        (PROMPT_WRITING, NONE, "text", "gold"),
    ],
)
def test_gold_invalid(spec, item, gold, field):
    with pytest.raises(AnswerInvalid) as info:
        validate_gold(spec, item, gold)
    assert info.value.field_id == field


@pytest.mark.parametrize(
    "answer",
    [
        RatingAnswer(scores={"accuracy": 3, "safety": "safe"}, justification=WHY),
        PairwiseAnswer(preference="tie", criteria_preferences={"accuracy": "a_better"}, justification=WHY),
        RankingAnswer(order=[["a", "b"], ["c"]], justification=WHY),
        ErrorCheckAnswer(no_issues=True, no_issues_reason="fine"),
        RewriteAnswer(text="t", what_was_wrong="w"),
        LabelingAnswer(labels=["fees"]),
        PromptWritingAnswer(prompt="p", reference_answer="r", why_hard="w"),
    ],
)
def test_answers_round_trip_through_json(answer):
    assert ANSWER_ADAPTER.validate_json(answer.model_dump_json()) == answer


def test_canonical_gold_and_score_positions():
    from domain.task_types import canonical_gold, score_positions

    gold = validate_gold(RATING, ONE, {"scores": {"accuracy": 2, "safety": "borderline"}})
    assert canonical_gold(RATING, gold) == {"scores": {"accuracy": 2, "safety": "borderline"}}
    assert score_positions(RATING, gold.scores) == {"accuracy": 2, "safety": 1}
    assert canonical_gold(RANKING_TIES, validate_gold(RANKING_TIES, THREE, ["c", ["a", "b"]])) == {"order": [["c"], ["a", "b"]]}
    with pytest.raises(ValueError):
        score_positions(RATING, {"safety": "great"})


def test_justification_field_per_type():
    assert justification_field("rating") == "justification"
    assert justification_field("labeling") is None
    assert all(justification_field(k) is None or isinstance(justification_field(k), str) for k in TASK_TYPES)


def test_example_tasks_validate_against_their_forms():
    """The demo files: every item's form can be built and every gold answer passes."""
    from domain.project_spec import parse_project_spec
    from domain.task_import import GoodLine, iter_task_lines

    data = Path(__file__).parent / "data"
    for spec_path in (data / "specs").iterdir():
        spec = parse_project_spec(spec_path.read_bytes(), spec_path.name)
        with open(data / "tasks" / (spec_path.stem + ".jsonl"), "rb") as stream:
            lines = list(iter_task_lines(stream, spec))
        assert lines and all(isinstance(line, GoodLine) for line in lines), lines
        for line in lines:
            assert answer_fields(spec, line.item)


# ---------------------------------------------------------------- fuzz: only AnswerInvalid ever escapes

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10) | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
_SPECS_AND_ITEMS = [(RATING, ONE), (PAIRWISE, TWO), (RANKING, THREE), (RANKING_TIES, THREE), (ERROR_CHECK, ONE),
                    (REWRITE, ONE), (LABELING, ONE), (MULTI_LABELING, ONE), (PROMPT_WRITING, NONE)]


@settings(max_examples=300, deadline=None)
@given(case=st.sampled_from(_SPECS_AND_ITEMS), data=st.data())
def test_validate_answer_never_crashes(case, data):
    spec, item = case
    ids = [f.id for f in answer_fields(spec, item)] + ["other"]
    raw = data.draw(st.dictionaries(st.sampled_from(ids), _json_values, max_size=len(ids)))
    try:
        validate_answer(spec, item, raw)
    except AnswerInvalid:
        pass


@settings(max_examples=300, deadline=None)
@given(case=st.sampled_from(_SPECS_AND_ITEMS), gold=_json_values)
def test_validate_gold_never_crashes(case, gold):
    spec, item = case
    try:
        validate_gold(spec, item, gold)
    except AnswerInvalid:
        pass


def test_a_task_form_is_kept_per_spec_and_item_and_never_served_for_another():
    """handlers.tasks keeps built forms across turns; the key is the name, the spec and the item in full, so two
    items alike but for one more response (same project and task ids, as in two databases) get two forms."""
    from handlers.tasks import task_form

    spec = RANKING.model_dump_json()
    three = task_form("Rank", spec, make_item("a", "b", "c").model_dump_json())
    four = task_form("Rank", spec, make_item("a", "b", "c", "d").model_dump_json())
    assert [len(f.options) for f in three.fields if f.options] != [len(f.options) for f in four.fields if f.options]
    assert task_form("Rank", spec, make_item("a", "b", "c").model_dump_json()) is three  # kept, not rebuilt
    renamed = task_form("Other", spec, make_item("a", "b", "c").model_dump_json())
    assert renamed is not three and renamed.title == "Other"
