"""Paced sending for Telegram: the platform's limits modelled (bot/core/pacing.py), `retry_after` honoured, nothing
dropped, and a reply to a person's own action never queued behind bulk sends.

Every message-posting call (send*, edit*, copy, forward) passes:
- its chat's token bucket: `per_chat_burst` at once, then `per_chat_rate` a second (Telegram: "about one a
  second per chat; short bursts are allowed");
- in a group (negative chat id), also a window of `group_limit` per `group_period` seconds (Telegram: 20 a
  minute);
- the bot's bucket: `global_rate` a second with a small burst (Telegram: about 30 a second overall).
Interactive calls (`Lane.INTERACTIVE`: replies to the actor, see `lane_of`) take a token whenever there is one;
bulk calls leave a reserve in every limit for them, and take nothing while a reply waits. Each lane keeps its own
FIFO order per chat (a lock per chat and lane, held across the calls of one delivery and across retries), so a
broadcast queued for a chat does not hold up the reply to the person who just pressed a button there. Callback answers
(answerCallbackQuery), chat actions (sendChatAction), getFile and the like are not paced: they go at once.

Failures:
- `RetryAfter` (HTTP 429): sleep `retry_after` seconds and send the same call again, as often as
  Telegram asks; the chat's lane stays blocked meanwhile so order holds. Never dropped.
- `TimedOut` / `NetworkError` (not `BadRequest`, which subclasses it in PTB): retried
  `network_retries` times with exponential backoff, then raised. A timed-out send may have reached
  Telegram, so a retry can duplicate a message; that is the price of not losing one.
- Everything else (`BadRequest`, `Forbidden`, `InvalidToken`, ...) is raised at once.
"""
from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta
from typing import Any, Awaitable, Callable, TypeVar

from telegram import Bot
from telegram.error import BadRequest, NetworkError, RetryAfter

from bot.adapters.telegram.render import TgCall
from bot.core.pacing import Gate, Lane, Limit, SlidingWindow, TokenBucket

log = logging.getLogger(__name__)

T = TypeVar("T")

PACED_PREFIXES = ("send", "edit", "copyMessage", "forwardMessage")
UNPACED = frozenset({"sendChatAction"})  # a typing indicator is not a message


def is_paced(method: str) -> bool:
    return method.startswith(PACED_PREFIXES) and method not in UNPACED


def is_group(chat_id: int | str) -> bool:
    """Group and supergroup (and channel) ids are negative in the Bot API; private chats are positive."""
    return str(chat_id).startswith("-")


class _Chat:
    __slots__ = ("gate", "locks", "users")

    def __init__(self, gate: Gate) -> None:
        self.gate = gate
        self.locks = {Lane.INTERACTIVE: asyncio.Lock(), Lane.BULK: asyncio.Lock()}
        self.users = 0


class Pacer:
    """Gate for Bot API calls: `await pacer.execute(bot, chat_id, calls, lane=...)` or `await pacer.run(chat_id, send)`.

    The defaults sit just inside Telegram's limits (the stand-in's `TELEGRAM_RATE_LIMITS` models them). A chat's bulk
    sends wait for a full bucket (`chat_reserve` 2 of 3 stay for the person's replies). The bot's bucket runs at
    27 a second with a burst of 3 — no 1-second window holds more than 30, with some 35 ms to spare for the
    network's jitter — and bulk leaves one token in it (`global_reserve`), so a reply never waits behind a
    broadcast, which still gets 27 a second (issue 10 asks for 90% of 30)."""

    def __init__(
        self,
        *,
        per_chat_rate: float = 0.95,  # 5% under Telegram's 1 a second: see CHAT_MARGIN in bot/core/pacing.py
        per_chat_burst: float = 3.0,
        chat_reserve: int = 2,
        group_limit: int = 20,
        group_period: float = 61.0,  # Telegram's minute, and a second for the network's jitter
        global_rate: float = 27.0,
        global_burst: float = 3.0,
        global_reserve: int = 1,
        network_retries: int = 3,
        network_backoff: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.per_chat_rate = per_chat_rate
        self.per_chat_burst = per_chat_burst
        self.group_limit = group_limit
        self.group_period = group_period
        self.chat_reserve = chat_reserve
        self.network_retries = network_retries
        self.network_backoff = network_backoff
        self._clock = clock
        self._sleep = sleep
        self._global = Gate([TokenBucket(global_rate, global_burst, clock())], reserve=global_reserve,
                            clock=clock, sleep=sleep, jitter=0.0)
        self._chats: dict[int | str, _Chat] = {}
        self.retry_after_waits = 0  # how often Telegram said 429 (should stay 0 when the rates are right)
        self.network_retry_count = 0

    SWEEP_AT = 1000  # forget idle chats once this many are tracked

    def _chat(self, chat_id: int | str) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            if len(self._chats) >= self.SWEEP_AT:
                self._sweep()
            limits: list[Limit] = [TokenBucket(self.per_chat_rate, self.per_chat_burst, self._clock())]
            if is_group(chat_id):
                limits.append(SlidingWindow(self.group_limit, self.group_period))
            chat = self._chats[chat_id] = _Chat(Gate(limits, reserve=self.chat_reserve, clock=self._clock,
                                                     sleep=self._sleep))
        return chat

    def _sweep(self) -> None:
        for chat_id in [c for c, chat in self._chats.items() if chat.users == 0 and chat.gate.idle()]:
            del self._chats[chat_id]

    async def run(self, chat_id: int | str, send: Callable[[], Awaitable[T]], *, paced: bool = True,
                  lane: Lane = Lane.BULK) -> T:
        """Send one call to `chat_id`, in order with the chat's other calls of its lane."""
        return (await self._in_chat(chat_id, [(send, paced)], lane))[0]

    async def execute(self, bot: Bot, chat_id: int | str, calls: list[TgCall],
                      after: Callable[[int, Any], Awaitable[None]] | None = None,
                      lane: Lane = Lane.BULK) -> list[Any]:
        """Run a rendered delivery's calls in order with PTB; returns PTB's results (Messages, True, ...).
        `after(i, result)` is awaited once call `i` succeeded, before the next is sent (to record progress)."""
        steps = [(_bound(bot, call), is_paced(call.method)) for call in calls]
        return await self._in_chat(chat_id, steps, lane, after)

    async def _in_chat(self, chat_id: int | str, steps: list[tuple[Callable[[], Awaitable[Any]], bool]],
                       lane: Lane, after: Callable[[int, Any], Awaitable[None]] | None = None) -> list[Any]:
        if not any(paced for _, paced in steps):  # a callback answer, a chat action: no queue, no token
            return await self._steps(None, steps, lane, after)
        chat = self._chat(chat_id)
        chat.users += 1
        try:
            async with chat.locks[lane]:
                return await self._steps(chat, steps, lane, after)
        finally:
            chat.users -= 1
            if chat.users == 0 and chat.gate.idle():
                self._chats.pop(chat_id, None)

    async def _steps(self, chat: _Chat | None, steps, lane: Lane, after) -> list[Any]:
        results = []
        for i, (send, paced) in enumerate(steps):
            results.append(await self._send(chat if paced else None, send, lane))
            if after is not None:
                await after(i, results[-1])
        return results

    async def _send(self, chat: _Chat | None, send: Callable[[], Awaitable[T]], lane: Lane) -> T:
        failures = 0
        while True:
            if chat is not None:
                await chat.gate.take(lane)
                await self._global.take(lane)
            try:
                return await send()
            except RetryAfter as err:
                wait = _seconds(err.retry_after)
                self.retry_after_waits += 1
                log.warning("telegram asked to retry after %.1fs", wait)
                await self._sleep(wait)
            except BadRequest:
                raise
            except NetworkError as err:  # includes TimedOut
                failures += 1
                if failures > self.network_retries:
                    raise
                self.network_retry_count += 1
                delay = self.network_backoff * 2 ** (failures - 1)
                log.warning("telegram network error (%s); retry %d in %.1fs", err, failures, delay)
                await self._sleep(delay)


def _bound(bot: Bot, call: TgCall) -> Callable[[], Awaitable[Any]]:
    method = getattr(bot, call.ptb_name)
    return lambda: method(**call.kwargs)


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
