"""Paced sending for Telegram: ~1 message/s per chat and ~30/s overall, `retry_after` honoured, nothing dropped.

Two token buckets gate every message-posting call (send*, edit*): one per chat, one for the bot. Calls to
one chat go out in the order they were asked for (a FIFO lock per chat, held across the calls of one
delivery and across retries). Other calls (answerCallbackQuery, getFile, ...) are not paced: a callback
must be answered at once.

Failures:
- `RetryAfter` (HTTP 429): sleep `retry_after` seconds and send the same call again, as often as
  Telegram asks; the chat stays blocked meanwhile so order holds. Never dropped.
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

log = logging.getLogger(__name__)

T = TypeVar("T")

PACED_PREFIXES = ("send", "edit", "copyMessage", "forwardMessage")


class TokenBucket:
    """`rate` tokens per second, at most `burst` saved up; `take()` waits for one, first come first served."""

    def __init__(self, rate: float, burst: float = 1.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = burst
        self._stamp = clock()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    async def take(self) -> None:
        async with self._lock:
            while True:
                self._refill()
                if self._tokens >= 1 - 1e-9:  # float rounding must not leave a waiter spinning
                    self._tokens = max(0.0, self._tokens - 1)
                    return
                await self._sleep((1 - self._tokens) / self.rate)

    @property
    def idle(self) -> bool:
        """Full and nobody waiting: safe to forget."""
        self._refill()
        return self._tokens >= self.burst and not self._lock.locked()


class _Chat:
    __slots__ = ("bucket", "lock", "users")

    def __init__(self, bucket: TokenBucket) -> None:
        self.bucket = bucket
        self.lock = asyncio.Lock()
        self.users = 0


class Pacer:
    """Gate for Bot API calls. `await pacer.execute(bot, chat_id, calls)` or `await pacer.run(chat_id, send)`."""

    def __init__(
        self,
        *,
        per_chat_rate: float = 1.0,
        global_rate: float = 30.0,
        per_chat_burst: float = 1.0,
        global_burst: float = 1.0,
        network_retries: int = 3,
        network_backoff: float = 0.5,
    ) -> None:
        self.per_chat_rate = per_chat_rate
        self.per_chat_burst = per_chat_burst
        self.network_retries = network_retries
        self.network_backoff = network_backoff
        self._global = TokenBucket(global_rate, global_burst)
        self._chats: dict[int | str, _Chat] = {}
        self.retry_after_waits = 0  # how often Telegram said 429 (should stay 0 when the rates are right)
        self.network_retry_count = 0

    SWEEP_AT = 1000  # forget idle chats once this many are tracked

    def _sweep(self) -> None:
        for chat_id in [c for c, chat in self._chats.items() if chat.users == 0 and chat.bucket.idle]:
            del self._chats[chat_id]

    async def run(self, chat_id: int | str, send: Callable[[], Awaitable[T]], *, paced: bool = True) -> T:
        """Send one call to `chat_id`, in order with the chat's other calls."""
        return (await self._in_chat(chat_id, [(send, paced)]))[0]

    async def execute(self, bot: Bot, chat_id: int | str, calls: list[TgCall],
                      after: Callable[[int, Any], Awaitable[None]] | None = None) -> list[Any]:
        """Run a rendered delivery's calls in order with PTB; returns PTB's results (Messages, True, ...).
        `after(i, result)` is awaited once call `i` succeeded, before the next is sent (to record progress)."""
        steps = [(_bound(bot, call), call.method.startswith(PACED_PREFIXES)) for call in calls]
        return await self._in_chat(chat_id, steps, after)

    async def _in_chat(self, chat_id: int | str, steps: list[tuple[Callable[[], Awaitable[Any]], bool]],
                       after: Callable[[int, Any], Awaitable[None]] | None = None) -> list[Any]:
        chat = self._chats.get(chat_id)
        if chat is None:
            if len(self._chats) >= self.SWEEP_AT:
                self._sweep()
            chat = self._chats[chat_id] = _Chat(TokenBucket(self.per_chat_rate, self.per_chat_burst))
        chat.users += 1
        try:
            async with chat.lock:
                results = []
                for i, (send, paced) in enumerate(steps):
                    results.append(await self._send(chat, send, paced))
                    if after is not None:
                        await after(i, results[-1])
                return results
        finally:
            chat.users -= 1
            if chat.users == 0 and chat.bucket.idle:
                self._chats.pop(chat_id, None)

    async def _send(self, chat: _Chat, send: Callable[[], Awaitable[T]], paced: bool) -> T:
        failures = 0
        while True:
            if paced:
                await chat.bucket.take()
                await self._global.take()
            try:
                return await send()
            except RetryAfter as err:
                wait = _seconds(err.retry_after)
                self.retry_after_waits += 1
                log.warning("telegram asked to retry after %.1fs", wait)
                await asyncio.sleep(wait)
            except BadRequest:
                raise
            except NetworkError as err:  # includes TimedOut
                failures += 1
                if failures > self.network_retries:
                    raise
                self.network_retry_count += 1
                delay = self.network_backoff * 2 ** (failures - 1)
                log.warning("telegram network error (%s); retry %d in %.1fs", err, failures, delay)
                await asyncio.sleep(delay)


def _bound(bot: Bot, call: TgCall) -> Callable[[], Awaitable[Any]]:
    method = getattr(bot, call.ptb_name)
    return lambda: method(**call.kwargs)


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
