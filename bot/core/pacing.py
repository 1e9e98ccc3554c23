"""Outbound pacing the adapters share: limits that model the platforms', and two lanes so bulk never delays a reply.

The platforms allow bursts and refuse sustained floods (Telegram: about one message a second per chat, 20 a minute
in a group, about 30 a second for the bot; Slack: about one a second per channel, other methods per-minute
tiers). Each limit here answers two questions on a clock the caller passes in — how long until one more send is
allowed (`wait`), and take it (`take`) — so the rules are tested on a clock a test moves, with no sleeping.

Lanes:
- `INTERACTIVE`: a reply to the person whose own action caused it, in their conversation (the delivery carries
  that event's `reply_context`). It takes a token whenever there is one: a person who taps at a human pace is
  answered at once, a burst of a few messages too; only a sustained flood waits, as the platform would make it.
- `BULK`: everything else — broadcasts, reminders, pings, messages to people who did not act. It leaves
  `reserve` tokens untouched in every limit it passes, so a broadcast running at full speed never makes a reply
  wait; what it cannot take it waits for.
The platform's `retry_after` stays the safety net in the adapters, for limits these models get wrong.
"""
from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from enum import Enum
from typing import Awaitable, Callable, Iterable, Protocol

from bot.core.operations import Delivery

EPSILON = 1e-9  # float rounding must not leave a waiter spinning on 0.9999999 tokens
# A conversation's waiter wakes this much after its token is due: the platform counts a send when it arrives, and
# two sends' network delays differ by a little, so a send timed to the exact instant could arrive a hair early.
# (The bot-wide bucket runs below the platform's rate instead: a margin there would cost throughput.)
JITTER = 0.005
# The per-conversation rates run 5% under the platforms' (Telegram 0.95 a second, Slack a message per 1.05 s): the
# pacer counts a send when it lets it go, the platform when it arrives, and when one send is slower to arrive than the
# next (a busy event loop, a slow connection), the platform sees them closer than the pacer did. A margin in the
# rate covers about 50 ms of that difference on every send, even one that found a token waiting; a 429 costs a second.
CHAT_MARGIN = 0.05
YIELD = 0.001  # how long bulk looks away while a reply waits for a token


class Lane(str, Enum):
    INTERACTIVE = "interactive"
    BULK = "bulk"


def lane_of(delivery: Delivery) -> Lane:
    """Interactive when the delivery answers the actor in their own conversation (staging copies the event's
    `reply_context` only onto those) and is not marked bulk; bulk otherwise."""
    if getattr(delivery.op, "bulk", False) or not delivery.reply_context:
        return Lane.BULK
    return Lane.INTERACTIVE


class Limit(Protocol):
    def wait(self, now: float, reserve: int = 0) -> float:
        """Seconds until one more send is allowed while leaving `reserve` of the allowance unused (0: now)."""

    def take(self, now: float) -> None:
        """Count one send at `now` (call only when `wait` said 0)."""

    def idle(self, now: float) -> bool:
        """As if it had never been used: safe to forget."""


class TokenBucket:
    """`rate` tokens a second, at most `burst` saved up: a burst of `burst` at once, then `rate` sustained."""

    def __init__(self, rate: float, burst: float = 1.0, now: float = 0.0) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.burst = float(burst)
        self.tokens = float(burst)
        self._stamp = now

    def _refill(self, now: float) -> None:
        if now > self._stamp:
            self.tokens = min(self.burst, self.tokens + (now - self._stamp) * self.rate)
            self._stamp = now

    def wait(self, now: float, reserve: int = 0) -> float:
        self._refill(now)
        need = min(1.0 + reserve, self.burst)  # a reserve larger than the bucket leaves bulk the full bucket
        return 0.0 if self.tokens >= need - EPSILON else (need - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens = max(0.0, self.tokens - 1.0)

    def idle(self, now: float) -> bool:
        self._refill(now)
        return self.tokens >= self.burst - EPSILON


class SlidingWindow:
    """At most `limit` sends in any `period` seconds (Telegram's 20 a minute in a group)."""

    def __init__(self, limit: int, period: float) -> None:
        if limit < 1 or period <= 0:
            raise ValueError("limit must be at least 1 and period positive")
        self.limit = limit
        self.period = period
        self._stamps: deque[float] = deque()

    def _prune(self, now: float) -> None:
        while self._stamps and self._stamps[0] <= now - self.period:
            self._stamps.popleft()

    def wait(self, now: float, reserve: int = 0) -> float:
        self._prune(now)
        allowed = max(1, self.limit - reserve)
        if len(self._stamps) < allowed:
            return 0.0
        return self._stamps[len(self._stamps) - allowed] + self.period - now

    def take(self, now: float) -> None:
        self._stamps.append(now)

    def idle(self, now: float) -> bool:
        self._prune(now)
        return not self._stamps


def wait_all(limits: Iterable[Limit], now: float, reserve: int = 0) -> float:
    """Seconds until every limit allows one more send (0: now)."""
    return max((limit.wait(now, reserve) for limit in limits), default=0.0)


class Gate:
    """Limits passed together, one waiter per lane at a time (first come, first served within a lane). The
    interactive lane's head takes a token whenever there is one; the bulk lane's leaves `reserve` behind."""

    def __init__(self, limits: list[Limit], *, reserve: int = 0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep, jitter: float = JITTER) -> None:
        self.limits = limits
        self.reserve = reserve
        self.jitter = jitter
        self._clock = clock
        self._sleep = sleep
        self._queues = {Lane.INTERACTIVE: asyncio.Lock(), Lane.BULK: asyncio.Lock()}

    def wait(self, lane: Lane) -> float:
        """Seconds a call in `lane` would wait if it asked now (0: it would go at once; `math.inf` when others
        already wait in the lane: then it depends on how many, which nobody counts). Takes nothing."""
        if not self.limits:
            return 0.0
        if self._queues[lane].locked():
            return math.inf
        return wait_all(self.limits, self._clock(), self.reserve if lane is Lane.BULK else 0)

    def try_take(self, lane: Lane) -> float:
        """Take now when allowed (0), else the seconds to wait before asking again. While a reply waits, bulk
        takes nothing: the reply gets the next token."""
        now = self._clock()
        wait = wait_all(self.limits, now, self.reserve if lane is Lane.BULK else 0)
        if lane is Lane.BULK and self._queues[Lane.INTERACTIVE].locked():
            return max(wait, YIELD)
        if wait <= 0:
            for limit in self.limits:
                limit.take(now)
        return wait

    async def take(self, lane: Lane) -> None:
        if not self.limits:
            return
        async with self._queues[lane]:
            while (wait := self.try_take(lane)) > 0:
                await self._sleep(wait + self.jitter)

    def idle(self) -> bool:
        now = self._clock()
        return all(limit.idle(now) for limit in self.limits) and not any(q.locked() for q in self._queues.values())
