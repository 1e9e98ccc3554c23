"""Gold feedback, review with approve / reject / rework, and what each person may see — every adapter."""
from __future__ import annotations

import json

import pytest

from tests.flows.helpers import answer_one, expert_and_reviewer, rows
from tests.flows.tasks_data import ANSWERS, add_member, seed_project


async def test_review_approve_reject_and_rework(chat):
    await expert_and_reviewer(chat, "ana", "rev", "rewrite_finance")
    await answer_one(chat, "ana", "rewrite_finance")
    await answer_one(chat, "ana", "rewrite_finance")
    states = [r["review_state"] for r in await rows(chat.runtime, "SELECT review_state FROM submissions ORDER BY id")]
    assert states == ["pending", "pending"]  # a new expert: everything is reviewed

    await chat.send("ana", "/review")
    assert "permission" in chat.last("ana").text  # experts cannot review
    await chat.send("rev", "/review")
    shown = chat.last("rev").text
    assert "Answer by E-" in shown and "Ana" not in shown  # a pseudonym, never the name
    await chat.press("rev", "Send back for rework")
    await chat.fill_form("rev", {"comment": "Say how many months of expenses the emergency fund should hold."},
                         confirm=False)
    await chat.press("rev", "Send decision")
    assert "Decision recorded" in chat.texts("rev")
    assert "sent back for rework" in chat.texts("ana") and "months of expenses" in chat.texts("ana")

    await chat.press("ana", "Rework my answer")
    assert "Please check your answers" in chat.last("ana").text  # prefilled: straight to the summary
    await chat.press("ana", "Edit")
    await chat.press("ana", "What was wrong")
    await chat.send("ana", ANSWERS["rewrite_finance"]["what_was_wrong"] + " Keep three to six months of expenses.")
    await chat.press("ana", "Submit answer")
    assert "back with the reviewer" in chat.last("ana").text
    first = (await rows(chat.runtime, "SELECT revision, review_state, form_values FROM submissions ORDER BY id"))[0]
    assert first["revision"] == 2 and first["review_state"] == "pending"
    assert "six months" in json.loads(first["form_values"])["what_was_wrong"]

    await chat.send("rev", "/review")
    assert "version 2" in chat.last("rev").text
    await chat.press("rev", "Approve")
    assert "was approved" in chat.texts("ana")
    await chat.send("rev", "/review")
    await chat.press("rev", "Reject")
    await chat.fill_form("rev", {"reason": "Too vague", "comment": "It never says what to do instead."}, confirm=False)
    await chat.press("rev", "Send decision")
    assert "was rejected" in chat.texts("ana") and "Too vague" in chat.texts("ana")
    await chat.send("rev", "/review")
    assert "Nothing is waiting for review" in chat.last("rev").text

    log = await rows(chat.runtime, "SELECT decision, reason_code, reviewer_id FROM reviews ORDER BY id")
    assert [r["decision"] for r in log] == ["rework", "approved", "rejected"]
    assert log[2]["reason_code"] == "vague"
    audit = await rows(chat.runtime, "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'review.decided'")
    assert audit[0]["n"] == 3


async def test_an_old_review_button_decides_nothing(chat):
    await expert_and_reviewer(chat, "bo", "rev", "rewrite_finance")
    await answer_one(chat, "bo", "rewrite_finance")
    await chat.send("rev", "/review")
    await chat.press("rev", "Approve")
    chat.inbox["rev"] = [r for r in chat.received("rev") if "Review" in r.text][-1:]
    await chat.press("rev", "Reject")  # the same message again: already decided
    assert "already decided" in chat.texts("rev")
    assert [r["decision"] for r in await rows(chat.runtime, "SELECT decision FROM reviews")] == ["approved"]


async def test_wrong_gold_answer_shows_the_expected_one(chat):
    project_id = await seed_project(chat.runtime, "labeling_finance")
    async with chat.runtime.db.transaction() as tx:  # make every item gold-checked and serve them in order
        await tx.execute("UPDATE tasks SET is_gold = 0")
    await chat.send("cy", "/help")
    await add_member(chat.runtime, project_id, chat.identity("cy"))
    await answer_one(chat, "cy", "labeling_finance", {"labels": ["mortgage"], "comment": None})
    text = chat.texts("cy")
    assert "This item had a known answer" in text and "card_fraud" in text
    sub = (await rows(chat.runtime, "SELECT gold_passed, gold_score FROM submissions"))[0]
    assert sub["gold_passed"] == 0 and sub["gold_score"] == 0.0
