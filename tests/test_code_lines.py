"""Line-anchored feedback for code (issue 20, point 7): the line-reference parser with well-formed, malformed and
hostile input, the error check that stores `Issue.lines`, and a rewrite of code that keeps its indentation from
the typed text to the stored answer."""
from __future__ import annotations

import pytest

from bot.core.field_values import parse_text
from bot.core.forms import FieldKind, FieldSpec
from domain.code_lines import LineRefInvalid, check_span, code_lines, parse_line_ref, span_text
from domain.project_spec import parse_project_spec
from domain.task_import import TaskItem
from domain.task_types import ANSWER_ADAPTER, AnswerInvalid, validate_answer
from handlers.shared.task_forms import answer_fields

CODE = "def f(xs):\n    total = 0\n    for i in range(len(xs) - 1):\n        total += xs[i]\n    return total\n"

ERROR_CHECK = parse_project_spec(b"""name: Code review
domain: software_engineering
task_type: error_check
instructions: Find the bugs.
pay: {kind: per_task, amount: "1.00", currency: EUR}
""", "spec.yaml")

REWRITE = parse_project_spec(b"""name: Code rewrite
domain: software_engineering
task_type: rewrite
instructions: Fix the code.
pay: {kind: per_task, amount: "1.00", currency: EUR}
""", "spec.yaml")


def _item(*responses: dict) -> TaskItem:
    return TaskItem.model_validate({"external_id": "x", "prompt": "Review this.", "responses": list(responses)})


CODE_ITEM = _item({"id": "code", "format": "code", "language": "python", "text": CODE})


def _issue(quote: str) -> dict:
    return {"verdict": "issues_found", "issue.1.quote": quote, "issue.1.category": "other",
            "issue.1.severity": "major", "issue.1.correction": "range(len(xs)) sums every element"}


@pytest.mark.parametrize("typed, expected", [
    ("line 3", ((3, 3), "")),
    ("Line 3", ((3, 3), "")),
    ("lines 3-4", ((3, 4), "")),
    ("lines 3–4", ((3, 4), "")),
    ("lines 3 — 4", ((3, 4), "")),
    ("3-4", ((3, 4), "")),
    ("3", ((3, 3), "")),
    ("L3-L4", ((3, 4), "")),
    ("lines 3 to 4", ((3, 4), "")),
    ("líneas 3 a 4: for i in", ((3, 4), "for i in")),
    ("lines 3-4: for i in range", ((3, 4), "for i in range")),
    ("line 3 - for i in range", ((3, 3), "for i in range")),
    ("  line 3  ", ((3, 3), "")),
])
def test_line_references_are_read(typed, expected):
    assert parse_line_ref(typed) == expected


@pytest.mark.parametrize("typed", [
    "", "   ", "for i in range(len(xs) - 1)", "3 tablets a day", "12 apples", "line 3 is wrong", "line three",
    "line -3", "line ٣", "lines ３", "range(3)", "3.5", "x" * 20_000, "line 3\x00",
])
def test_text_that_is_not_a_reference_is_a_quote(typed):
    assert parse_line_ref(typed) == (None, typed)


@pytest.mark.parametrize("typed, key", [
    ("line 0", "task.invalid.line_number"),
    ("lines 0-2", "task.invalid.line_number"),
    ("lines 4-3", "task.invalid.line_order"),
    ("line " + "9" * 7, "task.invalid.line_number"),
    ("lines 1-" + "9" * 5000, "task.invalid.line_number"),  # no int() of thousands of digits
])
def test_references_that_cannot_be_right_say_why(typed, key):
    with pytest.raises(LineRefInvalid) as caught:
        parse_line_ref(typed)
    assert caught.value.message.key == key


def test_a_huge_hostile_text_is_read_quickly_and_left_a_quote():
    hostile = "line 1" + " " * 100_000 + "x"
    assert parse_line_ref(hostile) == (None, hostile)
    assert parse_line_ref("1" + "-1" * 50_000) == (None, "1" + "-1" * 50_000)


def test_spans_are_held_against_the_code():
    assert len(code_lines(CODE)) == 5  # the final newline ends line 5, it adds no line 6
    check_span((1, 5), CODE)
    with pytest.raises(LineRefInvalid) as caught:
        check_span((5, 6), CODE)
    assert caught.value.message.key == "task.invalid.line_past_end" and caught.value.message.count == 5
    assert span_text((3, 4), CODE) == "    for i in range(len(xs) - 1):\n        total += xs[i]"
    assert code_lines("a\r\nb") == ["a", "b"]


def test_an_issue_in_code_names_lines_and_keeps_them():
    answer = validate_answer(ERROR_CHECK, CODE_ITEM, _issue("lines 3-4"))
    issue = answer.issues[0]
    assert issue.lines == (3, 4) and issue.response_id == "code" and issue.quote == ""
    stored = ANSWER_ADAPTER.validate_json(answer.model_dump_json())
    assert stored.issues[0].lines == (3, 4)

    both = validate_answer(ERROR_CHECK, CODE_ITEM, _issue("line 3: range(len(xs) - 1)")).issues[0]
    assert both.lines == (3, 3) and both.quote == "range(len(xs) - 1)"
    quoted = validate_answer(ERROR_CHECK, CODE_ITEM, _issue("range(len(xs) - 1)")).issues[0]
    assert quoted.lines is None and quoted.response_id == "code"  # a quote alone, as before


@pytest.mark.parametrize("typed, key", [
    ("lines 5-9", "task.invalid.line_past_end"),
    ("line 0", "task.invalid.line_number"),
    ("lines 4-3", "task.invalid.line_order"),
    ("line 1: range(len(xs) - 1)", "task.invalid.quote_not_on_lines"),
    ("line 1: not in the code at all", "task.invalid.quote_not_found"),
])
def test_a_wrong_line_reference_names_the_field_and_why(typed, key):
    with pytest.raises(AnswerInvalid) as caught:
        validate_answer(ERROR_CHECK, CODE_ITEM, _issue(typed))
    assert caught.value.field_id == "issue.1.quote" and caught.value.message.key == key


def test_lines_need_code_and_say_which_of_several():
    prose = _item({"id": "a", "text": "Line 3 of the lease says the deposit is returned within 10 days."})
    issue = validate_answer(ERROR_CHECK, prose, _issue("line 3 of the lease")).issues[0]  # not code: a quote
    assert issue.lines is None and issue.quote == "line 3 of the lease"
    mixed = _item({"id": "a", "text": "The loop skips the last element of the list."},
                  {"id": "b", "format": "code", "language": "python", "text": CODE})
    with pytest.raises(AnswerInvalid) as caught:
        validate_answer(ERROR_CHECK, mixed, _issue("line 1: skips the last element"))
    assert caught.value.message.key == "task.invalid.lines_not_code"
    two = _item({"id": "a", "format": "code", "text": CODE}, {"id": "b", "format": "code", "text": CODE + "#"})
    with pytest.raises(AnswerInvalid) as caught:
        validate_answer(ERROR_CHECK, two, _issue("lines 3-4"))
    assert caught.value.message.key == "task.invalid.lines_which_response"


def test_the_quote_question_explains_lines_only_for_code():
    quote = next(f for f in answer_fields(ERROR_CHECK, CODE_ITEM) if f.id == "issue.1.quote")
    assert quote.help.key == "task.field.issue_quote_code_help"
    prose = _item({"id": "a", "text": "Grapefruit has no effect."})
    assert next(f for f in answer_fields(ERROR_CHECK, prose) if f.id == "issue.1.quote").help is None


FIXED = "\n\n    for i in range(len(xs)):\n\t\ttotal += xs[i]\n    return total\n\n"


def test_a_rewrite_of_code_keeps_its_indentation_from_typing_to_the_answer():
    item = _item({"id": "code", "format": "code", "language": "python", "text": "    " + CODE})
    field = next(f for f in answer_fields(REWRITE, item) if f.id == "text")
    assert field.verbatim and field.prefill == "    " + CODE
    typed = parse_text(field, FIXED, "en")  # what the wizard (and a modal) stores
    assert typed == "    for i in range(len(xs)):\n\t\ttotal += xs[i]\n    return total"
    answer = validate_answer(REWRITE, item, {"text": typed, "what_was_wrong": "It skipped the last element."})
    assert answer.text == typed  # tabs and the first line's spaces survive


def test_re_indenting_code_is_a_change_and_prose_is_still_trimmed():
    item = _item({"id": "code", "format": "code", "text": "if x:\nreturn 1"})
    answer = validate_answer(REWRITE, item, {"text": "if x:\n    return 1", "what_was_wrong": "Indentation."})
    assert answer.text == "if x:\n    return 1"
    with pytest.raises(AnswerInvalid) as caught:
        validate_answer(REWRITE, item, {"text": "if x:\nreturn 1\n", "what_was_wrong": "Nothing."})
    assert caught.value.message.key == "task.invalid.rewrite_unchanged"
    prose = _item({"id": "a", "text": "Put the fund in crypto."})
    assert not next(f for f in answer_fields(REWRITE, prose) if f.id == "text").verbatim
    plain = FieldSpec(id="t", kind=FieldKind.long_text, label="t")
    assert parse_text(plain, "   indented prose  ", "en") == "indented prose"
    answer = validate_answer(REWRITE, prose, {"text": "  Keep it in savings.  ", "what_was_wrong": "Risky."})
    assert answer.text == "Keep it in savings."


def test_verbatim_text_still_refuses_blank_and_oversized_input():
    field = FieldSpec(id="t", kind=FieldKind.long_text, label="t", verbatim=True, max_length=10)
    from bot.core.field_values import FieldInvalid

    for blank in ("", "   ", "\n\t\n"):
        with pytest.raises(FieldInvalid):
            parse_text(field, blank, "en")
    with pytest.raises(FieldInvalid):
        parse_text(field, "    " + "x" * 20, "en")
