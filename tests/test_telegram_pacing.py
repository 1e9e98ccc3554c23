"""The pacing outbox against the stand-in with its rate limits on: no 429s when paced, 429s honoured, nothing dropped."""
from __future__ import annotations

import asyncio

import pytest
import telegram
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.adapters.telegram.pacing import Pacer
from bot.adapters.telegram.render import TgCall, render_reply
from bot.core.blocks import Reply, text
from tests.telegram_standin import BotApiStandIn

# The stand-in allows a burst of 3 per chat refilled at 10 a second, and 10 overall in any 0.1 s (Telegram: 1/s
# and 30/s, scaled up so the test runs in seconds). The pacer runs a little slower than that, leaving room for
# jitter: its bot-wide bucket (burst 3, 60/s) never puts more than 9 in a 0.1 s window.
WINDOW = 0.1
PER_CHAT_RATE = 1 / 0.15
GLOBAL_RATE = 60.0


@pytest.fixture
async def limited():
    async with BotApiStandIn(per_chat_burst=3, per_chat_rate=1 / WINDOW, global_limit=10, window=WINDOW) as stand_in:
        yield stand_in


@pytest.fixture
async def bot(limited: BotApiStandIn):
    async with telegram.Bot(limited.token, base_url=limited.base_url) as b:
        yield b


async def test_200_messages_to_20_chats_without_a_single_429(limited: BotApiStandIn, bot: telegram.Bot):
    pacer = Pacer(per_chat_rate=PER_CHAT_RATE, global_rate=GLOBAL_RATE)
    chats = [5000 + i for i in range(20)]

    async def deliver(chat: int, n: int):
        return await pacer.execute(bot, chat, render_reply(Reply(blocks=[text(f"message {n} to {chat}")]), chat))

    await asyncio.gather(*(deliver(chat, n) for n in range(10) for chat in chats))
    assert limited.refusals == []  # the stand-in enforces the limits: no refusal means it was paced
    assert pacer.retry_after_waits == 0
    for chat in chats:  # every message arrived, in the order it was asked for
        assert [m["text"] for m in limited.messages_to(chat)] == [f"message {n} to {chat}" for n in range(10)]


async def test_unpaced_sending_does_hit_the_limits(limited: BotApiStandIn, bot: telegram.Bot):
    """The control: without pacing the same stand-in refuses, so the test above can fail."""
    results = await asyncio.gather(*(bot.send_message(7, f"m{i}") for i in range(5)), return_exceptions=True)
    assert any(isinstance(r, telegram.error.RetryAfter) for r in results)
    assert any(r.error_code == 429 for r in limited.refusals)


async def test_retry_after_is_honoured_and_nothing_is_dropped(limited: BotApiStandIn, bot: telegram.Bot):
    pacer = Pacer(per_chat_rate=1000, global_rate=1000)  # far too fast: after the burst Telegram will say 429
    calls = [TgCall("sendMessage", {"chat_id": 9, "text": f"part {i}"}) for i in range(5)]
    messages = await pacer.execute(bot, 9, calls)
    assert [m.text for m in messages] == [f"part {i}" for i in range(5)]
    assert [m["text"] for m in limited.messages_to(9)] == [f"part {i}" for i in range(5)]
    assert pacer.retry_after_waits >= 1
    # each 429 was waited out: a retry sent at once would have been refused again, and counted
    assert [r.error_code for r in limited.refusals] == [429] * pacer.retry_after_waits
    assert pacer.retry_after_waits <= 2


async def test_bad_requests_are_not_retried(limited: BotApiStandIn, bot: telegram.Bot):
    pacer = Pacer(per_chat_rate=PER_CHAT_RATE, global_rate=GLOBAL_RATE)
    with pytest.raises(BadRequest):
        await pacer.execute(bot, 3, [TgCall("sendMessage", {"chat_id": 3, "text": "<b", "parse_mode": "HTML"})])
    assert len(limited.calls_of("sendMessage")) == 1


async def test_network_errors_are_retried_a_bounded_number_of_times():
    pacer = Pacer(per_chat_rate=1000, global_rate=1000, network_retries=2, network_backoff=0.01)
    attempts = []

    async def flaky():
        attempts.append(1)
        if len(attempts) < 3:
            raise TimedOut()
        return "sent"

    assert await pacer.run(1, flaky) == "sent" and len(attempts) == 3


async def test_network_errors_give_up():
    """A Bot API that is not there at all: the real PTB error, raised after the bounded retries."""
    async with BotApiStandIn() as gone:
        token, base_url = gone.token, gone.base_url
    bot = telegram.Bot(token, base_url=base_url)
    pacer = Pacer(per_chat_rate=1000, global_rate=1000, network_retries=2, network_backoff=0.01)
    with pytest.raises(NetworkError):
        await pacer.run(1, lambda: bot.send_message(1, "hi"))
    assert pacer.network_retry_count == 2
