"""Spec instructions reflowed: a YAML block's single line breaks do not show mid-sentence (issue 16, point 15)."""
from __future__ import annotations

from pathlib import Path

import pytest

from domain.project_spec import parse_project_spec
from domain.reflow import reflow

ROOT = Path(__file__).resolve().parent.parent


def test_single_line_breaks_join_into_spaces():
    assert reflow("Find what is wrong in the answer: quote the passage,\npick a category and severity,\n"
                  "and write the correction.\n") == (
        "Find what is wrong in the answer: quote the passage, pick a category and severity, and write the correction.")


def test_blank_lines_stay_paragraph_breaks_and_runs_of_them_become_one():
    assert reflow("First paragraph\ngoes on.\n\n\n  \nSecond\nparagraph.") == "First paragraph goes on.\n\nSecond paragraph."


@pytest.mark.parametrize("marker", ["- ", "* ", "• ", "1. ", "2) ", "10. "])
def test_list_items_keep_their_own_lines_and_continuations_join_the_item(marker):
    text = f"Check:\n{marker}the dose,\n  which must be exact\n{marker}the route\nThen submit."
    assert reflow(text) == f"Check:\n{marker}the dose, which must be exact\n{marker}the route Then submit."


def test_windows_line_ends_and_surrounding_space():
    assert reflow("  one\r\ntwo\r\n\r\nthree  \r\n") == "one two\n\nthree"


def test_words_that_look_like_markers_inside_a_line_are_not_items():
    assert reflow("Give 2. Not 3.\nWrite -5 as minus five.\n-not an item") == (
        "Give 2. Not 3. Write -5 as minus five. -not an item")


def test_reflow_is_idempotent():
    once = reflow("a\nb\n\n- c\n  d\n1. e")
    assert reflow(once) == once == "a b\n\n- c d\n1. e"


def test_a_spec_stores_its_instructions_reflowed():
    # the sample spec wraps its instructions in a YAML block; a list and a second paragraph are added to it
    data = (ROOT / "tests/data/specs/rating_medicine.yaml").read_text(encoding="utf-8").replace(
        "for the patient.\n", "for the patient.\n\n  Before you send:\n  - check the dose\n  - check the route\n")
    spec = parse_project_spec(data.encode(), "rating_medicine.yaml")
    assert spec.instructions == (
        "Read the patient's question and the model's answer. Score every criterion, then justify your scores: name "
        "the criterion, quote the passage, and say what it would cause for the patient.\n\n"
        "Before you send:\n- check the dose\n- check the route")
