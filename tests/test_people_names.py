"""domain.people_names: how a typed person is read and resolved, and how a person is split out of a command's
arguments — with hostile input (huge, empty, control characters, markup and SQL-looking strings)."""
from __future__ import annotations

import pytest

from domain.identity import IdentityKey
from domain.people_names import (
    Ambiguous, Candidate, Exact, NotFound, exact_names, malformed_identity, parse_reference, person_label, resolve,
    split_leading, split_trailing,
)

ANA = Candidate(1, IdentityKey("telegram", "", "111"), ("Ana Pérez",), "ana_p")
ANA_SLACK = Candidate(1, IdentityKey("slack", "T1", "UANA1"), ("Ana Pérez", "Ana P."), "ana.perez")
ANABEL = Candidate(2, IdentityKey("slack", "T1", "UANAB"), ("Anabel Ruiz",), "anabel")
BO = Candidate(3, IdentityKey("console", "", "bo"), (), "bo")
OTHER_TEAM = Candidate(4, IdentityKey("slack", "T2", "UANA1"), ("Ana Otra",), "ana2")
WALTER = Candidate(5, IdentityKey("telegram", "", "555"), ("WALTER",), None)
PEOPLE = [ANA, ANA_SLACK, ANABEL, BO, OTHER_TEAM, WALTER]


@pytest.mark.parametrize("typed, kind, value", [
    ("telegram:111", "identity", "telegram:111"),
    ("<@UANA1>", "member", "UANA1"),
    ("<@UANA1|ana.perez>", "member", "UANA1"),
    ("UANA1", "member", "UANA1"),
    ("@ana_p", "handle", "ana_p"),
    ("Ana Pérez", "name", "Ana Pérez"),
    ('"Ana Pérez"', "name", "Ana Pérez"),
    ("\u201cAna Pérez\u201d", "name", "Ana Pérez"),
])
def test_each_form_is_read_for_what_it_is(typed, kind, value):
    ref = parse_reference(typed)
    assert ref is not None and ref.kind == kind and ref.value == value


@pytest.mark.parametrize("typed", ["", "   ", "@", "@@@", '""', "telegram:abc", "slack:U1", "console:"])
def test_nothing_or_a_broken_precise_form_names_nobody(typed):
    assert parse_reference(typed) is None
    assert isinstance(resolve(typed, PEOPLE), NotFound)


def test_a_broken_precise_form_is_told_apart_from_a_name():
    assert malformed_identity("telegram:not-a-number") and malformed_identity("slack:U1")
    assert not malformed_identity("telegram:111") and not malformed_identity("Ana") and not malformed_identity("")


@pytest.mark.parametrize("typed, person", [
    ("telegram:111", 1), ("slack:T1/UANAB", 2), ("console:bo", 3),
    ("<@UANAB>", 2), ("<@UANAB|whatever label>", 2), ("UANAB", 2),
    ("@ana_p", 1), ("@ANA.PEREZ", 1), ("@anabel", 2), ("@bo", 3),
    ("Ana Pérez", 1), ("ana perez", 1), ("ANA PEREZ", 1), ("  ana   pérez ", 1),  # case, accents, spacing
    ("Anabel", 2), ("ruiz", 2), ("Pér", 1), ("bo", 3),
    ("WALTER", 5),  # looks like a member id, names nobody as one: read as a name
    ("@Ana Pérez", 1),  # Slack's @name with a space: no such handle, so the name
])
def test_each_form_finds_its_person(typed, person):
    assert resolve(typed, PEOPLE, workspace="T1") == Exact(person)


def test_a_member_id_means_the_member_of_the_asking_workspace():
    assert resolve("<@UANA1>", PEOPLE, workspace="T2") == Exact(4)
    assert resolve("<@UANA1>", PEOPLE, workspace="T1") == Exact(1)
    # asked from outside Slack, the same member id in two workspaces is a choice
    assert resolve("UANA1", PEOPLE) == Ambiguous((1, 4))


def test_a_mention_of_someone_unknown_is_not_read_as_its_label():
    assert isinstance(resolve("<@UNOBODY|Ana Pérez>", PEOPLE, workspace="T1"), NotFound)


def test_several_people_at_the_first_tier_that_finds_any_are_a_choice_in_candidate_order():
    assert resolve("ana", PEOPLE, workspace="T1") == Ambiguous((1, 2, 4))  # prefix: Ana Pérez, Anabel, Ana Otra
    assert resolve("ana perez", PEOPLE) == Exact(1)  # exact beats the prefix of anyone else
    assert isinstance(resolve("zoe", PEOPLE), NotFound)


@pytest.mark.parametrize("hostile", [
    "a" * 1_000_000, "@" + "x" * 100_000, "<@" + "U" * 100_000 + ">", "telegram:" + "9" * 100_000,
    "'; DROP TABLE identities; --", "Robert'); DELETE FROM persons;--", "<script>alert(1)</script>",
    "<@U123|<b>x</b>>", "\u202eAna\u202c", "\x00\x01\x02", "\n\n\t", "%s%s%n", "{name}", "${jndi:ldap://x}",
    "\u200b" * 5000, "ana," * 10_000, " ".join(["Ana"] * 50_000),
])
def test_hostile_input_is_read_without_error_and_finds_nobody_by_accident(hostile):
    result = resolve(hostile, PEOPLE, workspace="T1")
    assert isinstance(result, (NotFound, Exact, Ambiguous))
    if isinstance(result, Exact):
        assert hostile.strip().lower().startswith(("ana", "\u202eana"))
    head, rest = split_leading(hostile, exact_names(PEOPLE))
    assert len(head) <= len(hostile) and len(rest) <= len(hostile)
    rest2, tail = split_trailing(hostile, exact_names(PEOPLE))
    assert len(tail) <= len(hostile) and len(rest2) <= len(hostile)


NAMES = exact_names(PEOPLE)


@pytest.mark.parametrize("args, person, rest", [
    ("@ana_p 20 EUR great week", "@ana_p", "20 EUR great week"),
    ("Ana Pérez 20 EUR great week", "Ana Pérez", "20 EUR great week"),  # a whole name takes its words
    ("ana perez 20 EUR x", "ana perez", "20 EUR x"),
    ("Ana 20 EUR x", "Ana", "20 EUR x"),  # not a whole name: one word
    ('"Ana P." 20 EUR x', "Ana P.", "20 EUR x"),
    ("<@UANA1|Ana Pérez> 20 EUR two  spaces\nand a line", "<@UANA1|Ana Pérez>", "20 EUR two  spaces\nand a line"),
    ("slack:T1/UANAB senior 60 Contract law", "slack:T1/UANAB", "senior 60 Contract law"),
    ("@Ana Pérez 5 EUR y", "@Ana Pérez", "5 EUR y"),
    ("", "", ""),
    ("   ", "", ""),
])
def test_a_person_is_split_from_the_start_of_a_command(args, person, rest):
    assert split_leading(args, NAMES) == (person, rest)


@pytest.mark.parametrize("args, rest, person", [
    ("Tenancy law @ana_p", "Tenancy law", "@ana_p"),
    ("Tenancy law Ana Pérez", "Tenancy law", "Ana Pérez"),
    ("Tenancy law <@UANA1|Ana Pérez>", "Tenancy law", "<@UANA1|Ana Pérez>"),
    ('Tenancy law "Ana P."', "Tenancy law", "Ana P."),
    ("Tenancy telegram:111", "Tenancy", "telegram:111"),
    ("Tenancy Anabel", "Tenancy", "Anabel"),
    ("Anabel Ruiz", "Anabel", "Ruiz"),  # the whole text a name: the project still needs a word
    ("alone", "", "alone"),
])
def test_a_person_is_split_from_the_end_of_a_command(args, rest, person):
    assert split_trailing(args, NAMES) == (rest, person)


@pytest.mark.parametrize("name, handle, fallback, shown", [
    ("Ana Pérez", "ana", "", "Ana Pérez (@ana)"),
    ("Ana Pérez", "@ana", "", "Ana Pérez (@ana)"),
    ("Ana Pérez", None, "", "Ana Pérez"),
    ("", "ana", "", "@ana"),
    ("bo", "bo", "", "bo"),  # the handle is the name: said once
    (None, None, "Expert 7f3a", "Expert 7f3a"),
    ("  Ana \n Pérez  ", "ana", "", "Ana Pérez (@ana)"),
])
def test_a_person_is_labelled_with_name_and_handle(name, handle, fallback, shown):
    assert person_label(name, handle, fallback) == shown


def test_an_override_in_a_name_is_closed_before_the_handle():
    assert person_label("\u202eevil", "ana") == "\u202eevil\u202c (@ana)"


def test_a_huge_name_makes_a_bounded_label():
    assert len(person_label("A" * 100_000, "b" * 100_000)) < 300
