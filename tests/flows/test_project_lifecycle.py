"""Projects change while people work on them (issue 18, point 10): a manager pauses a project (no new tasks, a
held task may finish), resumes it, closes it (drafts kept, late answers refused, what is left reported), moves its
deadline, and edits its instructions or rubric — members are told, must acknowledge the new version before their
next task from it, and every answer records the version it was given under. Every adapter, both backends."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.flows.helpers import Clock, answer_one, grant, person_id, rows
from tests.flows.tasks_data import ANSWERS, SPECS, add_member, seed_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

STEM = "rating_medicine"
NAME = "Medication questions — rating"


async def _team(chat, *experts: str) -> int:
    """The rating project with `experts` as members and meg as a manager; its id."""
    project_id = await seed_project(chat.runtime, STEM)
    for user in (*experts, "meg"):
        await chat.send(user, "/help")
    for user in experts:
        await add_member(chat.runtime, project_id, chat.identity(user))
    await grant(chat, "meg", "manager")
    return project_id


async def _status(chat, project_id: int) -> str:
    return (await rows(chat.runtime, "SELECT status FROM projects WHERE id = $1", project_id))[0]["status"]


async def _assignments(chat) -> int:
    return len(await rows(chat.runtime, "SELECT id FROM assignments"))


async def _export_versions(chat, project_id: int) -> list[int]:
    from domain.exports import ExportFilters, export_row
    from storage.repos.exports import ExportQueries

    async with chat.runtime.db.transaction() as tx:
        raw = await ExportQueries(tx).submissions_after(project_id, ExportFilters(), 0)
    return [export_row(r, b"key").instructions_version for r in raw]


def _said(chat, user: str) -> str:
    """What `user` saw: the conversation, and on Slack a modal's errors too."""
    shown = chat.texts(user)
    modal = getattr(chat, "_modals", {}).get(user)
    return shown + "\n" + str(getattr(modal, "errors", "") or "") if modal is not None else shown


async def test_pause_stops_next_a_held_task_finishes_and_resume_opens_it_again(chat):
    project_id = await _team(chat, "ana")
    await chat.send("ana", "/next")  # a task in hand before the pause
    await chat.send("meg", f"/project pause {NAME}")
    assert f"{NAME} is paused" in chat.last("meg").text and await _status(chat, project_id) == "paused"
    assert "paused by its manager" in chat.texts("ana")

    await chat.fill_form("ana", ANSWERS[STEM], confirm=False)
    await chat.press("ana", "Submit answer")  # the held lease may finish: the answer counts
    assert len(await rows(chat.runtime, "SELECT id FROM submissions")) == 1
    before = await _assignments(chat)
    await chat.send("ana", "/next")
    assert f"{NAME} is paused by its manager: no new tasks until it resumes" in chat.last("ana").text
    await chat.send("ana", "/next medication")  # named, the same sentence
    assert f"{NAME} is paused by its manager: no new tasks until it resumes" in chat.last("ana").text
    assert await _assignments(chat) == before

    await chat.send("meg", "/project pausar medication")  # the Spanish verb works too
    assert "paused already" in chat.last("meg").text
    await chat.send("meg", "/project pause")
    assert "Usage:" in chat.last("meg").text
    await chat.send("ana", "/project resume medication")  # only managers change projects
    assert await _status(chat, project_id) == "paused"

    chat.clear("ana")
    await chat.send("meg", "/project resume medication")
    assert "open again" in chat.last("meg").text and await _status(chat, project_id) == "open"
    assert "open again" in chat.texts("ana")
    await chat.send("ana", "/next")
    assert await _assignments(chat) == before + 1
    assert chat.refusals() == []


async def test_close_keeps_the_draft_refuses_the_late_answer_and_reports_what_is_left(chat):
    if getattr(chat, "forms_as_modals", False):
        pytest.skip("A Slack modal keeps unsent answers in the client: there is no server-side draft to keep; the "
                    "closed project's refusal in a modal is covered by test_close_refuses_a_modal_answer")
    project_id = await _team(chat, "ana")
    await chat.send("ana", "/next")
    await chat.fill_form("ana", ANSWERS[STEM], confirm=False)  # at the summary: a draft, not submitted

    await chat.send("meg", f"/project close {NAME}")
    assert "Close" in chat.last("meg").text and await _status(chat, project_id) == "open"  # asks first
    await chat.press("meg", f"Close {NAME}")
    said = chat.texts("meg")
    assert f"{NAME} is closed" in said and "2 items still wanted answers" in said  # the gold item is not counted
    assert "1 task was being worked on" in said
    assert await _status(chat, project_id) == "closed"
    assert "is closed: it takes no more answers" in chat.texts("ana")

    await chat.send("ana", "/drafts")
    assert "Medication questions" in chat.last("ana").text  # the draft is kept and readable
    await chat.press("ana", "Continue")
    await chat.press("ana", "Submit answer")  # a late answer
    assert "is closed and takes no more answers" in chat.texts("ana")
    assert await rows(chat.runtime, "SELECT id FROM submissions") == []
    before = await _assignments(chat)
    await chat.send("ana", "/next")
    assert await _assignments(chat) == before and "Step 1 of" not in chat.last("ana").text

    await chat.send("meg", "/project resume medication")
    assert "is closed: it cannot be changed any more" in chat.last("meg").text
    assert chat.refusals() == []


async def test_managers_still_pick_paused_and_closed_projects_for_progress_and_export(chat):
    project_id = await _team(chat, "ana")
    await answer_one(chat, "ana", STEM)
    await chat.send("meg", f"/project pause {NAME}")
    await chat.send("meg", "/progress")
    assert f"{NAME} (paused)" in chat.last("meg").buttons  # listed, with its state
    await chat.send("ana", "/projects")
    assert NAME in chat.last("ana").text and "paused by its manager" in chat.last("ana").text  # not vanished
    await chat.press("meg", f"{NAME} (paused)")
    assert "items left" in chat.texts("meg")  # and its report is still there

    await chat.send("meg", f"/project close {NAME}")
    await chat.press("meg", f"Close {NAME}")
    assert await _status(chat, project_id) == "closed"
    await chat.send("meg", "/export")
    assert f"{NAME} (closed)" in chat.last("meg").buttons  # a closed project's answers are still wanted out
    await chat.send("ana", "/projects")
    assert NAME not in chat.last("ana").text  # a closed project is no longer offered to experts
    assert chat.refusals() == []


async def test_close_refuses_a_modal_answer(chat):
    if not getattr(chat, "forms_as_modals", False):
        pytest.skip("the Slack modal's half of the close test")
    await _team(chat, "ana")
    await chat.send("ana", "/next")
    await chat.send("meg", f"/project close {NAME}")
    await chat.press("meg", f"Close {NAME}")
    await chat.fill_form("ana", ANSWERS[STEM], confirm=False)
    await chat.press("ana", "Submit answer")
    assert "is closed and takes no more answers" in _said(chat, "ana")
    assert await rows(chat.runtime, "SELECT id FROM submissions") == []


async def test_deadline_moves_in_the_managers_zone_and_members_are_told(open_chat):
    clock = Clock()
    chat = await open_chat(clock=clock)
    project_id = await _team(chat, "ana")
    day = (clock.now + timedelta(days=40)).date()
    await chat.send("meg", f"/project deadline medication {day.isoformat()}")
    assert "The deadline of" in chat.last("meg").text
    stored = (await rows(chat.runtime, "SELECT deadline, spec FROM projects WHERE id = $1", project_id))[0]
    expected = datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=timezone.utc)  # meg's zone: UTC
    assert stored["deadline"].replace(tzinfo=timezone.utc) == expected
    assert "The deadline of Medication questions" in chat.texts("ana") and "has changed" in chat.texts("ana")
    due = await rows(chat.runtime, "SELECT due_at FROM reminders WHERE kind = 'deadline' AND done_at IS NULL"
                                   " AND person_id = $1", await person_id(chat, "ana"))
    assert [r["due_at"].replace(tzinfo=timezone.utc) for r in due] == [expected - timedelta(hours=48)]

    await chat.send("meg", "/project deadline medication 2020-01-01")
    assert "must be in the future" in chat.last("meg").text
    await chat.send("meg", "/project deadline medication")
    assert "then the new deadline" in chat.last("meg").text
    after = (await rows(chat.runtime, "SELECT deadline FROM projects WHERE id = $1", project_id))[0]["deadline"]
    assert after.replace(tzinfo=timezone.utc) == expected
    assert chat.refusals() == []


async def test_edit_notifies_members_who_acknowledge_before_their_next_task(chat):
    project_id = await _team(chat, "ana", "bob")
    await chat.send("ana", "/next")  # ana holds item 1 under version 1

    await chat.send("meg", "/project edit medication")
    await chat.fill_form("meg", {"instructions": "Rate each answer; quote the passage for every low score."},
                         confirm=getattr(chat, "forms_as_modals", False))
    said = chat.texts("meg")
    assert f"Version 2 of the instructions of {NAME} is published" in said and "2 members must confirm" in said
    for user in ("ana", "bob"):
        assert "have changed (version 2)" in chat.texts(user) and "the instructions" in chat.texts(user)

    # ana finishes the task she held: it was given under version 1, which is what she had read
    await chat.fill_form("ana", ANSWERS[STEM], confirm=False)
    await chat.press("ana", "Submit answer")
    # bob's next task waits for his acknowledgment
    before = await _assignments(chat)
    await chat.send("bob", "/next")
    assert "please read its new instructions and confirm" in chat.last("bob").text
    assert "quote the passage for every low score" in chat.texts("bob")
    assert await _assignments(chat) == before
    await chat.press("bob", "I have read version 2")
    assert "version 2 of the instructions" in chat.last("bob").text.lower()
    await answer_one(chat, "bob", STEM)
    versions = await rows(chat.runtime, "SELECT person_id, instructions_version FROM submissions ORDER BY id")
    assert [(r["person_id"], r["instructions_version"]) for r in versions] == [
        (await person_id(chat, "ana"), 1), (await person_id(chat, "bob"), 2)]
    exported = await _export_versions(chat, project_id)
    assert exported == [1, 2]  # what the exports read carries it

    # a spec file for the project changes the rubric's wording: offered, then published as version 3
    spec = SPECS[STEM].read_bytes()
    await chat.upload("meg", "rating.yaml", spec.replace(b"label: Accuracy", b"label: Factual accuracy", 1))
    assert "would publish version 3" in chat.texts("meg") and "the criterion Factual accuracy" in chat.texts("meg")
    await chat.press("meg", "Publish version 3")
    assert "Version 3 of the instructions" in chat.last("meg").text
    assert (await rows(chat.runtime, "SELECT MAX(version) AS v FROM instruction_versions WHERE project_id = $1",
                       project_id))[0]["v"] == 3
    # a spec file that changes what an answer is made of is refused, naming the field
    await chat.upload("meg", "rating.yaml", spec.replace(b"overlap: 3", b"overlap: 4"))
    assert "but not: overlap" in chat.last("meg").text
    assert chat.refusals() == []


async def test_a_change_made_in_the_cli_reaches_members_through_the_reminder_tick(chat):
    """The CLI has no chat turn: it changes the project through the same service and leaves each member a
    reminder due now, which the bot's tick sends — unless the change was undone meanwhile."""
    from handlers.reminders import reminder_tick
    from handlers.shared.project_lifecycle import change_status, tell_members_later
    from storage.uow import UnitOfWork

    project_id = await _team(chat, "ana")

    async def cli(verb: str, news: str) -> None:
        async with chat.runtime.db.transaction() as tx:
            uow = UnitOfWork(tx)
            project = await uow.projects.get(project_id)
            await change_status(uow, project, verb, None, chat.runtime.clock())
            assert await tell_members_later(uow, project, news, chat.runtime.clock()) == 1

    await cli("pause", "paused")
    assert await chat.runtime.run_tick(reminder_tick) == 1
    if chat.platform == "slack":
        await chat.settle()
    assert "paused by its manager" in chat.texts("ana")
    chat.clear("ana")
    await cli("resume", "resumed")
    await cli("pause", "paused")  # resumed, then paused again before the tick: "open again" is no news any more
    assert await chat.runtime.run_tick(reminder_tick) == 1
    if chat.platform == "slack":
        await chat.settle()
    assert "open again" not in chat.texts("ana") and "paused by its manager" in chat.texts("ana")
