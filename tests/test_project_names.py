"""The one rule that turns a typed project name into a project (domain.project_names)."""
from __future__ import annotations

import pytest

from domain.project_names import MAX_TYPED, Ambiguous, Exact, NotFound, matching_ids, normalise, resolve

NAMES = [(1, "Legal — Contract review"), (2, "Legal — Évaluation"), (3, "Medical QA"), (4, "medical qa archive"),
         (5, "Code  review")]


@pytest.mark.parametrize("typed, expected", [
    ("Legal — Évaluation", Exact(2)),
    ("legal - evaluation", Exact(2)),       # hyphen for the em dash, no accent, lower case
    ("LEGAL – EVALUATION", Exact(2)),       # en dash
    ("  legal   —   évaluation ", Exact(2)),  # whitespace collapsed
    ("Medical QA", Exact(3)),               # the exact name wins over a longer name it starts
    ("medical qa", Exact(3)),               # equal after folding still beats a prefix
    ("medical qa ar", Exact(4)),            # prefix
    ("code review", Exact(5)),              # the name's double space folds too
    ("archive", Exact(4)),                  # substring, last
    ("legal", Ambiguous((1, 2))),           # a prefix of two, in the candidates' order
    ("review", Ambiguous((1, 5))),          # a substring of two
    ("finance", NotFound()),
])
def test_tiers(typed, expected):
    assert resolve(typed, NAMES) == expected


def test_blank_is_not_found_and_not_everything():
    assert resolve("", NAMES) == NotFound()
    assert resolve("    ", NAMES) == NotFound()
    assert resolve("\u3000", NAMES) == NotFound()  # an ideographic space is space too
    assert matching_ids(" ", NAMES) == []


def test_exact_name_beats_a_folded_twin():
    twins = [(1, "Alpha"), (2, "alpha")]
    assert resolve("alpha", twins) == Exact(2)
    assert resolve("Alpha", twins) == Exact(1)
    assert resolve("ALPHA", twins) == Ambiguous((1, 2))  # a tie at the folded tier is not guessed


def test_dash_kinds_are_one():
    assert normalise("a\u2014b") == normalise("a\u2013b") == normalise("a-b") == normalise("A\u2212B") == "a-b"


def test_accents_and_compatibility_forms():
    assert normalise("Ｅｖａｌｕａｃｉóｎ") == "evaluacion"
    assert resolve("evaluacion", [(7, "Evaluación jurídica")]) == Exact(7)


def test_no_candidates():
    assert resolve("anything", []) == NotFound()


def test_duplicate_candidates_do_not_make_a_tie():
    assert resolve("leg", [(1, "Legal"), (1, "Legal")]) == Exact(1)


def test_hostile_input_is_text_not_a_pattern():
    names = [(1, "100% done"), (2, "a_b"), (3, "x.*y")]
    assert resolve("%", names) == Exact(1)
    assert resolve("_", names) == Exact(2)
    assert resolve(".*", names) == Exact(3)
    assert resolve("'; DROP TABLE projects; --", names) == NotFound()


def test_huge_input_is_cut_before_it_is_compared():
    """(How fast it is: bench/project_names.py.) Only the first MAX_TYPED characters are read."""
    names = [(i, f"Project {i} " + "x" * 200) for i in range(2000)]
    assert len(normalise("y" * 1_000_000)) == MAX_TYPED
    assert resolve("y" * 1_000_000, names) == NotFound()
    assert isinstance(resolve("project 1", names), Ambiguous)


def test_without_substring_tier():
    assert resolve("archive", NAMES, substring=False) == NotFound()
    assert resolve("medical qa ar", NAMES, substring=False) == Exact(4)
