"""One person cannot delay everyone else (issue 15, point 4, inbound): a person who sends far more plain
messages than the burst gets one notice in their language, the rest are dropped without a reply and end
processed (recovery never replays them), their commands and buttons still work, and someone else's /help is
answered as always. Every adapter, both backends.

The limit is small here (a burst of 5, refilled at one a minute), so the flood of a few dozen messages stays
over it for the whole test on any machine: nothing depends on timing."""
from __future__ import annotations

import pytest

from bot.core.flood import DROPPED
from tests.flows.helpers import actor_key, cmd, onboard, rows

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

BURST = 5
FLOOD = 30
NOT_UNDERSTOOD = "didn't understand"
WELCOMED = "Here experts review AI answers"  # what anything typed before onboarding gets
NOTICE_EN = "faster than I can read them"
NOTICE_ES = "más rápido de lo que puedo leerlos"


def count(chat, user: str, words: str) -> int:
    return sum(words in r.text for r in chat.received(user))


async def inbox_of(chat, user: str) -> list[dict]:
    return await rows(chat.runtime, "SELECT processed_at, error FROM inbox WHERE actor_key = $1 ORDER BY id",
                      actor_key(chat, user))


async def test_a_flood_gets_one_notice_and_is_dropped_while_commands_and_others_go_on(open_chat):
    chat = await open_chat(flood_burst=BURST, flood_per_minute=1)
    await chat.send("bea", "/help")
    assert cmd(chat, "profile") in chat.last("bea").text

    for i in range(FLOOD):
        await chat.send("flo", f"spam {i}")
    await chat.upload("flo", "more.txt", b"spam")  # a file counts as chatter too
    assert count(chat, "flo", WELCOMED) == BURST  # the burst was handled as usual (flo has not onboarded)
    assert count(chat, "flo", NOTICE_EN) == 1
    assert len(chat.received("flo")) == BURST + 1  # and nothing else: no reply to dropped messages

    rows_ = await inbox_of(chat, "flo")
    assert len(rows_) == FLOOD + 1 and all(r["processed_at"] is not None for r in rows_)
    assert sum(r["error"] == DROPPED for r in rows_) == FLOOD + 1 - BURST
    assert await chat.runtime.unprocessed() == []  # recovery has nothing to replay

    chat.clear("flo")
    await chat.send("flo", "/help")  # a command still works while plain messages are dropped
    assert cmd(chat, "profile") in chat.last("flo").text
    await chat.send("flo", "still spamming")
    assert len(chat.received("flo")) == 1  # no second notice
    await chat.send("bea", "/help")  # someone else is served as always
    assert cmd(chat, "profile") in chat.last("bea").text
    assert count(chat, "bea", NOTICE_EN) == 0


async def test_the_notice_speaks_the_persons_language_and_buttons_still_work(open_chat):
    chat = await open_chat(flood_burst=BURST, flood_per_minute=1)
    await chat.send("eva", "/language")
    await chat.press("eva", "Español")
    for i in range(BURST + 3):
        await chat.send("eva", f"hola {i}")
    assert count(chat, "eva", NOTICE_ES) == 1 and count(chat, "eva", NOTICE_EN) == 0
    await chat.send("eva", "/language")  # over the limit: a command and a button press are still handled
    await chat.press("eva", "English")
    assert "English" in chat.last("eva").text or "english" in chat.last("eva").text.lower()
    await chat.send("eva", "/help")
    assert "What you can do" in chat.last("eva").text or cmd(chat, "profile") in chat.last("eva").text
    assert all(r["processed_at"] is not None for r in await inbox_of(chat, "eva"))


async def test_the_default_limit_leaves_a_form_typed_at_test_speed_alone(chat):
    """The defaults are far above a person: a whole onboarding typed as fast as the harness can, then a dozen
    more lines, is answered line by line with no notice."""
    await onboard(chat, "ana")
    assert "your profile is saved" in chat.last("ana").text
    for i in range(12):
        await chat.send("ana", f"one more line {i}")
    assert count(chat, "ana", NOT_UNDERSTOOD) == 12
    assert count(chat, "ana", NOTICE_EN) == 0
