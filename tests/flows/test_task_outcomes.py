"""Telling an expert exactly what happened to their work (issue 16, points 10, 11 and 14), every adapter, both
backends:

- a review outcome (approved, rejected, sent back) quotes the item (its prompt cut at a word, isolated, and its id)
  and the day of the answer in the expert's zone and language, with "See my answer" — for its author and managers
  only, and never for a version since replaced;
- /drafts tells drafts apart (which item, how far or "ready to submit", when the time runs out) with a Continue
  button each;
- Skip's "Other" asks for the reason in words, kept with the skip; Undo gives the same item back with its draft
  while nobody else has it; a double tap on Skip or Undo does nothing twice.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from handlers.review import ShowAnswer
from tests.flows.helpers import Clock, answer_one, grant, person_id, resign_button, rows
from tests.flows.tasks_data import ANSWERS, add_member, seed_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

FSI, PDI = "\u2068", "\u2069"
LONG_PROMPT = ("Should I put my emergency fund into cryptocurrency to beat inflation, given that my bank pays "
               "almost nothing?")
QUOTED = FSI + "Should I put my emergency fund into cryptocurrency to beat inflation, given that…" + PDI
SECOND = FSI + "Is it better to pay off my credit card or invest?" + PDI
REWRITE = ANSWERS["rewrite_finance"]["text"]
LAW = ANSWERS["prompt_writing_law"]


async def _people(chat, project_stem: str, *users: str) -> int:
    project_id = await seed_project(chat.runtime, project_stem)
    for user in users:
        await chat.send(user, "/help")
        await add_member(chat.runtime, project_id, chat.identity(user))
    return project_id


async def _set(chat, user: str, sql: str, *args) -> None:
    pid = await person_id(chat, user)
    async with chat.runtime.db.transaction() as tx:
        await tx.execute(sql, pid, *args)


async def _audit(chat, action: str) -> int:
    return (await rows(chat.runtime, "SELECT COUNT(*) AS n FROM audit_log WHERE action = $1", action))[0]["n"]


# point 10 ---------------------------------------------------------------------------------------------------
async def test_every_outcome_names_the_item_and_the_day_and_shows_the_answer_to_its_author(open_chat):
    clock = Clock()
    clock.now = datetime(2026, 3, 10, 23, 30, tzinfo=timezone.utc)  # already 11 March in Madrid
    chat = await open_chat(clock=clock)
    await _people(chat, "rewrite_finance", "ana", "rev", "bo", "meg")
    async with chat.runtime.db.transaction() as tx:  # a prompt longer than an excerpt
        await tx.execute("UPDATE tasks SET item = $1 WHERE external_id = 'fin-rw-001'", json.dumps(
            {"external_id": "fin-rw-001", "prompt": LONG_PROMPT, "responses": [{"id": "a", "text": "Yes, do it."}]}))
    await _set(chat, "ana", "UPDATE persons SET timezone = $2 WHERE id = $1", "Europe/Madrid")
    await grant(chat, "rev", "reviewer")
    await grant(chat, "meg", "manager")
    await answer_one(chat, "ana", "rewrite_finance")
    await answer_one(chat, "ana", "rewrite_finance")
    first, second = [r["id"] for r in await rows(chat.runtime, "SELECT id FROM submissions ORDER BY id")]

    await chat.send("rev", "/review")
    await chat.press("rev", "Send back for rework")
    await chat.fill_form("rev", {"comment": "Say how many months of expenses to keep."}, confirm=False)
    await chat.press("rev", "Send decision")
    notice = chat.last("ana")
    assert "sent back for rework" in notice.text
    assert QUOTED in notice.text and f"(item {FSI}fin-rw-001{PDI})" in notice.text  # cut at a word, isolated
    assert "your answer of Mar 11, 2026" in notice.text  # her day, not the server's (10 March in UTC)
    assert {"Rework my answer", "See my answer"} <= set(notice.buttons)

    await chat.press("ana", "See my answer")
    shown = chat.last("ana").text
    assert "Answer for Personal finance answers — rewrite" in shown and REWRITE[:60] in shown and QUOTED in shown

    # a payload signed for someone else who is neither the author nor a manager: refused, nothing shown
    resign_button(chat, "ana", "See my answer", ShowAnswer(submission=first, revision=1), await person_id(chat, "bo"))
    seen = len(chat.received("ana"))
    await chat.press_as("bo", "ana", "See my answer")
    refused = chat.texts("bo") + "\n".join(r.text for r in chat.received("ana")[seen:])  # either side of the button
    assert "someone else's" in refused and REWRITE[:60] not in refused
    # a manager may see it
    resign_button(chat, "ana", "See my answer", ShowAnswer(submission=first, revision=1), await person_id(chat, "meg"))
    seen = len(chat.received("ana"))
    await chat.press_as("meg", "ana", "See my answer")
    assert REWRITE[:60] in chat.texts("meg") + "\n".join(r.text for r in chat.received("ana")[seen:])

    # the answer is reworked: the rework notice's button is stale now, and says so
    resign_button(chat, "ana", "See my answer", ShowAnswer(submission=first, revision=1), await person_id(chat, "ana"))
    await chat.press("ana", "Rework my answer")
    await chat.press("ana", "Submit answer")
    await chat.press_as("ana", "ana", "See my answer")
    assert "earlier version of the answer" in chat.last("ana").text

    await chat.send("rev", "/review")  # the reworked answer, version 2
    await chat.press("rev", "Reject")
    await chat.fill_form("rev", {"reason": "Too vague", "comment": "It never says what to do instead."}, confirm=False)
    await chat.press("rev", "Send decision")
    rejected = chat.last("ana")
    assert "was rejected" in rejected.text and QUOTED in rejected.text and "See my answer" in rejected.buttons
    await chat.press("ana", "See my answer")  # the version reviewed, current: shown
    assert REWRITE[:60] in chat.last("ana").text
    await chat.send("rev", "/review")
    await chat.press("rev", "Approve")
    approved = chat.last("ana")
    assert "was approved" in approved.text and f"“{SECOND}” (item {FSI}fin-rw-002{PDI})" in approved.text
    assert "your answer of Mar 11, 2026" in approved.text and "See my answer" in approved.buttons
    assert [(r["submission_id"], r["decision"]) for r in await rows(
        chat.runtime, "SELECT submission_id, decision FROM reviews ORDER BY id")] == [
        (first, "rework"), (first, "rejected"), (second, "approved")]


async def test_an_outcome_in_spanish_names_the_item_and_the_day_in_spanish(open_chat):
    clock = Clock()
    clock.now = datetime(2026, 3, 10, 23, 30, tzinfo=timezone.utc)
    chat = await open_chat(clock=clock)
    await _people(chat, "rewrite_finance", "eva", "rev")
    await chat.send("eva", "/language")
    await chat.press("eva", "Español")
    await _set(chat, "eva", "UPDATE persons SET timezone = $2 WHERE id = $1", "America/Mexico_City")
    await grant(chat, "rev", "reviewer")
    await chat.send("eva", "/next")
    await chat.fill_form("eva", ANSWERS["rewrite_finance"], confirm=False)
    await chat.press("eva", "Enviar respuesta")
    await chat.send("rev", "/review")
    await chat.press("rev", "Approve")
    notice = chat.last("eva")
    assert "fue aprobada" in notice.text and f"(elemento {FSI}fin-rw-001{PDI})" in notice.text
    assert "«" + FSI + "Should I put my emergency fund" in notice.text
    assert "tu respuesta del 10 mar 2026" in notice.text  # still 10 March in Mexico City
    await chat.press("eva", "Ver mi respuesta")
    assert "Respuesta para" in chat.last("eva").text and REWRITE[:60] in chat.last("eva").text


# point 11 ---------------------------------------------------------------------------------------------------
async def _stop(chat, user: str) -> None:
    """Leave the task form keeping its draft: the modal's close, or the step's or summary's Stop for now."""
    await chat.press(user, "Stop for now")


async def test_drafts_tell_apart_which_item_how_far_and_when_time_runs_out(open_chat):
    clock = Clock()
    clock.now = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)  # 10:00 in Madrid
    chat = await open_chat(clock=clock)
    await _people(chat, "prompt_writing_law", "dan")  # two items, lease 120 minutes
    await _set(chat, "dan", "UPDATE persons SET timezone = $2 WHERE id = $1", "Europe/Madrid")
    await chat.send("dan", "/next")
    await chat.fill_form("dan", {"prompt": LAW["prompt"]}, confirm=False)
    await _stop(chat, "dan")
    clock.now += timedelta(minutes=121)  # the first lease ends: its draft stays with dan
    await chat.send("dan", "/next")  # the second item
    await chat.fill_form("dan", LAW, confirm=False)  # every answer given: at the summary (or the modal)
    await _stop(chat, "dan")

    await chat.send("dan", "/drafts")
    shown = chat.last("dan")
    lines = shown.text.splitlines()
    assert "2 unfinished tasks" in shown.text
    first = lines.index(next(ln for ln in lines if ln.startswith("1. ")))
    assert f"(item {FSI}law-pw-002{PDI})" in lines[first] and "Topic: penalty clauses" in lines[first]
    # at the summary with everything answered: ready, not "3 of 3" (nor "2 of 4")
    assert "ready to submit · expires today at 2:01" in lines[first + 1]  # 14:01 in Madrid: the lease's end
    second = lines.index(next(ln for ln in lines if ln.startswith("2. ")))
    assert f"(item {FSI}law-pw-001{PDI})" in lines[second]
    assert "1 of 3 answered · time ran out (draft kept)" in lines[second + 1]
    assert shown.buttons[-2:] == ["Continue 1", "Continue 2"]

    clock.now += timedelta(minutes=90)  # half an hour left on the second lease
    await chat.send("dan", "/drafts")
    assert "ready to submit · expires in 30 minutes" in chat.last("dan").text
    seen = len(chat.received("dan"))
    await chat.press("dan", "Continue 2")  # the lapsed one: its item and where it stopped
    assert "Topic: limitation periods" in "\n".join(r.text for r in chat.received("dan")[seen:])
    assert "Step 2 of 3" in chat.last("dan").text


async def test_one_draft_in_spanish_has_one_continue_button(chat):
    await _people(chat, "prompt_writing_law", "leo")
    await chat.send("leo", "/language")
    await chat.press("leo", "Español")
    await chat.send("leo", "/next")
    await chat.fill_form("leo", {"prompt": LAW["prompt"], "reference_answer": LAW["reference_answer"]}, confirm=False)
    await chat.press("leo", "Parar por ahora")
    await chat.send("leo", "/drafts")
    shown = chat.last("leo")
    assert "1 tarea sin terminar" in shown.text and f"(elemento {FSI}law-pw-001{PDI})" in shown.text
    assert "2 de 3 respondidas · vence hoy" in shown.text or "2 de 3 respondidas · vence mañana" in shown.text
    assert shown.buttons == ["Continuar"]
    await chat.press("leo", "Continuar")
    assert "Paso 3 de 3" in chat.last("leo").text


# point 14 ---------------------------------------------------------------------------------------------------
async def test_other_asks_for_the_reason_and_undo_gives_the_task_back_with_its_draft(chat):
    await _people(chat, "prompt_writing_law", "fay")
    await chat.send("fay", "/next")
    await chat.fill_form("fay", {"prompt": LAW["prompt"]}, confirm=False)
    if getattr(chat, "forms_as_modals", False):
        await _stop(chat, "fay")
    await chat.send("fay", "/skip")
    await chat.press("fay", "Other reason")
    assert "What is the reason?" in chat.last("fay").text
    await chat.send("fay", "The prompt is about Scots law, which I do not practise.")
    assert "won't get this task again" in chat.last("fay").text and "Undo" in chat.last("fay").buttons
    [a] = await rows(chat.runtime, "SELECT status, skip_reason FROM assignments")
    assert a == {"status": "skipped", "skip_reason": "other: The prompt is about Scots law, which I do not practise."}
    await chat.send("fay", "/drafts")
    assert "You have no unfinished tasks" in chat.last("fay").text  # set aside with the skip, not listed

    await chat.press("fay", "Undo")
    assert "Skip undone" in chat.texts("fay") and "Step 2 of 3" in chat.last("fay").text
    [a] = await rows(chat.runtime, "SELECT status, skip_reason FROM assignments")
    assert a == {"status": "active", "skip_reason": None}
    [draft] = await rows(chat.runtime, "SELECT status, vals FROM form_sessions WHERE form_id = 'task'")
    assert draft["status"] == "open" and json.loads(draft["vals"]) == {"prompt": LAW["prompt"]}
    await chat.press_as("fay", "fay", "Undo")  # a double tap: nothing more
    assert "already" in chat.last("fay").text
    assert (await rows(chat.runtime, "SELECT filled FROM tasks ORDER BY id"))[0]["filled"] == 1
    assert await _audit(chat, "task.skip_undone") == 1

    # skipped again with a reason button, tapped twice: one skip
    await chat.send("fay", "/skip")
    await chat.press("fay", "The task is unclear")
    await chat.press_as("fay", "fay", "The task is unclear")
    assert "You skipped this task already" in chat.last("fay").text
    assert [r["filled"] for r in await rows(chat.runtime, "SELECT filled FROM tasks ORDER BY id")] == [0, 0]
    assert await _audit(chat, "task.skipped") == 2
    # and the answers are still there for an Undo
    await chat.press_as("fay", "fay", "Undo")
    assert "Step 2 of 3" in chat.last("fay").text
    await chat.fill_form("fay", {"reference_answer": LAW["reference_answer"], "why_hard": LAW["why_hard"]},
                         confirm=False)
    await chat.press("fay", "Submit answer")
    [sub] = await rows(chat.runtime, "SELECT form_values FROM submissions")
    assert json.loads(sub["form_values"])["prompt"] == LAW["prompt"]


async def test_undo_is_refused_once_the_item_went_to_someone_else_or_another_task_is_in_hand(chat):
    await _people(chat, "prompt_writing_law", "gus", "hal")  # one answer per item
    await chat.send("gus", "/next")
    await chat.send("gus", "/skip")
    await chat.press("gus", "Outside my expertise")
    await chat.send("hal", "/next")  # the item gus skipped
    await chat.press("gus", "Undo")
    assert "went to someone else" in chat.last("gus").text
    statuses = {r["person_id"]: r["status"] for r in await rows(chat.runtime, "SELECT person_id, status FROM assignments")}
    assert statuses == {await person_id(chat, "gus"): "skipped", await person_id(chat, "hal"): "active"}

    await chat.send("hal", "/skip")
    await chat.press("hal", "Conflict of interest")
    await chat.send("hal", "/next")  # the second item: now hal has another task in hand
    await chat.press_as("hal", "hal", "Undo")
    assert "another task in hand" in chat.last("hal").text
    assert sorted(r["status"] for r in await rows(
        chat.runtime, "SELECT status FROM assignments WHERE person_id = $1", await person_id(chat, "hal"))) == [
        "active", "skipped"]


async def test_skip_other_and_undo_in_spanish(chat):
    await _people(chat, "prompt_writing_law", "ivo")
    await chat.send("ivo", "/language")
    await chat.press("ivo", "Español")
    await chat.send("ivo", "/next")
    await chat.send("ivo", "/skip")
    await chat.press("ivo", "Otro motivo")
    assert "¿Cuál es el motivo?" in chat.last("ivo").text
    await chat.send("ivo", "Trata de derecho escocés, que no ejerzo.")
    assert "Deshacer" in chat.last("ivo").text and "Deshacer" in chat.last("ivo").buttons
    await chat.press("ivo", "Deshacer")
    assert "Salto deshecho" in chat.texts("ivo")
    await chat.press_as("ivo", "ivo", "Deshacer")
    assert "El salto ya está deshecho" in chat.last("ivo").text


async def test_a_typed_skip_while_other_asks_closes_the_question(chat):
    await _people(chat, "prompt_writing_law", "jo")
    await chat.send("jo", "/next")
    await chat.send("jo", "/skip")
    await chat.press("jo", "Other reason")
    await chat.send("jo", "/skip not my field")  # said another way: the question asking why is closed with it
    assert [r["skip_reason"] for r in await rows(chat.runtime, "SELECT skip_reason FROM assignments")] == [
        "other: not my field"]
    assert [r["status"] for r in await rows(chat.runtime, "SELECT status FROM form_sessions WHERE form_id = 'task_skip'")
            ] == ["cancelled"]
    await chat.send("jo", "Anything typed now is not taken as a reason")
    assert "You skipped this task already" not in chat.texts("jo")
