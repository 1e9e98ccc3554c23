"""The home (issue 17, point 5) on every adapter and both backends: an expert's work and a manager's queue with real
data (an answer, a review, hours approved into the ledger, an invitation, a ping), the same content for /home on
the console and Telegram, and on Slack the App Home republished after changes, at most once per interval."""
from __future__ import annotations

from datetime import timedelta

import pytest

from domain.home import REFRESH_SECONDS
from handlers.home import refresh
from storage.uow import UnitOfWork
from tests.flows.helpers import Clock, answer_one, line_with, person_id, rows, setup
from tests.flows.tasks_data import seed_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PROJECT = "Personal finance answers — rewrite"  # rewrite_finance: hourly, 40.00 EUR an hour


def has_home_tab(chat) -> bool:
    return chat.platform == "slack"


async def onboarded(chat, *users: str) -> None:
    """As finishing onboarding would leave them (the home of someone who has not onboarded offers /start)."""
    for user in users:
        pid = await person_id(chat, user)
        async with chat.runtime.db.transaction() as tx:
            await tx.execute("UPDATE persons SET onboarded_at = $2 WHERE id = $1", pid, chat.runtime.clock())


async def home_of(chat, user: str) -> str:
    """What `user` sees as their home: the App Home tab on Slack (opened), /home elsewhere."""
    if has_home_tab(chat):
        await chat.open_home(user)
        return chat.last(user, kind="home").text
    await chat.send(user, "/home")
    return chat.last(user).text


def homes_published(chat, user: str) -> int:
    return len([r for r in chat.received(user) if r.kind == "home"])


async def run_refresh(chat) -> int:
    done = await chat.runtime.run_tick(refresh)
    if chat.platform == "slack":  # the views.publish calls reach the stand-in on the adapter's own time
        await chat.settle()
    return done


async def invite_and_ping(chat, user: str) -> None:
    """An invitation to another open project and an availability ping, both waiting for `user`'s answer."""
    other = await seed_project(chat.runtime, "pairwise_law")
    pid, meg = await person_id(chat, user), await person_id(chat, "meg")
    now = chat.runtime.clock()
    async with chat.runtime.db.transaction() as tx:
        uow = UnitOfWork(tx)
        await uow.invites.create(other, pid, meg, now)
        await uow.pings.create(meg, "Free next week?", {"kind": "people"}, ["yes", "no"], now + timedelta(days=1),
                               [pid], now)


async def test_an_experts_and_a_managers_home_show_their_numbers(open_chat):
    clock = Clock()
    chat = await open_chat(clock=clock)
    await setup(chat, "ana")
    await onboarded(chat, "ana", "meg")
    await answer_one(chat, "ana", "rewrite_finance")
    await chat.send("ana", "/log 2h today")
    await chat.send("ana", "/log 1h30m today")

    shown = await home_of(chat, "meg")
    assert "1 answer to review." in shown
    assert "Hours to approve: 2 entries (3 hr 30 min)." in shown
    assert "0 open disputes." in shown
    assert line_with(shown, "Items:") == "Items: 1 done, 0 in progress, 1 waiting (2 in all)"
    assert "No deadline." in shown and "not measured" in shown  # rewrites are not compared
    assert "1 to review" in line_with(shown, PROJECT)
    buttons = chat.last("meg", kind="home" if has_home_tab(chat) else "message").buttons
    assert {"Next review", "Hours to approve", "Progress", "Disputes"} <= set(buttons)

    await chat.send("meg", "/approvals")
    await chat.press("meg", "Approve \u2068Ana\u2069")
    await chat.send("ana", "/next")  # left open: a draft
    await invite_and_ping(chat, "ana")

    shown = await home_of(chat, "ana")
    assert "Your work" in shown
    assert "1 draft to finish." in shown
    assert "1 task done this week." in shown
    assert "€140.00" in line_with(shown, "Earned this week:")  # 3 hr 30 min at 40.00 EUR, from the ledger
    assert "not enough data yet" in line_with(shown, "Quality in")
    assert "1 project invitation waits for your answer." in shown
    assert "1 availability question waits for your answer." in shown
    assert "Waiting for you" not in shown  # an expert has no queue
    buttons = chat.last("ana", kind="home" if has_home_tab(chat) else "message").buttons
    assert {"Next task", "Continue", "Earnings", "Projects"} <= set(buttons)

    shown = await home_of(chat, "meg")
    assert "No hours wait for approval." in shown


async def test_the_home_in_spanish(open_chat):
    chat = await open_chat(clock=Clock())
    await setup(chat, "ana")
    await onboarded(chat, "ana")
    await answer_one(chat, "ana", "rewrite_finance")
    await chat.send("ana", "/language es")
    shown = await home_of(chat, "ana")
    assert "Tu trabajo" in shown and "1 tarea hecha esta semana." in shown
    assert "Aún no has ganado nada esta semana." in shown


async def test_the_app_home_refreshes_after_a_submission_and_an_approval(open_chat):
    clock = Clock()
    chat = await open_chat(clock=clock)
    if not has_home_tab(chat):
        pytest.skip("only Slack has a home tab to republish; elsewhere /home is asked for")
    await setup(chat, "ana")
    await onboarded(chat, "ana", "meg")
    assert "0 tasks done this week." in await home_of(chat, "ana")
    assert "0 answers to review." in await home_of(chat, "meg")

    await answer_one(chat, "ana", "rewrite_finance")
    assert await run_refresh(chat) == 0  # just published: waits out the interval
    clock.now += timedelta(seconds=REFRESH_SECONDS)
    assert await run_refresh(chat) == 2
    assert "1 task done this week." in chat.last("ana", kind="home").text
    assert "1 answer to review." in chat.last("meg", kind="home").text

    await chat.send("meg", "/review")
    await chat.press("meg", "Approve")
    await chat.send("ana", "/log 2h today")
    await chat.send("meg", "/approvals")
    await chat.press("meg", "Approve \u2068Ana\u2069")
    clock.now += timedelta(seconds=REFRESH_SECONDS)
    assert await run_refresh(chat) == 2
    assert "€80.00" in line_with(chat.last("ana", kind="home").text, "Earned this week:")
    manager = chat.last("meg", kind="home").text
    assert "0 answers to review." in manager and "No hours wait for approval." in manager
    assert await run_refresh(chat) == 0  # nothing changed since


async def test_a_burst_of_changes_publishes_the_home_once(open_chat):
    clock = Clock()
    chat = await open_chat(clock=clock)
    if not has_home_tab(chat):
        pytest.skip("only Slack has a home tab to republish")
    await setup(chat, "ana", "bo")
    await onboarded(chat, "ana", "bo")
    await home_of(chat, "ana")
    clock.now += timedelta(seconds=REFRESH_SECONDS)
    before = homes_published(chat, "ana")
    for _ in range(2):  # both items of the project
        await answer_one(chat, "ana", "rewrite_finance")
    for hours in ("1h", "2h", "30m"):
        await chat.send("ana", f"/log {hours} today")
    assert await run_refresh(chat) == 1  # ana only: bo never opened a home, meg neither
    assert homes_published(chat, "ana") == before + 1
    assert "2 tasks done this week." in chat.last("ana", kind="home").text
    await chat.send("ana", "/log 1h today")
    assert await run_refresh(chat) == 0  # changed again, but published a moment ago
    clock.now += timedelta(seconds=REFRESH_SECONDS - 1)
    assert await run_refresh(chat) == 0
    clock.now += timedelta(seconds=1)
    assert await run_refresh(chat) == 1
    assert homes_published(chat, "ana") == before + 2
    stale = await rows(chat.runtime, "SELECT stale FROM home_views WHERE person_id = $1", await person_id(chat, "ana"))
    assert stale == [{"stale": 0}]


async def test_home_is_a_command_with_the_same_content(open_chat):
    chat = await open_chat(clock=Clock())
    await setup(chat, "ana")
    await onboarded(chat, "ana")
    await answer_one(chat, "ana", "rewrite_finance")
    await chat.send("ana", "/home")
    command = chat.last("ana").text
    assert "1 task done this week." in command and "Next task" in chat.last("ana").buttons
    if has_home_tab(chat):  # the App Home holds the same sentences
        tab = await home_of(chat, "ana")
        assert [ln for ln in command.splitlines() if "this week" in ln] == [
            ln for ln in tab.splitlines() if "this week" in ln]


async def test_the_homes_continue_button_resumes_the_one_draft(open_chat):
    chat = await open_chat(clock=Clock())
    await setup(chat, "ana")
    await onboarded(chat, "ana")
    await chat.send("ana", "/next")  # left open: a draft
    assert "1 draft to finish." in await home_of(chat, "ana")
    count = len(chat.received("ana"))
    await chat.press("ana", "Continue")
    if chat.platform == "slack":
        await chat.settle()
    resumed = "\n".join(r.text for r in chat.received("ana")[count:])
    assert "Should I put my emergency fund" in resumed  # the item again, where the home has no room for it
    assert "continue where you stopped" in resumed and "Your improved response" in resumed
