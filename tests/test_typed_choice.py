"""Typed text read as the option a person meant (issue 16, point 6): case, accents and dash kinds do not matter;
a whole name, a whole-word prefix, a character prefix or the leading word picks one; several matches ask which."""
from __future__ import annotations

import pytest

from bot.core.typed_choice import match_options, normalize, number_parts

DOMAINS = [["Medicine", "Medicina", "medicine"], ["Law", "Derecho", "law"], ["Engineering", "Ingeniería", "eng"]]
PAIRWISE = [["A much better", "A mucho mejor", "a2"], ["A slightly better", "A algo mejor", "a1"],
            ["About the same", "Más o menos igual", "same"], ["B slightly better", "B algo mejor", "b1"],
            ["B much better", "B mucho mejor", "b2"]]
TWO = [["A much better", "a"], ["B much better", "b"]]


def test_normalize_drops_case_accents_and_dash_kinds():
    assert normalize("  MEDICÍNA. ") == "medicina"
    assert normalize("10–15  years") == "10-15 years"
    assert normalize("Ingeniería") == "ingenieria"


@pytest.mark.parametrize("typed", ["Medicina", "medicina", "MEDICINA", "medicína", "Medicine", "medic", "Medi"])
def test_a_domain_in_either_language_or_its_prefix(typed):
    assert match_options(typed, DOMAINS) == [0]


def test_accents_are_optional_both_ways():
    assert match_options("ingenieria", DOMAINS) == [2]
    assert match_options("INGENIERÍA", DOMAINS) == [2]


@pytest.mark.parametrize("typed, expected", [("B", [1]), ("b", [1]), ("b much better", [1]), ("A", [0]),
                                             ("a much", [0])])
def test_a_letter_or_a_label_among_two(typed, expected):
    assert match_options(typed, TWO) == expected


def test_a_single_letter_is_a_whole_word_not_a_prefix():
    # "a" is the first word of two options; "About the same" only starts with the letter: ask between the two
    assert match_options("a", PAIRWISE) == [0, 1]
    assert match_options("b much better", PAIRWISE) == [4]
    assert match_options("B mucho mejor", PAIRWISE) == [4]


def test_every_typed_word_in_one_label():
    labels = [["A is much better"], ["A is better"], ["About the same"], ["B is better"], ["B is much better"]]
    assert match_options("b much better", labels) == [4]
    assert match_options("much better b", labels) == [4]
    assert match_options("b is better", labels) == [3]  # the whole label of one, before any looser rule


def test_the_leading_word_when_nothing_else_fits():
    assert match_options("b clearly better", PAIRWISE) == [3, 4]  # ask which B


def test_an_exact_name_wins_over_prefixes():
    options = [["10–15 years"], ["15+"], ["10"]]
    assert match_options("10", options) == [2]
    assert match_options("10-15", options) == [0]


def test_nothing_matches():
    assert match_options("The answer is wrong because the dose is off", DOMAINS) == []
    assert match_options("me", DOMAINS) == []  # two letters are too short for a prefix
    assert match_options("", DOMAINS) == []


@pytest.mark.parametrize("typed, parts", [
    ("12 años", ["12"]), ("12 years", ["12"]), ("12 yrs", ["12"]), ("12yrs", ["12"]), ("7,5 horas", ["7,5"]),
    ("10-15", ["10", "15"]), ("10–15 años", ["10", "15"]), ("10 to 15 years", ["10", "15"]),
    ("12", ["12"]), ("twelve", []), ("12 or so 3", []), ("-5", []),
])
def test_number_parts(typed, parts):
    assert number_parts(typed) == parts
