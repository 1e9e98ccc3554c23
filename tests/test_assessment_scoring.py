"""Scoring every item kind, the breakdown by section, pass marks and retake dates."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from domain.assessment_scoring import (
    from_shown, new_shuffles, result, retake_opens, score_choice, score_numeric, score_task, standing,
)
from domain.assessment_spec import parse_assessment
from domain.task_types import validate_answer

SPEC = parse_assessment(b"""
kind: assessment
id: s
domain: software_engineering
title: S
instructions: I
time_limit_minutes: 5
pass_score: 0.6
retake_after_days: 7
max_attempts: 2
items:
  - {id: one, type: choice, section: Code, prompt: P, options: [a, b, c, d], correct: [c]}
  - {id: many, type: choice, section: Code, prompt: P, options: [a, b, c, d], correct: [a, d]}
  - {id: num, type: numeric, prompt: P, answer: 0.3, tolerance: 0.05}
  - {id: exact, type: numeric, prompt: P, answer: 20}
  - {id: essay, type: written, prompt: P, rubric: R, points: 4}
  - id: rank
    type: task
    task: {task_type: ranking}
    item:
      prompt: Which fix?
      responses: [{id: a, text: good}, {id: b, text: meh}, {id: c, text: bad}]
      gold: {order: [a, b, c]}
  - id: rewrite
    type: task
    rubric: Better and correct
    task: {task_type: rewrite}
    item: {prompt: Fix, responses: [{id: a, text: Wrong answer here.}]}
""", "s.yaml")
ONE, MANY, NUM, EXACT, ESSAY, RANK, REWRITE = SPEC.items
NOW = datetime(2026, 5, 4, 12, tzinfo=timezone.utc)


def test_choice_single_and_several_all_or_nothing():
    assert score_choice(ONE, [2]) == 1 and score_choice(ONE, [1]) == 0 and score_choice(ONE, [2, 3]) == 0
    assert score_choice(MANY, [0, 3]) == 1 and score_choice(MANY, [3, 0, 0]) == 1
    assert score_choice(MANY, [0]) == 0 and score_choice(MANY, [0, 1, 3]) == 0 and score_choice(MANY, []) == 0


def test_shown_positions_map_back_through_the_attempts_order():
    shuffles = new_shuffles(SPEC, random.Random(7))
    assert set(shuffles) == {"one", "many"} and sorted(shuffles["one"]) == [0, 1, 2, 3]
    order = [3, 2, 1, 0]  # shown position 1 is option 2 ("c") in the file
    assert from_shown(ONE, order, ["1"]) == [2] and score_choice(ONE, from_shown(ONE, order, ["1"])) == 1
    assert from_shown(MANY, order, ["0", "3"]) == [0, 3]
    assert from_shown(ONE, order, ["9", "-1", "x", None, "1"]) == [2]  # junk from a forged payload is ignored
    orders = {tuple(new_shuffles(SPEC)["one"]) for _ in range(50)}
    assert len(orders) > 1  # shuffled per attempt


def test_numeric_with_tolerance():
    assert score_numeric(NUM, 0.3) == 1 and score_numeric(NUM, 0.35) == 1 and score_numeric(NUM, 0.25) == 1
    assert score_numeric(NUM, 0.36) == 0 and score_numeric(NUM, None) == 0 and score_numeric(NUM, True) == 0
    assert score_numeric(EXACT, 20) == 1 and score_numeric(EXACT, 20.0) == 1 and score_numeric(EXACT, 21) == 0
    assert score_numeric(NUM, 0.1 + 0.2) == 1


def test_sample_task_against_gold_or_left_for_a_reviewer():
    good = validate_answer(RANK.task, RANK.item, {"rank.a": "1", "rank.b": "2", "rank.c": "3", "justification": "x"})
    bad = validate_answer(RANK.task, RANK.item, {"rank.a": "3", "rank.b": "2", "rank.c": "1", "justification": "x"})
    assert score_task(RANK, good) == 1 and score_task(RANK, bad) == 0
    rewrite = validate_answer(REWRITE.task, REWRITE.item, {"text": "A right answer.", "what_was_wrong": "wrong"})
    assert score_task(REWRITE, rewrite) is None


def test_breakdown_by_section_and_pass_mark():
    points = {"one": 1, "many": 0, "num": 1, "exact": 1, "essay": 3, "rank": 1, "rewrite": 1}
    r = result(SPEC, points)
    sections = {s.name: (s.points, s.max_points) for s in r.sections}
    assert sections == {"Code": (1, 2), "kind:numeric": (2, 2), "kind:written": (3, 4), "kind:task": (2, 2)}
    assert abs(r.score - 8 / 10) < 1e-9 and r.passed
    assert not result(SPEC, {"one": 1, "num": 1, "exact": 1, "essay": 2}).passed  # 5/10 < 0.6
    assert result(SPEC, {"one": 1, "num": 1, "exact": 1, "essay": 3}).passed  # exactly 0.6 passes
    assert result(SPEC, {"essay": 99})  # a grade above the item's points counts only its points
    assert result(SPEC, {"essay": 99}).sections[2].points == 4


def test_attempts_left_and_retake_dates():
    assert retake_opens(SPEC, NOW, 1) == NOW + timedelta(days=7)
    assert retake_opens(SPEC, NOW, 2) is None
    fresh = standing(SPEC, [], NOW)
    assert fresh.may_start and fresh.attempts_left == 2
    failed = [{"status": "failed", "finished_at": NOW}]
    waiting = standing(SPEC, failed, NOW + timedelta(days=3))
    assert not waiting.may_start and waiting.retake_at == NOW + timedelta(days=7) and waiting.attempts_left == 1
    assert standing(SPEC, failed, NOW + timedelta(days=8)).may_start
    done = standing(SPEC, failed * 2, NOW + timedelta(days=30))
    assert not done.may_start and done.attempts_left == 0 and done.retake_at is None
    assert not standing(SPEC, [{"status": "active", "finished_at": None}], NOW).may_start
    assert standing(SPEC, [{"status": "passed", "finished_at": NOW}], NOW).passed


async def test_storage_one_live_attempt_one_answer_per_item_one_grade(db):
    """The constraints, not the handlers, make double presses harmless (both backends)."""
    from storage.uow import UnitOfWork

    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        person = await uow.people.create("P", NOW)
        grader = await uow.people.create("G", NOW)
        aid = await uow.assessments.create("s", "software_engineering", "S", SPEC.model_dump_json(), None, NOW)
        assert await uow.assessments.create("s", "software_engineering", "S", SPEC.model_dump_json(), None, NOW) is None
        first = await uow.assessments.start(aid, person.id, 1, {"one": [3, 2, 1, 0]}, NOW, NOW + timedelta(minutes=5))
        assert first is not None and first.shuffles == {"one": [3, 2, 1, 0]} and first.status == "active"
        assert await uow.assessments.start(aid, person.id, 2, {}, NOW, NOW) is None  # one in progress at a time
        assert await uow.assessments.save_answer(first.id, "essay", {"text": "x"}, NOW, False, None, 4.0, True)
        assert not await uow.assessments.save_answer(first.id, "essay", {"text": "y"}, NOW, False, None, 4.0, True)
        assert await uow.assessments.to_grade(grader.id) == []  # still active: nothing to grade yet
        assert await uow.assessments.close(first.id, "grading", NOW, False)
        assert not await uow.assessments.close(first.id, "grading", NOW, False)
        assert await uow.assessments.to_grade(person.id) == []  # never one's own
        (waiting,) = await uow.assessments.to_grade(grader.id)
        assert await uow.assessments.grade(waiting.id, 3.0, grader.id, None, NOW)
        assert not await uow.assessments.grade(waiting.id, 1.0, grader.id, None, NOW)
        assert (await uow.assessments.answer(waiting.id)).points == 3.0
        assert await uow.assessments.finish(first.id, "passed", 0.8, [{"section": "x", "points": 3, "max": 4}], NOW)
        assert await uow.assessments.start(aid, person.id, 2, {}, NOW, NOW) is not None
        q = await uow.qualifications.grant(person.id, "software_engineering", 2, NOW, NOW + timedelta(days=30),
                                           "assessment", attempt_id=first.id)
        assert q is not None
        assert await uow.qualifications.grant(person.id, "software_engineering", 2, NOW, None, "assessment",
                                              attempt_id=first.id) is None  # an attempt grants once
        assert [x.name for x in await uow.qualifications.valid(person.id, NOW)] == ["software_engineering"]
        assert await uow.qualifications.valid(person.id, NOW + timedelta(days=31)) == []
        assert await uow.qualifications.revoke(person.id, "software_engineering", grader.id, "r", NOW) == 1
        assert await uow.qualifications.valid(person.id, NOW) == []
