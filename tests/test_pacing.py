"""Outbound pacing (bot/core/pacing.py and the Telegram pacer built on it) on a clock the test holds: a burst goes at
once, the bucket refills at its rate, groups keep their window, the bot-wide bucket holds, and bulk sends never
delay a reply to the person who acted. No sleeping: a send that would wait stays parked until the test lets it go."""
from __future__ import annotations

import asyncio

import pytest

from bot.adapters.telegram.pacing import Pacer, is_group, is_paced
from bot.core.blocks import Reply, text
from bot.core.operations import Delivery, SendMessage
from bot.core.pacing import Gate, Lane, SlidingWindow, TokenBucket, lane_of

INTERACTIVE, BULK = Lane.INTERACTIVE, Lane.BULK


def takes(limit, now: float, n: int, reserve: int = 0) -> int:
    """How many of `n` sends at `now` the limit lets through at once."""
    done = 0
    for _ in range(n):
        if limit.wait(now, reserve) > 0:
            break
        limit.take(now)
        done += 1
    return done


def test_a_burst_goes_at_once_then_the_bucket_refills_at_its_rate():
    bucket = TokenBucket(rate=1.0, burst=3, now=0.0)
    assert takes(bucket, 0.0, 10) == 3  # the burst
    assert bucket.wait(0.0) == pytest.approx(1.0)  # then one a second
    assert bucket.wait(0.4) == pytest.approx(0.6)
    assert takes(bucket, 1.0, 10) == 1
    assert takes(bucket, 10.0, 10) == 3  # a long pause refills the burst, never more


def test_the_sustained_rate_never_waits():
    bucket = TokenBucket(rate=1.0, burst=3, now=0.0)
    assert all(takes(bucket, float(t), 1) == 1 for t in range(200))


def test_groups_keep_twenty_a_minute():
    window = SlidingWindow(20, 60.0)
    assert takes(window, 0.0, 25) == 20
    assert window.wait(30.0) == pytest.approx(30.0)  # the oldest leaves the window at 60 s
    assert takes(window, 59.9, 5) == 0
    assert takes(window, 60.0, 5) == 5  # all twenty left the window together
    window2 = SlidingWindow(20, 60.0)
    for t in range(20):
        window2.take(float(t))  # one every second: the 21st waits for the first to leave
    assert window2.wait(20.0) == pytest.approx(40.0)
    assert takes(window2, 60.0, 5) == 1 and takes(window2, 61.0, 5) == 1


def test_the_bot_wide_bucket_holds_across_chats():
    now = [0.0]
    gate = Gate([TokenBucket(27.0, 3, 0.0)], reserve=1, clock=lambda: now[0])
    assert [gate.try_take(INTERACTIVE) for _ in range(3)] == [0.0, 0.0, 0.0]  # its small burst
    assert gate.try_take(INTERACTIVE) == pytest.approx(1 / 27)
    stamps = []
    for step in range(1000):  # ten seconds of a broadcast asking every 10 ms
        now[0] = step / 100
        if gate.try_take(BULK) == 0:
            stamps.append(now[0])
    assert 27 * 10 - 3 <= len(stamps) <= 27 * 10 + 1  # at its rate (less the burst spent above): 90% of 30/s
    # Telegram's 30 a second: no 1-second window ever holds more, whatever the burst
    assert max(sum(1 for t in stamps if start < t <= start + 1.0) for start in stamps) <= 30


def test_bulk_leaves_the_reserve_for_replies():
    bucket = TokenBucket(rate=1.0, burst=3, now=0.0)
    assert takes(bucket, 0.0, 10, reserve=2) == 1  # bulk takes only from a full bucket
    assert bucket.wait(0.0, reserve=2) == pytest.approx(1.0)
    assert takes(bucket, 0.0, 10) == 2  # the person who acts still has two at once
    window = SlidingWindow(20, 60.0)
    assert takes(window, 0.0, 30, reserve=2) == 18 and takes(window, 0.0, 30) == 2


def test_what_counts_as_a_reply_to_the_actor():
    reply = Reply(blocks=[text("hi")])
    assert lane_of(Delivery(op=SendMessage(message=reply), platform="telegram", chat_id="1",
                            reply_context={"message_id": 5})) is INTERACTIVE
    assert lane_of(Delivery(op=SendMessage(message=reply), platform="telegram", chat_id="1")) is BULK  # nobody acted
    assert lane_of(Delivery(op=SendMessage(message=reply, bulk=True), platform="telegram", chat_id="1",
                            reply_context={"message_id": 5})) is BULK  # a broadcast that reaches its sender too


def test_callback_answers_and_chat_actions_are_not_paced_and_groups_are_told_apart():
    assert is_paced("sendMessage") and is_paced("editMessageText") and is_paced("sendPhoto")
    assert not is_paced("answerCallbackQuery") and not is_paced("sendChatAction") and not is_paced("getFile")
    assert is_group(-1001234) and is_group("-5") and not is_group(42)


class Parked:
    """A clock that stands still and a sleep that parks the sleeper until the test releases it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleepers: list[asyncio.Future] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        fut = asyncio.get_running_loop().create_future()
        self.sleepers.append(fut)
        await fut

    def advance(self, seconds: float) -> None:
        self.now += seconds
        sleepers, self.sleepers = self.sleepers, []
        for fut in sleepers:
            if not fut.done():
                fut.set_result(None)


async def settle() -> None:
    for _ in range(50):
        await asyncio.sleep(0)


def pacer(time: Parked, **kwargs) -> Pacer:
    return Pacer(clock=time.clock, sleep=time.sleep, **kwargs)


async def test_a_bulk_backlog_never_delays_a_reply_to_the_person_who_acted():
    time = Parked()
    p = pacer(time)
    sent: list[str] = []

    def send(label: str):
        async def go() -> str:
            sent.append(label)
            return label
        return go

    # A broadcast: many chats, one of them the person's, and more for that chat than its bucket allows.
    backlog = [asyncio.create_task(p.run(chat, send(f"bulk {chat}.{i}"), lane=BULK))
               for i in range(3) for chat in range(1, 40)]
    await settle()
    assert len(sent) < len(backlog)  # the bot-wide bucket holds the broadcast back...
    held = len(sent)
    # ...but the person in chat 1 presses a button: the reply goes at once, the clock never moved.
    assert await asyncio.wait_for(p.run(1, send("reply 0"), lane=INTERACTIVE), 10) == "reply 0"
    assert time.now == 0.0 and len(sent) == held + 1
    # A second reply in the same instant finds the bot-wide burst spent: it waits for the next token, and gets it
    # before any of the broadcast waiting with it.
    second = asyncio.create_task(p.run(1, send("reply 1"), lane=INTERACTIVE))
    await settle()
    assert not second.done()
    time.advance(1 / 27)
    await settle()
    assert second.done() and sent[held + 1] == "reply 1"
    for _ in range(400):  # let time pass: the broadcast finishes, in order per chat
        time.advance(0.1)
        await settle()
        if all(t.done() for t in backlog):
            break
    assert all(t.done() for t in backlog)
    assert [s for s in sent if s.startswith("bulk 1.")] == ["bulk 1.0", "bulk 1.1", "bulk 1.2"]


async def test_a_person_who_floods_waits_for_the_bucket_and_unpaced_calls_do_not():
    time = Parked()
    p = pacer(time)
    done: list[str] = []

    async def ok(label: str) -> str:
        done.append(label)
        return label

    for i in range(3):  # a burst of three goes at once
        await p.run(7, lambda i=i: ok(f"m{i}"), lane=INTERACTIVE)
    fourth = asyncio.create_task(p.run(7, lambda: ok("m3"), lane=INTERACTIVE))
    await settle()
    assert done == ["m0", "m1", "m2"]  # the fourth waits for a token
    await p.run(7, lambda: ok("callback answer"), paced=False)  # a callback answer does not queue behind it
    assert done[-1] == "callback answer"
    time.advance(1.0)  # Telegram's second; the pacer keeps 5% more (CHAT_MARGIN)
    await settle()
    assert not fourth.done()
    time.advance(1 / 0.95 - 1.0)
    await settle()
    assert fourth.done() and done[-1] == "m3"


async def test_a_group_sends_twenty_a_minute():
    time = Parked()
    p = pacer(time, per_chat_burst=100, per_chat_rate=100, global_rate=1000, global_burst=100)
    sent: list[int] = []

    async def ok(n: int) -> int:
        sent.append(n)
        return n

    tasks = [asyncio.create_task(p.run(-100, lambda n=n: ok(n), lane=INTERACTIVE)) for n in range(25)]
    await settle()
    assert sent == list(range(20))
    time.advance(30.0)
    await settle()
    assert len(sent) == 20
    time.advance(31.0)  # past the pacer's minute (61 s: Telegram's, and a second for jitter)
    await settle()
    assert sent == list(range(25)) and all(t.done() for t in tasks)


async def test_slack_a_channel_bursts_replies_while_its_bulk_waits_and_edits_use_their_tier():
    from bot.adapters.slack.pacing import ChannelPacer

    time = Parked()
    p = ChannelPacer(interval=1.0, burst=3, clock=time.clock, sleep=time.sleep)
    sent: list[str] = []

    def post(label: str):
        async def go() -> str:
            sent.append(label)
            return label
        return go

    bulk = [asyncio.create_task(p.send("C1", post(f"bulk {i}"), lane=BULK)) for i in range(3)]
    await settle()
    assert sent == ["bulk 0"]  # bulk waits for a full bucket each time
    for i in range(2):  # the person's replies in the same channel: at once
        await asyncio.wait_for(p.send("C1", post(f"reply {i}"), lane=INTERACTIVE), 10)
    for i in range(10):  # edits are not channel posts: chat.update's Tier 3 bucket (a burst of 10) is theirs
        await asyncio.wait_for(p.send("C1", post(f"edit {i}"), method="chat.update", lane=INTERACTIVE), 10)
    assert sent[:3] == ["bulk 0", "reply 0", "reply 1"] and len(sent) == 13 and time.now == 0.0
    for _ in range(100):
        time.advance(0.5)
        await settle()
        if all(t.done() for t in bulk):
            break
    assert [s for s in sent if s.startswith("bulk")] == ["bulk 0", "bulk 1", "bulk 2"]


async def test_a_gate_says_how_long_a_call_would_wait_without_taking_anything():
    time = Parked()
    gate = Gate([TokenBucket(1.0, 2, time.clock())], reserve=1, clock=time.clock, sleep=time.sleep)
    assert gate.wait(Lane.INTERACTIVE) == 0 and gate.wait(Lane.INTERACTIVE) == 0  # asking takes nothing
    assert gate.wait(Lane.BULK) == 0  # two tokens: one is left for a reply
    await gate.take(Lane.INTERACTIVE)
    assert gate.wait(Lane.INTERACTIVE) == 0 and gate.wait(Lane.BULK) == pytest.approx(1.0)
    await gate.take(Lane.INTERACTIVE)
    assert gate.wait(Lane.INTERACTIVE) == pytest.approx(1.0)
    queued = asyncio.create_task(gate.take(Lane.INTERACTIVE))
    await settle()
    assert gate.wait(Lane.INTERACTIVE) == float("inf")  # behind someone: it depends on the queue
    time.advance(1.0 + 0.01)
    await settle()
    assert queued.done() and gate.wait(Lane.INTERACTIVE) == pytest.approx(0.99)
