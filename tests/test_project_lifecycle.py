"""The rules of a project changing while people work on it (issue 18, point 10): status transitions, which
answers a paused or closed project takes, deadlines typed as dates in the manager's zone, what an edit may change
and how it is summarised, and the version an answer was given under."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from domain.dates import DateInvalid
from domain.instructions import Change, changes, edited, fixed_fields_changed, version_given_under, with_instructions
from domain.project_lifecycle import (
    LifecycleRefused, answer_refusal, end_of_day, gives_tasks, parse_deadline, split_deadline, transition,
)
from domain.project_spec import parse_project_spec
from tests.flows.tasks_data import SPECS

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("status, verb, target", [
    ("open", "pause", "paused"), ("paused", "resume", "open"), ("open", "close", "closed"),
    ("paused", "close", "closed"),
])
def test_transitions(status, verb, target):
    assert transition(status, verb) == target


@pytest.mark.parametrize("status, verb, reason", [
    ("paused", "pause", "lifecycle.refused.already_paused"), ("open", "resume", "lifecycle.refused.already_open"),
    ("closed", "resume", "lifecycle.refused.closed"), ("closed", "close", "lifecycle.refused.closed"),
    ("closed", "pause", "lifecycle.refused.closed"),
])
def test_refused_transitions_say_why(status, verb, reason):
    with pytest.raises(LifecycleRefused) as refused:
        transition(status, verb)
    assert refused.value.reason_key == reason


def test_only_an_open_project_gives_tasks():
    assert gives_tasks("open") and not gives_tasks("paused") and not gives_tasks("closed")


def test_a_held_lease_finishes_in_a_paused_project_but_nothing_is_taken_after_close():
    assert answer_refusal("open", "expired") is None
    assert answer_refusal("paused", "active") is None
    assert answer_refusal("paused", "expired") == "lifecycle.answer_paused"
    assert answer_refusal("closed", "active") == "lifecycle.answer_closed"
    assert answer_refusal("closed", "expired") == "lifecycle.answer_closed"


def test_a_deadline_day_ends_in_the_managers_zone():
    assert end_of_day(date(2027, 1, 31), "Europe/Madrid") == datetime(2027, 1, 31, 22, 59, 59, tzinfo=timezone.utc)
    assert end_of_day(date(2027, 1, 31), "no/such zone") == datetime(2027, 1, 31, 23, 59, 59, tzinfo=timezone.utc)


def test_the_deadline_is_read_from_the_end_of_the_words():
    words, deadline = split_deadline("Clinical answers 2027-01-31".split(), NOW, "UTC")
    assert words == ["Clinical", "answers"] and deadline == datetime(2027, 1, 31, 23, 59, 59, tzinfo=timezone.utc)
    words, deadline = split_deadline("Clinical answers 31 dic".split(), NOW, "Europe/Madrid", "es")
    assert words == ["Clinical", "answers"] and deadline.date() == date(2026, 12, 31)
    assert split_deadline(["x", "today"], NOW, "UTC")[1] == datetime(2026, 12, 7, 23, 59, 59, tzinfo=timezone.utc)


@pytest.mark.parametrize("typed, reason", [
    ("Clinical answers", "lifecycle.deadline.missing"),
    ("2027-01-31", "lifecycle.deadline.missing"),  # a date and no project
    ("Clinical 2026-12-01", "lifecycle.deadline.past"),
    ("Clinical yesterday", "lifecycle.deadline.past"),
    ("Clinical 2026-13-45", "hours.error.date_unclear"),
])
def test_a_deadline_that_is_missing_unclear_or_past_is_refused(typed, reason):
    with pytest.raises(DateInvalid) as refused:
        split_deadline(typed.split(), NOW, "UTC")
    assert refused.value.reason_key == reason


def test_a_whole_text_is_a_deadline_for_the_cli():
    assert parse_deadline("2027-02-01", NOW, "UTC") == datetime(2027, 2, 1, 23, 59, 59, tzinfo=timezone.utc)
    with pytest.raises(DateInvalid):
        parse_deadline("", NOW, "UTC")


def _spec(stem: str = "rating_medicine", **changes_to):
    spec = parse_project_spec(SPECS[stem].read_bytes(), "spec.yaml")
    return spec.model_copy(update=changes_to) if changes_to else spec


def test_changes_name_sections_and_criteria():
    old = _spec()
    first = old.criteria[0]
    new = old.model_copy(update={"instructions": "Rate again.", "criteria": [
        first.model_copy(update={"description": "Now stricter"}), *old.criteria[1:]]})
    assert changes(old, new) == [Change(section="instructions"), Change(section="criterion", criterion=first.id)]
    assert changes(old, old) == []
    assert fixed_fields_changed(old, new) == []
    assert edited(old, new).instructions == "Rate again."


def test_an_edit_may_not_change_what_an_answer_is_made_of():
    old = _spec()
    assert fixed_fields_changed(old, old.model_copy(update={"criteria": old.criteria[1:]})) == ["criteria"]
    assert fixed_fields_changed(old, old.model_copy(update={"overlap": old.overlap + 1, "lease_minutes": 5})) == [
        "overlap", "lease_minutes"]
    scaled = old.criteria[0].model_copy(update={"scale": old.criteria[1].scale})
    if scaled.scale != old.criteria[0].scale:
        assert "criteria" in fixed_fields_changed(old, old.model_copy(update={"criteria": [scaled, *old.criteria[1:]]}))


def test_typed_instructions_are_validated_like_a_spec_files():
    old = _spec()
    assert with_instructions(old, "  Read   carefully.  ").instructions == "Read carefully."
    with pytest.raises(ValueError):
        with_instructions(old, "   ")


def test_the_version_an_answer_was_given_under():
    assert version_given_under(1, None) == 1
    assert version_given_under(3, None) == 3
    assert version_given_under(3, 3) == 2  # version 3 not acknowledged yet: answered under 2
    assert version_given_under(3, 2) == 1


def test_a_deadline_typed_without_a_year_is_the_next_such_day():
    assert split_deadline(["x", "31", "jan"], NOW, "UTC")[1].date() == date(2027, 1, 31)
    with pytest.raises(DateInvalid) as refused:  # a few days ago is a slip, not next year
        split_deadline(["x", "4", "dec"], NOW, "UTC")
    assert refused.value.reason_key == "lifecycle.deadline.past"


def test_exports_carry_the_instructions_version():
    from domain.exports import BASE_COLUMNS, export_row, submission_record

    raw = {"id": 1, "task_id": 2, "external_id": "q1", "item": '{"prompt": "p"}', "answer": '{"task_type": "rating"}',
           "person_id": 3, "seconds_spent": 40, "late": 0, "submitted_at": NOW, "review_state": "none",
           "revision": 1, "is_gold": 0, "gold_passed": None, "gold_score": None}
    assert submission_record(export_row({**raw, "instructions_version": 3}, b"k"))["instructions_version"] == 3
    assert export_row(raw, b"k").instructions_version == 1  # answers from before versions: version 1
    assert "instructions_version" in BASE_COLUMNS
