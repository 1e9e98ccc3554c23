"""The task engine in chat: a manager creates a project and imports tasks; experts join, answer every task type,
skip, resume drafts; leases end and late answers count only when still needed. Every adapter, both backends."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from handlers.reminders import reminder_tick
from handlers.tasks import lease_tick
from tests.flows.helpers import Clock, member_of_new_project, rows
from tests.flows.tasks_data import ANSWERS, DATA, SPECS, add_member, seed_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


async def test_manager_creates_project_and_imports_tasks_by_upload(chat):
    await chat.send("meg", "/help")
    async with chat.runtime.db.transaction() as tx:
        pid = await tx.fetchval("SELECT person_id FROM identities ORDER BY id LIMIT 1")
        await tx.execute("INSERT INTO roles (person_id, role, granted_at) VALUES ($1, 'manager', $2)",
                         pid, datetime.now(timezone.utc))
    bad = b"name: X\ndomain: astrology\ntask_type: rating\npay: {kind: per_task, amount: '-1', currency: ZZZ}\n"
    await chat.upload("meg", "bad.yaml", bad)
    text = chat.texts("meg")
    assert "The spec was refused" in text and "domain" in text and "pay" in text and "instructions" in text
    assert await rows(chat.runtime, "SELECT id FROM projects") == []

    await chat.upload("meg", "rating.yaml", SPECS["rating_medicine"].read_bytes())
    assert "Project Medication questions — rating is created" in chat.last("meg").text
    await chat.upload("meg", "rating.yaml", SPECS["rating_medicine"].read_bytes())
    assert "exists already" in chat.last("meg").text

    good = (DATA / "tasks" / "rating_medicine.jsonl").read_bytes()
    broken = good + b'{"external_id": "x1", "prompt": 5}\nnot json\n\xff\xfe\n'
    await chat.upload("meg", "tasks.jsonl", broken)  # no caption: a picker appears
    await chat.press("meg", "Medication questions")
    assert "3 new tasks imported, 0 already there (unchanged), 3 lines with problems" in chat.texts("meg")
    assert "line 4" in chat.texts("meg") and "line 6" in chat.texts("meg")
    await chat.upload("meg", "tasks.jsonl", good)
    await chat.press("meg", "Medication questions")
    assert "0 new tasks imported, 3 already there" in chat.last("meg").text
    assert len(await rows(chat.runtime, "SELECT id FROM tasks")) == 3

    await chat.send("exp", "/help")
    await chat.upload("exp", "rating.yaml", SPECS["rating_medicine"].read_bytes())
    assert "wasn't expecting a file" in chat.last("exp").text  # experts cannot create projects


@pytest.mark.parametrize("stem", sorted(ANSWERS))
async def test_expert_answers_every_task_type(chat, stem):
    if getattr(chat, "forms_as_modals", False):
        pytest.skip("On Slack `/panelist next` opens this form as a modal (the slash command carries a trigger id): there is no 'Step 1 of' message nor a summary to confirm; every task type answered through the Slack modal is tested in tests/test_slack_adapter.py::test_every_task_type_through_the_modal")
    await member_of_new_project(chat, "ana", stem)
    await chat.send("ana", "/next")
    shown = chat.texts("ana")
    assert "Prompt" in shown and "Step 1 of" in shown
    await chat.fill_form("ana", ANSWERS[stem], confirm=False)
    assert "Please check your answers" in chat.last("ana").text
    await chat.press("ana", "Submit answer")
    assert "your answer for" in chat.last("ana").text
    subs = await rows(chat.runtime, "SELECT answer, seconds_spent, late FROM submissions")
    assert len(subs) == 1 and subs[0]["late"] == 0
    answer = json.loads(subs[0]["answer"])
    assert answer["task_type"] == SPECS[stem].read_text().split("task_type:")[-1].split()[0].strip('",') or answer
    state = await rows(chat.runtime, "SELECT status FROM assignments")
    assert [s["status"] for s in state] == ["submitted"]


async def test_vague_justification_is_sent_back_once_and_expert_may_insist(chat):
    await member_of_new_project(chat, "bo", "pairwise_law")
    await chat.send("bo", "/next")
    await chat.fill_form("bo", {**ANSWERS["pairwise_law"], "justification": "this answer is bad"}, confirm=False)
    await chat.press("bo", "Submit answer")
    assert await rows(chat.runtime, "SELECT id FROM submissions") == []
    hint = chat.last("bo").text
    assert "Submit as it is" in " ".join(chat.last("bo").buttons)
    assert "criterion" in hint.lower() or "passage" in hint.lower()
    await chat.press("bo", "Submit as it is")
    assert len(await rows(chat.runtime, "SELECT id FROM submissions")) == 1


async def test_next_twice_gives_one_assignment_and_skip_never_returns(chat):
    await member_of_new_project(chat, "cy", "rewrite_finance")
    await chat.send("cy", "/next")
    await chat.send("cy", "/next")
    assert "You have a task in progress" in chat.texts("cy")
    assert len(await rows(chat.runtime, "SELECT id FROM assignments")) == 1
    await chat.send("cy", "/skip")
    await chat.press("cy", "Outside my expertise")
    assert "won't get this task again" in chat.last("cy").text
    await chat.send("cy", "/next")
    await chat.send("cy", "/skip not my area, sorry")
    await chat.send("cy", "/next")
    assert "No tasks are waiting for you" in chat.last("cy").text
    statuses = sorted(r["status"] for r in await rows(chat.runtime, "SELECT status FROM assignments"))
    assert statuses == ["skipped", "skipped"]
    reasons = {r["skip_reason"] for r in await rows(chat.runtime, "SELECT skip_reason FROM assignments")}
    assert reasons == {"not_my_expertise", "other: not my area, sorry"}
    assert [r["filled"] for r in await rows(chat.runtime, "SELECT filled FROM tasks")] == [0, 0]


async def test_drafts_survive_and_resume_where_they_stopped(chat):
    if getattr(chat, "forms_as_modals", False):
        pytest.skip('On Slack `/panelist next` opens this form as a modal (the slash command carries a trigger id): answers typed into an open modal stay in the Slack client until submitted, so there is no half-answered draft on the server to resume at step 3')
    await member_of_new_project(chat, "di", "ranking_software")
    await chat.send("di", "/next")
    await chat.fill_form("di", {"rank.a": "1", "rank.b": "3"}, confirm=False)
    await chat.restart()
    chat.clear("di")
    await chat.send("di", "/drafts")
    assert "1 unfinished task" in chat.last("di").text and "2 of 4 answered" in chat.last("di").text
    await chat.press("di", "Continue")
    assert "Step 3 of 4" in chat.last("di").text
    await chat.fill_form("di", {"rank.c": "2", "justification": ANSWERS["ranking_software"]["justification"]}, confirm=False)
    await chat.press("di", "Submit answer")
    assert len(await rows(chat.runtime, "SELECT id FROM submissions")) == 1


async def test_someone_elses_task_button_is_refused(chat):
    project_id = await seed_project(chat.runtime, "rewrite_finance")
    for user in ("eve", "fay"):
        await chat.send(user, "/help")
        await add_member(chat.runtime, project_id, chat.identity(user))
    await chat.send("eve", "/next")
    # fay presses eve's Skip button (a forged payload): refused, eve's assignment untouched
    await chat.press_as("fay", "eve", "Skip")
    assert "This button has expired" in chat.texts("fay")
    await chat.press_as("fay", "eve", "Instructions")
    assert "Instructions" not in chat.texts("fay").replace("This button has expired", "")
    statuses = [r["status"] for r in await rows(chat.runtime, "SELECT status FROM assignments")]
    assert statuses == ["active"]


async def test_lease_ends_warns_then_returns_slot_and_late_submit_rules(open_chat, adapter_name):
    if adapter_name == "slack":
        pytest.skip("On Slack `/panelist next` opens this form as a modal (the slash command carries a trigger id): the test leaves the form at its summary on the server (fill_form without confirm) and later presses the summary's Submit; a modal keeps unsent answers in the client and has no server-side summary")
    clock = Clock()
    chat = await open_chat(clock=clock)
    project_id = await seed_project(chat.runtime, "prompt_writing_law")  # overlap 1, lease 60 min (spec)
    for user in ("gil", "hal"):
        await chat.send(user, "/help")
        await add_member(chat.runtime, project_id, chat.identity(user))
    await chat.send("gil", "/next")
    await chat.fill_form("gil", ANSWERS["prompt_writing_law"], confirm=False)  # at the summary, not submitted
    lease = (await rows(chat.runtime, "SELECT lease_expires_at FROM assignments"))[0]["lease_expires_at"]
    clock.now = lease - timedelta(minutes=5)
    assert await chat.runtime.run_tick(lease_tick) == 1
    assert await chat.runtime.run_tick(reminder_tick) == 1
    await settle(chat)
    assert "less than 10 minutes" in chat.texts("gil")
    assert await chat.runtime.run_tick(lease_tick) == 0  # warned once
    clock.now = lease + timedelta(seconds=1)
    assert await chat.runtime.run_tick(lease_tick) == 1
    assert await chat.runtime.run_tick(reminder_tick) == 1
    await settle(chat)
    assert "went back to the pool" in chat.texts("gil")
    # the item still needs an answer: gil's late submit is accepted
    await chat.press("gil", "Resume")
    await chat.press("gil", "Submit answer")
    subs = await rows(chat.runtime, "SELECT late FROM submissions")
    assert [s["late"] for s in subs] == [1]
    # hal takes the other item; it lapses; gil cannot get it (one per person per item is not the rule here —
    # gil never had it) — hal's late submit fails when gil took the slot meanwhile
    await chat.send("hal", "/next")
    await chat.fill_form("hal", ANSWERS["prompt_writing_law"], confirm=False)
    clock.now += timedelta(hours=2)
    await chat.runtime.run_tick(lease_tick)
    await chat.runtime.run_tick(reminder_tick)
    await settle(chat)
    await chat.send("gil", "/next")
    await chat.fill_form("gil", ANSWERS["prompt_writing_law"], confirm=False)
    await chat.press("gil", "Submit answer")
    await chat.press("hal", "Resume")
    await chat.press("hal", "Submit answer")
    assert "has all the answers it needs" in chat.last("hal").text
    counts = await rows(chat.runtime, "SELECT task_id, COUNT(*) AS n FROM submissions GROUP BY task_id")
    assert sorted(c["n"] for c in counts) == [1, 1]
    drafts = await rows(chat.runtime, "SELECT status FROM form_sessions WHERE form_id = 'task' AND status = 'open'")
    assert len(drafts) == 1  # hal's draft is kept for them to read


async def settle(chat) -> None:
    """Messages a tick sends reach some platforms' stand-ins on the adapter's own time."""
    if chat.platform == "slack":
        await chat.settle()
