"""How many messages one task costs. A pairwise submission (/next, choose, type the reason, submit) is at most three
messages sent to the expert where the platform edits messages (Telegram, a Slack DM), one modal on Slack, and
what the expert needs is all still shown: the task with its first question, then, in the message the press edited,
the task, the answer chosen and the next question; the summary; the thanks. Every adapter, both backends."""
from __future__ import annotations

import json

import pytest

from tests.flows.helpers import (
    EDITS, MODALS, SENDS, line_with, person_id, platform_calls, shown_in_place, watch_deliveries,
)
from tests.flows.tasks_data import JUSTIFY, add_member, pairwise_spec, seed_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PAIRWISE = pairwise_spec("Tenancy pairs").encode()
PROMPT = "My landlord in England kept my whole deposit without saying why. What can I do?"
GOOD = ("Ask the landlord in writing for an itemised list of deductions. If your deposit was never protected, you can "
        "claim up to three times the deposit in court.")
BAD = "Landlords can keep deposits if they want to."
QUESTION = "Which response is better overall?"
REASON = "Justification"


def _items(prompt: str, a: str, b: str) -> bytes:
    item = {"external_id": "T1", "prompt": prompt, "responses": [{"id": "a", "text": a}, {"id": "b", "text": b}]}
    return (json.dumps(item) + "\n").encode()


async def _expert(chat, tasks: bytes) -> None:
    project_id = await seed_project(chat.runtime, "pairwise_law", spec=PAIRWISE, tasks=tasks)
    await chat.send("ana", "/help")
    await add_member(chat.runtime, project_id, chat.identity("ana"))
    chat.clear("ana")


def _shows_task(shown: str, *texts: str) -> None:
    for part in ("Tenancy pairs", "Prompt", "Response A", "Response B", *texts):
        assert part in shown, f"{part!r} is not shown in {shown!r}"


async def _sent_to(chat, deliveries: list, user: str) -> list[str]:
    pid = await person_id(chat, user)
    return [d.op.kind for d in deliveries if d.person_id == pid and d.op.kind in ("send", "edit", "open_form")]


async def test_a_pairwise_submission_costs_three_messages(chat):
    await _expert(chat, _items(PROMPT, GOOD, BAD))
    deliveries, calls = watch_deliveries(chat), platform_calls(chat)
    await chat.send("ana", "/next")
    if getattr(chat, "forms_as_modals", False):  # Slack: the task opens in one modal, a line stays in the DM
        await chat.fill_form("ana", {"preference": "A is much better", "justification": JUSTIFY})
        assert "your answer for Tenancy pairs is saved" in chat.texts("ana")
        assert calls()["views.open"] == 1 and sum(calls()[m] for m in SENDS) <= 2
        assert (await _sent_to(chat, deliveries, "ana")).count("open_form") == 1
        return

    first = chat.received("ana")
    assert len(first) == 1  # the task and its first question together
    _shows_task(first[0].text, PROMPT, GOOD, BAD, "Step 1 of 2", QUESTION)
    assert {"A is much better", "B is better", "Instructions", "Skip", "Stop for now"} <= set(first[0].buttons)

    await chat.press("ana", "A is much better")
    step = chat.last("ana")
    assert "A is much better" in line_with(step.text, QUESTION)  # the chosen answer, in the edited message
    assert "Step 2 of 2" in step.text and REASON in step.text
    edits = chat.runtime.capabilities_for(chat.platform).edits
    assert await shown_in_place(chat, deliveries, "ana")
    if edits:  # the press edited the task's message: the task is still above the next question
        _shows_task(step.text, PROMPT, GOOD, BAD)
        assert {"Back", "Instructions", "Skip"} <= set(step.buttons)

    await chat.send("ana", JUSTIFY)
    summary = chat.last("ana").text
    assert "A is much better" in line_with(summary, QUESTION) and "deposit protection scheme" in summary
    await chat.press("ana", "Submit answer")
    assert "your answer for Tenancy pairs is saved" in chat.last("ana").text

    kinds = await _sent_to(chat, deliveries, "ana")
    if edits:
        assert kinds == ["send", "edit", "send", "send"], kinds
        made = calls()
        assert sum(made[m] for m in SENDS) <= 3 and sum(made[m] for m in EDITS) == 1, made
        assert not sum(made[m] for m in MODALS)
    else:  # the console prints every step anew
        assert kinds.count("send") == 4 and "edit" not in kinds, kinds


async def test_a_task_too_long_for_one_message_keeps_its_card_apart(chat):
    """A card and question longer than a message go as two; the press edits the question's message, which shows the
    answer chosen and the next question, and the card stays as it was."""
    long_a = " ".join(["The landlord must protect the deposit within thirty days."] * 40)  # ~2,300 characters
    long_b = " ".join(["Landlords may keep deposits whenever they like, the tenant has no remedy."] * 30)
    await _expert(chat, _items(PROMPT, long_a, long_b))
    if getattr(chat, "forms_as_modals", False):
        pytest.skip("On Slack `/panelist next` opens the task in a modal: the card and questions are one window")
    await chat.send("ana", "/next")
    *card, question = chat.received("ana")
    assert card, "the card and the question went as one message"
    _shows_task("\n".join(c.text for c in card), PROMPT)
    assert all("Step 1 of 2" not in c.text for c in card) and {"Instructions", "Skip"} <= set(card[-1].buttons)
    assert "Step 1 of 2" in question.text and "A is much better" in question.buttons

    deliveries, calls = watch_deliveries(chat), platform_calls(chat)
    await chat.press("ana", "B is better")
    step = chat.last("ana")
    assert "B is better" in line_with(step.text, QUESTION) and "Step 2 of 2" in step.text
    assert "Response A" not in step.text
    assert await shown_in_place(chat, deliveries, "ana")  # the question's message, edited where the platform can
    if chat.runtime.capabilities_for(chat.platform).edits:
        assert not sum(calls()[m] for m in SENDS) and sum(calls()[m] for m in EDITS) == 1, calls()


async def test_a_resumed_task_is_one_message(chat):
    """/next again with the task half answered: the task, the answer chosen and the question where the expert stopped,
    with the note that the form was open already, in one message (after the line that says which task continues)."""
    await _expert(chat, _items(PROMPT, GOOD, BAD))
    if getattr(chat, "forms_as_modals", False):
        pytest.skip("On Slack `/panelist next` opens the task in a modal: a modal keeps unsent answers in the client")
    await chat.send("ana", "/next")
    await chat.press("ana", "A is much better")
    chat.clear("ana")
    deliveries = watch_deliveries(chat)
    await chat.send("ana", "/next")
    shown = chat.last("ana").text
    _shows_task(shown, PROMPT, GOOD, BAD, "continue where you stopped", "Step 2 of 2", REASON)
    assert "A is much better" in line_with(shown, QUESTION)
    assert (await _sent_to(chat, deliveries, "ana")).count("send") == 2  # which task continues; the task itself
