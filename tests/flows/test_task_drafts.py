"""A task's answers are never thrown away by one tap (issue 16, point 1): "Stop for now" keeps the draft, which
/drafts lists and /next resumes at the same step; "Discard answers…" asks first; a typed /cancel stops for now.
Every adapter (a Slack modal closes as "Stop for now"), both backends."""
from __future__ import annotations

import json

import pytest

from tests.flows.helpers import rows
from tests.flows.tasks_data import ANSWERS, add_member, seed_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# 4,050 characters: a long justification-sized answer that still fits in one Telegram message
LONG = ("The claim fails because the deposit was protected within thirty days of receipt, so no penalty applies. "
        * 40)[:4050]
# a Slack modal's text input takes at most 3,000 characters (Slack's limit)
MODAL_LONG = LONG[:3000]
REFERENCE = ANSWERS["prompt_writing_law"]["reference_answer"]
WHY = ANSWERS["prompt_writing_law"]["why_hard"]


async def _task_form(chat, user: str) -> None:
    project_id = await seed_project(chat.runtime, "prompt_writing_law")
    await chat.send(user, "/help")
    await add_member(chat.runtime, project_id, chat.identity(user))
    await chat.send(user, "/next")


async def _drafts(chat) -> list[dict]:
    got = await rows(chat.runtime, "SELECT vals, step, status FROM form_sessions WHERE form_id = 'task'")
    return [{**r, "vals": json.loads(r["vals"])} for r in got]


async def test_stop_for_now_keeps_a_long_answer_and_next_resumes_at_the_same_step(chat):
    await _task_form(chat, "ana")
    long = MODAL_LONG if getattr(chat, "forms_as_modals", False) else LONG
    if getattr(chat, "forms_as_modals", False):  # the modal's close button is "Stop for now": what was typed stays on the server
        await chat.fill_form("ana", {"prompt": long, "reference_answer": REFERENCE}, confirm=False)
        await chat.press("ana", "Stop for now")
        await chat.settle()
        assert "Stopped for now. Your answers are kept as a draft" in chat.last("ana").text
    else:
        await chat.fill_form("ana", {"prompt": LONG, "reference_answer": REFERENCE}, confirm=False)
        assert "Step 3 of 3" in chat.last("ana").text
        assert "Discard answers…" in chat.last("ana").buttons  # on its own row, apart from the step's buttons
        await chat.press("ana", "Stop for now")
        assert "Stopped for now. Your answers are kept as a draft" in chat.last("ana").text
    [draft] = await _drafts(chat)
    assert draft["status"] == "open" and draft["vals"] == {"prompt": long, "reference_answer": REFERENCE}

    await chat.send("ana", "/drafts")
    assert "1 unfinished task" in chat.last("ana").text and "2 of 3 answered" in chat.last("ana").text
    await chat.send("ana", "/next")
    if getattr(chat, "forms_as_modals", False):  # the modal opens again, filled in
        await chat.fill_form("ana", {"why_hard": WHY})
    else:
        assert "Step 3 of 3" in chat.last("ana").text
        await chat.fill_form("ana", {"why_hard": WHY}, confirm=False)
        await chat.press("ana", "Submit answer")
    [sub] = await rows(chat.runtime, "SELECT form_values FROM submissions")
    assert json.loads(sub["form_values"])["prompt"] == long


async def test_typed_cancel_inside_a_task_form_stops_for_now(chat):
    await _task_form(chat, "bo")
    await chat.fill_form("bo", {"prompt": LONG}, confirm=False)
    if getattr(chat, "forms_as_modals", False):
        await chat.press("bo", "Stop for now")
    await chat.send("bo", "/cancel")
    assert "Stopped for now, not cancelled: 1 task keeps its answers as a draft" in chat.last("bo").text
    [draft] = await _drafts(chat)
    assert draft["status"] == "open" and draft["vals"]["prompt"] == LONG
    await chat.send("bo", "/drafts")
    assert "1 unfinished task" in chat.last("bo").text
    # /next resumes at the next question; on Slack in the conversation, since a modal would cut the long answer
    await chat.send("bo", "/next")
    assert "Step 2 of 3" in chat.last("bo").text


async def test_discard_asks_first_keep_leaves_it_and_only_discard_throws_away(chat):
    await _task_form(chat, "cy")
    if getattr(chat, "forms_as_modals", False):  # a modal has no Discard: the draft is resumed in the conversation from /drafts
        await chat.fill_form("cy", {"prompt": LONG, "reference_answer": REFERENCE}, confirm=False)
        await chat.press("cy", "Stop for now")
        await chat.send("cy", "/drafts")
        await chat.press("cy", "Continue")
    else:
        await chat.fill_form("cy", {"prompt": LONG, "reference_answer": REFERENCE}, confirm=False)
    assert "Step 3 of 3" in chat.last("cy").text
    await chat.press("cy", "Discard answers…")
    assert "Discard 2 answers? This cannot be undone." in chat.last("cy").text
    assert set(chat.last("cy").buttons) == {"Discard", "Keep"}
    await chat.press("cy", "Keep")
    assert "Step 3 of 3" in chat.last("cy").text
    assert [d["status"] for d in await _drafts(chat)] == ["open"]

    await chat.press("cy", "Discard answers…")
    await chat.press("cy", "Discard")
    assert "Discarded 2 answers." in chat.last("cy").text
    assert [d["status"] for d in await _drafts(chat)] == ["cancelled"]
    await chat.send("cy", "/drafts")
    assert "You have no unfinished tasks" in chat.last("cy").text
    # the task itself is still theirs: /next starts its form again, empty
    await chat.send("cy", "/next")
    assert [r["status"] for r in await rows(chat.runtime, "SELECT status FROM assignments")] == ["active"]


async def test_a_stale_discard_after_submitting_changes_nothing(chat):
    await _task_form(chat, "di")
    if getattr(chat, "forms_as_modals", False):
        await chat.fill_form("di", {"prompt": LONG}, confirm=False)
        await chat.press("di", "Stop for now")
        await chat.send("di", "/drafts")
        await chat.press("di", "Continue")
        await chat.fill_form("di", {"reference_answer": REFERENCE, "why_hard": WHY}, confirm=False)
    else:
        await chat.fill_form("di", {"prompt": LONG, "reference_answer": REFERENCE, "why_hard": WHY}, confirm=False)
    summary = chat.last("di")  # a long summary comes in two messages: the buttons are on the last
    assert "Please check your answers" in chat.texts("di")
    # Submit and the way out are never in one row: Stop for now and Discard each have a row of their own
    assert "Stop for now" in summary.buttons and "Discard answers…" in summary.buttons
    await chat.press("di", "Discard answers…")
    assert "Discard 3 answers?" in chat.last("di").text
    await chat.send("di", "/drafts")
    await chat.press("di", "Continue")  # the summary again, in a new message
    await chat.press("di", "Submit answer")
    assert "your answer for" in chat.last("di").text
    await chat.press_as("di", "di", "Discard")  # an old Discard button: the draft became an answer meanwhile
    assert "This button has expired" in chat.texts("di")
    assert [d["status"] for d in await _drafts(chat)] == ["completed"]
    assert len(await rows(chat.runtime, "SELECT id FROM submissions")) == 1
    assert [r["status"] for r in await rows(chat.runtime, "SELECT status FROM assignments")] == ["submitted"]


async def test_stop_and_discard_in_spanish(chat):
    project_id = await seed_project(chat.runtime, "prompt_writing_law")
    await chat.send("eva", "/language")
    await chat.press("eva", "Español")
    await add_member(chat.runtime, project_id, chat.identity("eva"))
    await chat.send("eva", "/next")
    if getattr(chat, "forms_as_modals", False):
        await chat.fill_form("eva", {"prompt": LONG}, confirm=False)
        await chat.press("eva", "Parar por ahora")
        await chat.send("eva", "/drafts")
        await chat.press("eva", "Continuar")
    else:
        await chat.fill_form("eva", {"prompt": LONG}, confirm=False)
        await chat.press("eva", "Parar por ahora")
        assert "Lo dejamos aquí por ahora. Tus respuestas se guardan como borrador" in chat.last("eva").text
        await chat.send("eva", "/cancel")
        assert "Lo dejamos por ahora, sin cancelar: 1 tarea conserva sus respuestas" in chat.last("eva").text
        await chat.send("eva", "/next")
    await chat.press("eva", "Descartar respuestas…")
    assert "¿Descartar 1 respuesta? No se puede deshacer." in chat.last("eva").text
    await chat.press("eva", "Conservar")
    await chat.press("eva", "Descartar respuestas…")
    await chat.press("eva", "Descartar")
    assert "Se descartó 1 respuesta." in chat.last("eva").text
    assert [d["status"] for d in await _drafts(chat)] == ["cancelled"]
