"""Choosing where to work and what to review (issue 18, point 3): `/next PROJECT` serves from that project or says
why it cannot; `/review PROJECT` filters the queue; a reworked answer is reviewed beside the version it replaces and
the comment that sent it back, which the expert sees too while reworking. Every adapter, both backends."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from storage.uow import UnitOfWork
from tests.flows.helpers import answer_one, expert_and_reviewer, onboard, person_id, rows
from tests.flows.tasks_data import ANSWERS, add_member, seed_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
FINANCE = "Personal finance answers — rewrite"
DRUGS = "Drug interaction answers — find the errors"
BANKING = "Banking support messages — topic labels"


async def _active(chat) -> list[int]:
    active = await rows(chat.runtime, "SELECT project_id FROM assignments WHERE status = 'active'")
    return [r["project_id"] for r in active]


async def _answer(chat, user: str, line: str) -> str:
    chat.clear(user)
    await chat.send(user, line)
    return chat.texts(user)


async def test_next_project_serves_from_it_or_says_why_not(chat):
    finance = await seed_project(chat.runtime, "rewrite_finance")
    drugs = await seed_project(chat.runtime, "error_check_medicine")
    await seed_project(chat.runtime, "labeling_finance")  # she could join it, and has not
    await seed_project(chat.runtime, "ranking_software")  # she could not even join it
    await onboard(chat, "ana", domains=["Finance", "Medicine"], languages="English")
    for project in (finance, drugs):
        await add_member(chat.runtime, project, chat.identity("ana"))
    ana = await person_id(chat, "ana")

    assert "I found no project called" in await _answer(chat, "ana", "/next Astrophysics")
    assert "I found no project called" in await _answer(chat, "ana", "/next python")  # not hinted at
    shown = await _answer(chat, "ana", "/next banking")
    assert f"You aren't a member of {BANKING} yet" in shown
    async with chat.runtime.db.transaction() as tx:  # paused in one project (quality), the other closed
        await UnitOfWork(tx).pauses.pause(drugs, ana, "quality", 0.2, datetime.now(timezone.utc))
        await tx.execute("UPDATE projects SET status = 'closed' WHERE id = $1", finance)
    assert f"Your work in {DRUGS} is paused" in await _answer(chat, "ana", "/next drug")
    assert f"{FINANCE} is closed" in await _answer(chat, "ana", "/next personal finance")
    assert await _active(chat) == []
    async with chat.runtime.db.transaction() as tx:
        await UnitOfWork(tx).pauses.lift(drugs, ana, ana, datetime.now(timezone.utc))
        await tx.execute("UPDATE projects SET status = 'open' WHERE id = $1", finance)

    # "answers" names two of her projects: she picks one
    assert "2 projects match" in await _answer(chat, "ana", "/next answers")
    await chat.press("ana", FINANCE)
    assert await _active(chat) == [finance] and FINANCE in chat.texts("ana")
    await _answer(chat, "ana", "/next drug")  # one task in hand at a time: the same one again
    assert await _active(chat) == [finance]
    await chat.send("ana", "/skip not my area today")
    await _answer(chat, "ana", "/next drug")
    assert await _active(chat) == [drugs]
    await chat.send("ana", "/skip not today")

    async with chat.runtime.db.transaction() as tx:  # her medicine qualification is revoked
        await tx.execute("UPDATE qualifications SET revoked_at = $2 WHERE person_id = $1", ana,
                         datetime.now(timezone.utc))
    assert f"{DRUGS} needs a qualification you don't hold now" in await _answer(chat, "ana", "/next drug")
    assert await _active(chat) == []


async def test_review_project_filters_the_queue(chat):
    finance = await expert_and_reviewer(chat, "ana", "rev", "rewrite_finance")
    banking = await seed_project(chat.runtime, "labeling_finance")
    for user in ("ana", "rev"):
        await add_member(chat.runtime, banking, chat.identity(user))
    await answer_one(chat, "ana", "rewrite_finance")  # the older answer: first in the whole queue
    await chat.send("ana", "/next banking")
    await chat.fill_form("ana", ANSWERS["labeling_finance"], confirm=False)
    await chat.press("ana", "Submit answer")

    assert "2 projects match" in await _answer(chat, "rev", "/review an")  # in both names: the reviewer picks
    await chat.press("rev", BANKING)
    shown = chat.last("rev").text
    assert f"Review — {BANKING}" in shown and FINANCE not in shown
    await chat.press("rev", "Approve")
    await chat.press("rev", f"More from {BANKING}")  # the same project's queue again
    assert f"Nothing from {BANKING} is waiting for review" in chat.last("rev").text
    assert f"Review — {FINANCE}" in await _answer(chat, "rev", "/review")  # unfiltered: everything
    assert "I found no project called" in await _answer(chat, "rev", "/review astrophysics")
    answers = await rows(chat.runtime, "SELECT project_id, review_state FROM submissions")
    states = {r["project_id"]: r["review_state"] for r in answers}
    assert states == {banking: "approved", finance: "pending"}


async def test_a_rework_is_reviewed_beside_the_version_it_replaces(chat):
    await expert_and_reviewer(chat, "ana", "rev", "rewrite_finance")
    await answer_one(chat, "ana", "rewrite_finance")
    comment = "Say how many months of expenses the emergency fund should hold."
    await chat.send("rev", "/review personal")
    await chat.press("rev", "Send back for rework")
    await chat.fill_form("rev", {"comment": comment}, confirm=False)
    await chat.press("rev", "Send decision")

    before = len(chat.received("ana"))
    await chat.press("ana", "Rework my answer")
    shown = "\n".join(r.text for r in chat.received("ana")[before:])  # what to change, beside what she wrote
    assert f"Rework for {FINANCE}" in shown and "Reviewer's comment" in shown and comment in shown
    assert "Your answer as it stands (version 1)" in shown
    first = ANSWERS["rewrite_finance"]["what_was_wrong"]
    assert first[:60] in shown
    await chat.press("ana", "Edit")
    await chat.press("ana", "What was wrong")
    await chat.send("ana", first + " Keep three to six months of expenses.")
    await chat.press("ana", "Submit answer")

    shown = await _answer(chat, "rev", "/review")
    assert "version 2" in shown
    earlier, said, now = (shown.index("Version 1, sent back for rework"), shown.index(comment),
                          shown.index("Keep three to six months of expenses."))
    assert earlier < said < now  # the first version and why it went back, then the answer to decide on
    kept = await rows(chat.runtime, "SELECT revision, form_values FROM submission_versions")
    assert len(kept) == 1 and kept[0]["revision"] == 1 and "Keep three" not in kept[0]["form_values"]
