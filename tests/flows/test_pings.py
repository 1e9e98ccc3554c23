"""Availability, pings and broadcasts in chat, with a fake clock, on every adapter and both backends."""
from __future__ import annotations

import json
from datetime import timedelta

from handlers.broadcast import progress_tick
from handlers.pings import close_tick
from handlers.reminders import reminder_tick
from tests.flows.helpers import Clock, grant, rows
from tests.flows.tasks_data import add_member, seed_project


async def test_ping_answers_live_summary_reminder_and_close(open_chat):
    clock = Clock()
    chat = await open_chat(clock=clock)
    project_id = await seed_project(chat.runtime, "rewrite_finance")
    for user in ("meg", "ana", "bo", "cy", "dee"):
        await chat.send(user, "/help")
    await grant(chat, "meg", "manager")
    for user in ("ana", "bo", "cy", "dee"):
        await add_member(chat.runtime, project_id, chat.identity(user))
    # dee is away: no ping for her
    await chat.send("dee", "/availability")
    await chat.press("dee", "Change")
    await chat.fill_form("dee", {"status": "Away", "away_until": "2099-01-01", "quiet_start": None,
                                 "hours_day": "Monday", "hours_time": "09:30"}, confirm=False)
    await chat.press("dee", "Save")
    assert "Away until" in chat.last("dee").text
    hours = await rows(chat.runtime, "SELECT recurrence FROM reminders WHERE kind = 'hours' AND done_at IS NULL")
    assert [json.loads(r["recurrence"]) for r in hours] == [{"weekly": 0, "hour": 9, "minute": 30}]

    await chat.send("meg", "/ping")
    await chat.fill_form("meg", {"target": "A project's experts", "project": "Personal finance",
                                 "question": "Can you take rewrite tasks next week?", "window_hours": "10",
                                 "options": None}, confirm=False)
    await chat.press("meg", "Send ping")
    assert "0 of 3 answered" in chat.texts("meg")
    assert "Can you take rewrite tasks" in chat.texts("ana") and "Can you take" not in chat.texts("dee")

    await chat.press("ana", "Yes")
    await chat.press("bo", "Yes, some hours")
    await chat.send("bo", "6")
    assert "1 of 3 answered" in chat.texts("meg") and "2 of 3 answered" in chat.texts("meg")
    assert "Hours offered: 6" in chat.texts("meg")
    avail = {r["status"]: r["hours_this_week"] for r in await rows(chat.runtime, "SELECT status, hours_this_week FROM availability")}
    assert avail.get("limited") == 6

    clock.now += timedelta(hours=8, minutes=1)  # 80% of the window
    assert await chat.runtime.run_tick(reminder_tick) == 1  # only cy has not answered
    assert "haven't answered this yet" in chat.texts("cy")
    clock.now += timedelta(hours=2)
    assert await chat.runtime.run_tick(close_tick) == 1
    assert await chat.runtime.run_tick(close_tick) == 0
    final = chat.texts("meg")
    assert "Ping closed" in final and "Not answered yet" in final
    await chat.press("cy", "No")
    assert "closed" in chat.last("cy").text


async def test_broadcast_reaches_everyone_and_reports(chat):
    for user in ("meg", "a1", "a2", "a3"):
        await chat.send(user, "/help")
    await grant(chat, "meg", "manager")
    await chat.send("a1", "/broadcast")
    assert "permission" in chat.last("a1").text
    await chat.send("meg", "/broadcast")
    await chat.fill_form("meg", {"target": "Everyone", "body": "New rubric from Monday <b>&</b>"}, confirm=False)
    await chat.press("meg", "Send to everyone chosen")
    assert "Sending: 0 delivered" in chat.texts("meg")
    while await chat.runtime.sweep_outbox(limit=500):
        pass
    await chat.runtime.run_tick(progress_tick)
    assert "Done: 3 delivered, 0 failed" in chat.texts("meg")
    for user in ("a1", "a2", "a3"):
        assert "New rubric from Monday <b>&</b>" in chat.texts(user)
    assert await chat.runtime.run_tick(progress_tick) == 0


async def test_restart_in_the_middle_of_a_ping_window(open_chat):
    clock = Clock()
    chat = await open_chat(clock=clock)
    for user in ("meg", "ana", "bo"):
        await chat.send(user, "/help")
    await grant(chat, "meg", "manager")
    await chat.send("meg", "/ping")
    await chat.fill_form("meg", {"target": "Named people", "people": f"{chat.identity('ana')}, {chat.identity('bo')}",
                                 "question": "Free on Saturday for a rush batch?", "window_hours": "4",
                                 "options": "Only mornings"}, confirm=False)
    await chat.press("meg", "Send ping")
    await chat.press("ana", "Only mornings")
    await chat.restart()
    await chat.press("bo", "No")  # a button from before the restart still works
    assert "2 of 2 answered" in chat.texts("meg")
    clock.now += timedelta(hours=4)
    assert await chat.runtime.run_tick(reminder_tick) == 0  # everyone answered: no 80% reminder
    assert await chat.runtime.run_tick(close_tick) == 1
    answers = sorted(r["answer"] for r in await rows(chat.runtime, "SELECT answer FROM ping_targets"))
    assert answers == ["c0", "no"]
