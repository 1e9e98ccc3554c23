"""Screening assessments in chat: take one item by item, grading by a reviewer, the server's clock, resume after a
restart, qualifications gating projects, forged presses on another person's attempt. Every adapter, both backends."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from handlers.assessments import deadline_tick, expiry_tick
from handlers.shared.assessment_files import create_assessment
from storage.uow import UnitOfWork
from tests.flows.helpers import Clock, grant, onboard, rows
from tests.flows.tasks_data import seed_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ASSESSMENT = b"""
kind: assessment
id: triage_check
domain: medicine
title: Triage check
instructions: Five quick questions. Answer from memory.
time_limit_minutes: 15
pass_score: 0.6
retake_after_days: 10
max_attempts: 2
level: 3
valid_days: 30
items:
  - id: q1
    type: choice
    prompt: "Which drug raises INR with warfarin?"
    options: [Fluconazole, Rifampicin, Vitamin K]
    correct: [Fluconazole]
  - id: q2
    type: choice
    prompt: "Which are red flags in back pain?"
    options: [Urinary retention, Saddle anaesthesia, Desk work]
    correct: [Urinary retention, Saddle anaesthesia]
  - {id: q3, type: numeric, prompt: "Max paracetamol grams per day for an adult?", answer: 4, tolerance: 0.25, unit: g}
  - id: q4
    type: written
    prompt: "What is wrong with advising antacids for crushing chest pain?"
    rubric: Names ACS and calling emergency services.
    points: 2
    min_chars: 10
  - id: q5
    type: task
    prompt: Which answer is better?
    task: {task_type: pairwise}
    item:
      prompt: Ibuprofen dose for a 16 kg child?
      responses: [{id: a, text: About 160 mg every 6 to 8 hours.}, {id: b, text: 400 mg every 4 hours.}]
      gold: {preference: a_better}
"""
WRITTEN = "It misses a possible heart attack: call emergency services now."


async def seed(runtime) -> int:
    async with runtime.db.transaction() as tx:
        created = await create_assessment(UnitOfWork(tx), ASSESSMENT, "triage.assessment.yaml", None,
                                          runtime.clock())
    assert created.assessment_id, created.errors
    return created.assessment_id


async def start(chat, user: str) -> None:
    await chat.send(user, "/assess")
    assert "Triage check" in chat.last(user).text
    await chat.press(user, "Take: Triage check")
    shown = chat.texts(user)
    assert "15 min" in shown and "answers that arrive after the time limit are not counted" in shown
    await chat.press(user, "Start now")


async def pick(chat, user: str, *labels: str) -> None:
    """Answer a choice item: press the option(s) (then Done for several), submitting a Slack modal."""
    for label in labels:
        await chat.press(user, label)
    if len(labels) > 1:
        await chat.press(user, "Done")
    await _submit_modal(chat, user)


async def typed(chat, user: str, value: str) -> None:
    await chat.send(user, value)
    await _submit_modal(chat, user)


async def _submit_modal(chat, user: str) -> None:
    if chat.platform == "slack" and getattr(chat, "_modals", {}).get(user):
        await chat.press(user, "Save")


async def settle(chat) -> None:
    """Messages a tick sends (not caused by anyone's turn) are collected on platforms that deliver them late."""
    if chat.platform == "slack":
        await chat.settle()


async def answer_task(chat, user: str, preference: str, justification: str) -> None:
    """The sample task's form: a wizard that ends at a summary with Submit (on Slack too: it stays in the DM)."""
    if getattr(chat, "_modals", {}).get(user):
        await chat.press(user, preference)
        await chat.fill_form(user, {"justification": justification})
        return
    await chat.fill_form(user, {"preference": preference, "justification": justification}, confirm=False)
    await chat.press(user, "Submit answer")


async def answer_all(chat, user: str, numeric: str = "4") -> None:
    await pick(chat, user, "Fluconazole")
    await pick(chat, user, "Urinary retention", "Saddle anaesthesia")
    await typed(chat, user, numeric)
    await typed(chat, user, WRITTEN)
    await answer_task(chat, user, "A is better", "A gives the weight-based dose; B is an adult overdose.")


async def test_take_grade_pass_and_qualification(chat):
    await seed(chat.runtime)
    await onboard(chat, "ana")
    await start(chat, "ana")
    await answer_all(chat, "ana")
    assert "Some need a reviewer" in chat.texts("ana")
    attempt = (await rows(chat.runtime, "SELECT id, status, shuffles FROM assessment_attempts"))[0]
    assert attempt["status"] == "grading"
    answers = {a["item_id"]: a for a in await rows(chat.runtime, "SELECT item_id, points, late, needs_grading, answer"
                                                                 " FROM assessment_answers")}
    assert answers["q1"]["points"] == 1 and answers["q2"]["points"] == 1 and answers["q3"]["points"] == 1
    assert answers["q5"]["points"] == 1 and answers["q4"]["points"] is None and answers["q4"]["needs_grading"] == 1
    # the options are stored as positions in the file, whatever order they were shown in
    assert json.loads(answers["q2"]["answer"]) == {"chosen": [0, 1]}

    # the answer key never reached ana: payloads carry shown positions only, and no message shows a key or rubric
    shuffles = json.loads(attempt["shuffles"])
    assert sorted(shuffles["q1"]) == [0, 1, 2]
    sent = [str(p) for r in chat.received("ana")
            for p in list(r.payloads or []) + [a.get("value", "") for a in getattr(r, "actions", [])]]
    assert sent and not any(word in p for p in sent for word in ("Fluconazole", "correct", "answer", "gold"))
    seen = chat.texts("ana")
    assert "Names ACS" not in seen and "a_better" not in seen and "tolerance" not in seen

    await onboard(chat, "rev")
    await grant(chat, "rev", "reviewer")
    await chat.send("ana", "/grade")
    assert "permission" in chat.last("ana").text
    await chat.send("rev", "/grade")
    shown = chat.last("rev").text
    assert "Grade an answer" in shown and WRITTEN in shown and "Names ACS" in shown
    await chat.press("rev", "2")
    assert "Saved: 2 of 2 points" in chat.texts("rev")
    assert "No assessment answers are waiting" in chat.last("rev").text
    result = chat.texts("ana")
    assert "Score: 100%" in result and "Passed" in result and "medicine at level 3" in result
    assert "Multiple choice: 2 of 2 points" in result and "Written answers: 2 of 2 points" in result
    quals = await rows(chat.runtime, "SELECT name, level, source, expires_at FROM qualifications")
    assert [(q["name"], q["level"], q["source"]) for q in quals] == [("medicine", 3, "assessment")]
    assert quals[0]["expires_at"] is not None
    actions = [r["action"] for r in await rows(chat.runtime, "SELECT action FROM audit_log ORDER BY id")]
    for needed in ("assessment.started", "assessment.answered", "assessment.submitted", "assessment.graded",
                   "assessment.scored"):
        assert needed in actions
    await chat.send("ana", "/assess")
    assert "passed" in chat.last("ana").text and "medicine (3)" in chat.last("ana").text


async def test_wrong_answers_fail_and_say_when_to_retry(chat):
    await seed(chat.runtime)
    await onboard(chat, "bea")
    await start(chat, "bea")
    await pick(chat, "bea", "Rifampicin")
    await pick(chat, "bea", "Urinary retention", "Desk work")
    await typed(chat, "bea", "5")
    await typed(chat, "bea", WRITTEN)
    await answer_task(chat, "bea", "B is much better", "B is more decisive and gives a single clear dose to use.")
    points = {r["item_id"]: r["points"] for r in await rows(chat.runtime, "SELECT item_id, points FROM assessment_answers")}
    assert points == {"q1": 0, "q2": 0, "q3": 0, "q4": None, "q5": 0}
    await onboard(chat, "rev")
    await grant(chat, "rev", "reviewer")
    await chat.send("rev", "/grade")
    await chat.press("rev", "1")
    result = chat.texts("bea")
    assert "Score: 17%" in result and "Not passed this time" in result and "try again from" in result
    assert await rows(chat.runtime, "SELECT id FROM qualifications") == []
    await chat.send("bea", "/assess")
    assert "1 of 2 attempts left" in chat.last("bea").text and "retake it from" in chat.last("bea").text


async def test_time_limit_is_enforced_on_the_server(open_chat):
    clock = Clock()
    chat = await open_chat(clock=clock)
    await seed(chat.runtime)
    await onboard(chat, "cal")
    await start(chat, "cal")
    await pick(chat, "cal", "Fluconazole")
    clock.now += timedelta(minutes=16)
    await pick(chat, "cal", "Urinary retention", "Saddle anaesthesia")  # correct, but late
    text = chat.texts("cal")
    assert "arrived after the time limit" in text and "Time is up for Triage check" in text
    answers = {r["item_id"]: r for r in await rows(chat.runtime, "SELECT item_id, points, late FROM assessment_answers")}
    assert answers["q1"]["late"] == 0 and answers["q1"]["points"] == 1
    assert answers["q2"]["late"] == 1 and answers["q2"]["points"] == 0
    attempt = (await rows(chat.runtime, "SELECT status, timed_out, score FROM assessment_attempts"))[0]
    assert attempt["status"] == "failed" and attempt["timed_out"] == 1
    assert abs(attempt["score"] - 1 / 6) < 1e-6
    assert "Score: 17%" in chat.texts("cal")

    # someone who walks away is closed by the tick, once
    await onboard(chat, "dan")
    await start(chat, "dan")
    await pick(chat, "dan", "Fluconazole")
    assert await chat.runtime.run_tick(deadline_tick) == 0
    clock.now += timedelta(minutes=20)
    assert await chat.runtime.run_tick(deadline_tick) > 0
    assert await chat.runtime.run_tick(deadline_tick) == 0
    await settle(chat)
    assert "Time is up for Triage check" in chat.texts("dan")
    statuses = sorted(r["status"] for r in await rows(chat.runtime, "SELECT status FROM assessment_attempts"))
    assert statuses == ["failed", "failed"]
    open_forms = await rows(chat.runtime, "SELECT id FROM form_sessions WHERE form_id = 'assess.item' AND status = 'open'")
    assert open_forms == []


async def test_resume_after_restart(chat):
    await seed(chat.runtime)
    await onboard(chat, "eva")
    await start(chat, "eva")
    await pick(chat, "eva", "Fluconazole")
    await chat.restart()
    await chat.send("eva", "/assess")
    assert "in progress" in chat.last("eva").text
    await chat.press("eva", "Continue: Triage check")
    assert "Question 2 of 5" in chat.texts("eva")
    await pick(chat, "eva", "Urinary retention", "Saddle anaesthesia")
    await typed(chat, "eva", "4")
    answered = [r["item_id"] for r in await rows(chat.runtime, "SELECT item_id FROM assessment_answers ORDER BY id")]
    assert answered == ["q1", "q2", "q3"]
    assert len(await rows(chat.runtime, "SELECT id FROM assessment_attempts")) == 1


async def test_forged_presses_on_another_persons_attempt_are_refused(chat):
    await seed(chat.runtime)
    await onboard(chat, "fay")
    await onboard(chat, "gus")
    await start(chat, "fay")
    await pick(chat, "fay", "Fluconazole")
    await chat.press_as("gus", "fay", "Saddle anaesthesia")  # fay's option button on item 2, pressed by gus
    assert "This button has expired" in chat.texts("gus")
    assert [r["item_id"] for r in await rows(chat.runtime, "SELECT item_id FROM assessment_answers")] == ["q1"]
    values = await rows(chat.runtime, "SELECT vals FROM form_sessions WHERE form_id = 'assess.item' AND status = 'open'")
    assert [json.loads(v["vals"]) for v in values] == [{}]
    await chat.send("fay", "/assess")
    await chat.press_as("gus", "fay", "Continue: Triage check")
    refused = chat.texts("gus")
    assert "That attempt isn't yours" in refused or refused.count("This button has expired") == 2
    assert "Question" not in chat.texts("gus")
    attempts = await rows(chat.runtime, "SELECT person_id FROM assessment_attempts")
    assert len(attempts) == 1
    # fay's attempt is untouched and still hers to finish
    await chat.press("fay", "Continue: Triage check")
    await pick(chat, "fay", "Urinary retention", "Saddle anaesthesia")
    answers = await rows(chat.runtime, "SELECT item_id, points FROM assessment_answers ORDER BY id")
    assert [(r["item_id"], r["points"]) for r in answers] == [("q1", 1), ("q2", 1)]


async def test_qualification_gates_projects_and_expires(open_chat):
    clock = Clock()
    chat = await open_chat(clock=clock)
    project_id = await seed_project(chat.runtime, "error_check_medicine")  # requires medicine level 3
    await onboard(chat, "hal")
    await onboard(chat, "meg")
    await grant(chat, "meg", "manager")
    await chat.send("hal", "/projects")
    assert "needs a qualification you don't hold yet" in chat.last("hal").text
    await chat.send("hal", "/join Drug interaction")
    assert "can't join" in chat.last("hal").text.lower() or "cannot" in chat.last("hal").text.lower()
    await chat.send("meg", f"/qualify {chat.identity('hal')} medicine 3 days=10 verified board certificate")
    assert "now holds medicine at level 3" in chat.last("meg").text
    assert "granted the qualification medicine at level 3" in chat.texts("hal")
    await chat.send("hal", "/projects")
    assert "Join Drug interaction" in " ".join(chat.last("hal").buttons)
    await chat.send("meg", f"/unqualify {chat.identity('hal')} medicine licence under review")
    assert "revoked" in chat.texts("hal")
    await chat.send("hal", "/projects")
    assert "needs a qualification" in chat.last("hal").text
    await chat.send("meg", f"/qualify {chat.identity('hal')} medicine 3 days=30 reinstated")
    clock.now += timedelta(days=3)
    assert await chat.runtime.run_tick(expiry_tick) == 0
    clock.now += timedelta(days=14)  # 13 days left
    assert await chat.runtime.run_tick(expiry_tick) == 1
    assert await chat.runtime.run_tick(expiry_tick) == 0
    await settle(chat)
    assert "lapses on" in chat.texts("hal")
    await chat.send("hal", "/join Drug interaction")
    assert await rows(chat.runtime, "SELECT person_id FROM project_members WHERE project_id = $1", project_id)
    clock.now += timedelta(days=14)
    await chat.send("hal", "/projects")
    assert "you're in" in chat.last("hal").text  # a member stays a member
    async with chat.runtime.db.transaction() as tx:
        from handlers.shared.qualification_hooks import qualifications_of

        from domain.identity import parse_identity

        key = parse_identity(chat.identity("hal"))
        pid = (await UnitOfWork(tx).identities.find(key.platform, key.workspace, key.user_id)).person_id
        assert await qualifications_of(UnitOfWork(tx), pid, clock.now) == {}
    actions = [r["action"] for r in await rows(chat.runtime, "SELECT action FROM audit_log")]
    assert "qualification.granted" in actions and "qualification.revoked" in actions


async def test_manager_uploads_an_assessment(chat):
    import handlers.projects as projects_module
    import inspect

    if "assessment_upload" not in inspect.getsource(projects_module):
        pytest.skip("waiting for the two-line hook in handlers/projects.py manager_upload (see the issue 8 report)")
    await chat.send("meg", "/help")
    await grant(chat, "meg", "manager")
    await chat.upload("meg", "triage.assessment.yaml", ASSESSMENT.replace(b"pass_score: 0.6", b"pass_score: 150"))
    assert "The assessment was refused" in chat.texts("meg")
    await chat.upload("meg", "triage.yaml", ASSESSMENT)
    assert "Assessment Triage check is created with 5 questions" in chat.last("meg").text
    assert len(await rows(chat.runtime, "SELECT id FROM assessments")) == 1
    assert await rows(chat.runtime, "SELECT id FROM projects") == []


async def test_demo_assessments_are_listed_by_domain(chat):
    from app.demo import seed_assessments

    assert sorted(await seed_assessments(chat.runtime)) == [
        "finance_screening", "law_screening", "medicine_screening", "software_screening"]
    assert await seed_assessments(chat.runtime) == []  # seeding twice changes nothing
    await onboard(chat, "ivy")  # medicine and law
    await chat.send("ivy", "/assess")
    listing = chat.last("ivy").text
    assert "Clinical reasoning screening" in listing and "Legal reasoning screening" in listing
    assert "Finance screening" not in listing and "Software engineering screening" not in listing
    assert "3 of 3 attempts left" in listing
    await chat.press("ivy", "Take: Legal reasoning screening")
    assert "20 min" in chat.last("ivy").text
