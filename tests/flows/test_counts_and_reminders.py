"""Issue 16, points 12 and 13 on every adapter and both backends: "N tasks are waiting" counts what this person
could still be given; no weekly hours reminder without an hourly project; /reminders edits its list in place,
ignores a double tap and shows role-only kinds only to those roles."""
from __future__ import annotations

from datetime import timedelta

from handlers.reminders import SetReminder, reminder_tick
from handlers.shared.announcements import announce_new_tasks
from storage.uow import UnitOfWork
from tests.flows.helpers import (
    Clock, answer_one, grant, person_id, resign_button, rows, setup, shown_in_place, watch_deliveries,
)
from tests.flows.tasks_data import SPECS, add_member, seed_project


async def settle(chat) -> None:
    """Messages no event caused (a tick) reach the Slack stand-in on the adapter's own time."""
    if chat.platform == "slack":
        await chat.settle()


async def announce(chat, project_id: int) -> None:
    async with chat.runtime.db.transaction() as tx:
        await announce_new_tasks(UnitOfWork(tx), project_id, chat.clock.now)


def waiting_lines(chat, user: str) -> list[str]:
    return [r.text for r in chat.received(user) if "waiting" in r.text and "Personal finance" in r.text]


async def test_tasks_waiting_counts_only_what_this_person_can_still_get(open_chat):
    clock = Clock()
    chat = await open_chat(clock=clock)
    # two items, each wanted from three experts: answering one leaves it open to the others, not to ana
    spec = SPECS["rewrite_finance"].read_bytes() + b"overlap: 3\n"
    project_id = await seed_project(chat.runtime, "rewrite_finance", spec=spec)
    for user in ("ana", "bo", "cy"):
        await chat.send(user, "/help")
        await add_member(chat.runtime, project_id, chat.identity(user))
    cy = await person_id(chat, "cy")
    async with chat.runtime.db.transaction() as tx:  # cy is paused in the project (quality): /next gives her nothing
        await UnitOfWork(tx).pauses.pause(project_id, cy, "quality", 0.2, clock.now)
    await answer_one(chat, "ana", "rewrite_finance")

    await announce(chat, project_id)
    clock.now += timedelta(minutes=11)
    await chat.runtime.run_tick(reminder_tick)
    await settle(chat)
    assert any("1 task is waiting" in t for t in waiting_lines(chat, "ana"))  # not 2: one is answered by her
    assert any("2 tasks are waiting" in t for t in waiting_lines(chat, "bo"))
    assert waiting_lines(chat, "cy") == []  # paused: nothing is waiting for her

    # ana takes the other item (in hand, not submitted): nothing is left that she could be given
    await chat.send("ana", "/next")
    clock.now += timedelta(hours=7)  # past the once-per-interval cap
    before = len(waiting_lines(chat, "ana"))
    await announce(chat, project_id)
    clock.now += timedelta(minutes=11)
    await chat.runtime.run_tick(reminder_tick)
    await settle(chat)
    assert len(waiting_lines(chat, "ana")) == before
    assert sum("2 tasks are waiting" in t for t in waiting_lines(chat, "bo")) == 2


async def test_no_hours_reminder_without_an_hourly_project(open_chat):
    clock = Clock()
    chat = await open_chat(clock=clock)
    await setup(chat, "ana")  # ana is in the hourly project; bo in none
    await chat.send("bo", "/help")
    weekly = {"weekly": clock.now.weekday(), "hour": 9, "minute": 0}
    people = {user: await person_id(chat, user) for user in ("ana", "bo")}
    async with chat.runtime.db.transaction() as tx:
        for user, pid in people.items():
            await UnitOfWork(tx).reminders.schedule(pid, "hours", f"hours:{user}", clock.now, {}, clock.now,
                                                    recurrence=weekly)
    assert await chat.runtime.run_tick(reminder_tick) == 1
    await settle(chat)
    assert "log this week's hours" in chat.texts("ana")
    assert "log this week's hours" not in chat.texts("bo")
    left = await rows(chat.runtime, "SELECT due_at, done_at FROM reminders WHERE dedupe_key = 'hours:bo'")
    assert left[0]["done_at"] is None and left[0]["due_at"] > clock.now  # waits for next week, when he may have one


async def test_reminder_switches_edit_the_list_in_place_and_ignore_a_double_tap(chat):
    await chat.send("ana", "/help")
    await chat.send("meg", "/help")
    await grant(chat, "meg", "manager")
    seen = watch_deliveries(chat)
    await chat.send("ana", "/reminders")
    labels = chat.last("ana").buttons
    assert "Unfinished drafts: on" in labels
    assert not [b for b in labels if "Manager digest" in b or "Review queue" in b]  # not an expert's reminders
    await chat.press("ana", "Unfinished drafts: on")
    assert "Unfinished drafts: off" in chat.last("ana").buttons and await shown_in_place(chat, seen, "ana")
    await chat.press_as("ana", "ana", "Unfinished drafts: on")  # the same button again (a double tap)
    assert "Unfinished drafts: off" in chat.last("ana").buttons  # still off: the button said "off", not "toggle"
    prefs = await rows(chat.runtime, "SELECT kind, enabled FROM reminder_prefs")
    assert [(p["kind"], p["enabled"]) for p in prefs] == [("draft", 0)]
    toggled = await rows(chat.runtime, "SELECT detail FROM audit_log WHERE action = 'reminders.toggled'")
    assert len(toggled) == 1
    await chat.press("ana", "Unfinished drafts: off")
    assert "Unfinished drafts: on" in chat.last("ana").buttons

    # a manager sees the digest; an expert's validly signed press for it is refused against storage
    await chat.send("meg", "/reminders")
    assert "Manager digest: on" in chat.last("meg").buttons
    resign_button(chat, "ana", "Unfinished drafts", SetReminder(kind="digest", on=False), await person_id(chat, "ana"))
    await chat.press_as("ana", "ana", "Unfinished drafts")
    assert "permission" in chat.texts("ana")
    assert not await rows(chat.runtime, "SELECT kind FROM reminder_prefs WHERE kind = 'digest'")


async def test_reminder_list_in_spanish(chat):
    await chat.send("ana", "/language es")
    await chat.send("ana", "/reminders")
    assert "Borradores sin terminar: activado" in chat.last("ana").buttons
    await chat.press("ana", "Borradores sin terminar: activado")
    assert "Borradores sin terminar: desactivado" in chat.last("ana").buttons
    await chat.press_as("ana", "ana", "Borradores sin terminar: activado")
    assert "Borradores sin terminar: desactivado" in chat.last("ana").buttons


async def test_review_queue_reminder_counts_what_review_would_offer_this_reviewer(open_chat):
    clock = Clock()
    chat = await open_chat(clock=clock)
    project_id = await seed_project(chat.runtime, "rewrite_finance")  # answers wait for review
    for user in ("ana", "rev"):
        await chat.send(user, "/help")
    await add_member(chat.runtime, project_id, chat.identity("ana"))
    await grant(chat, "rev", "reviewer")
    await answer_one(chat, "ana", "rewrite_finance")
    await answer_one(chat, "ana", "rewrite_finance")
    rev = await person_id(chat, "rev")

    async def remind(key: str) -> int:
        async with chat.runtime.db.transaction() as tx:
            await UnitOfWork(tx).reminders.schedule(rev, "review_queue", key, clock.now, {}, clock.now)
        sent = await chat.runtime.run_tick(reminder_tick)
        await settle(chat)
        return sent

    assert await remind("q1") == 0  # two answers wait, but in a project rev does not review
    assert "waiting for review" not in chat.texts("rev")
    await add_member(chat.runtime, project_id, chat.identity("rev"))
    assert await remind("q2") == 1
    assert "2 answers are waiting for review." in chat.texts("rev")
