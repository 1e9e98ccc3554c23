"""Outbound pacing for Slack: about one message a second per channel with a short burst, the other methods within
their tiers, 429 `Retry-After` honoured, and replies never queued behind bulk sends (bot/core/pacing.py).

`ChannelPacer.send(channel, call, method=..., lane=...)` runs `call()` (a coroutine factory, e.g.
`lambda: client.chat_postMessage(...)`) when its limits allow:
- posting a message (chat.postMessage, chat.postEphemeral, a file upload) takes a token from the channel's
  bucket: `burst` at once, then one every `interval` seconds (Slack: "1 per second per channel, short bursts
  allowed");
- chat.update takes one from the workspace's Tier 3 bucket (50 a minute), views.update and views.publish from Tier 4
  (100 a minute); views.open and views.push are not held (their trigger id expires in 3 seconds);
  `ChannelPacer.call(method, call, ...)` paces a call that belongs to no channel (views.open, views.publish).
`wait(method, channel, ...)` says how long a call would wait now, so a caller can choose another way (an edit that would
wait for chat.update's tier is posted as a new message instead). Calls to one channel run one at a time per lane, in the order they were sent; channels do not wait for each other.
Interactive calls (`Lane.INTERACTIVE`: replies to the person who acted) take a token whenever there is one; bulk
calls leave `bulk_reserve` in every bucket for them. When Slack answers HTTP 429 the pacer waits `Retry-After`
seconds (1 when absent) and retries the very same call — a rate-limited message is never dropped. Any other error is
raised to the caller untouched, after the channel's slot is released. `interval=0` turns pacing off (tests).
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Awaitable, Callable, TypeVar

from slack_sdk.errors import SlackApiError

from bot.core.pacing import Gate, Lane, TokenBucket

T = TypeVar("T")
log = logging.getLogger(__name__)

POSTING = frozenset({"chat.postMessage", "chat.postEphemeral", "files.upload"})
# Slack's documented tiers (per workspace and method), as a rate a second and a burst. Not views.open and views.push:
# they answer a person's action with a trigger id that expires 3 seconds after it, so a call held for the tier would
# fail for certain; they go at once, and a 429 (Retry-After) is the safety net.
TIERS: dict[str, tuple[float, float]] = {
    "chat.update": (50 / 60, 10),  # Tier 3: 50+ a minute
    "views.update": (100 / 60, 20),  # Tier 4: 100+ a minute
    "views.publish": (100 / 60, 20),
}


def retry_after(error: SlackApiError) -> float | None:
    """Seconds to wait when `error` is a rate limit (HTTP 429), else None."""
    response = getattr(error, "response", None)
    if response is None or getattr(response, "status_code", None) != 429:
        return None
    headers = getattr(response, "headers", None) or {}
    raw = None
    for k, v in dict(headers).items():
        if str(k).lower() == "retry-after":
            raw = v[0] if isinstance(v, list) else v
    try:
        return max(0.0, float(raw)) if raw is not None else 1.0
    except (TypeError, ValueError):
        return 1.0


class _Channel:
    __slots__ = ("gate", "locks")

    def __init__(self, gate: Gate) -> None:
        self.gate = gate  # FIFO per lane: keeps a channel's messages in order
        self.locks = {Lane.INTERACTIVE: asyncio.Lock(), Lane.BULK: asyncio.Lock()}


class ChannelPacer:
    def __init__(
        self,
        interval: float = 1.05,  # 5% over Slack's 1 a second per channel: see CHAT_MARGIN in bot/core/pacing.py
        *,
        burst: float = 3.0,
        bulk_reserve: int = 2,
        tiers: dict[str, tuple[float, float]] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.interval = interval
        self.burst = burst
        self.bulk_reserve = bulk_reserve
        self.tiers = TIERS if tiers is None else tiers
        self._clock = clock
        self._sleep = sleep
        self._channels: dict[str, _Channel] = {}
        self._tiers: dict[tuple[str, str], Gate] = {}
        self.rate_limited = 0  # 429 answers seen (and waited out)

    def _gate(self, limits: list) -> Gate:
        return Gate(limits if self.interval > 0 else [], reserve=self.bulk_reserve, clock=self._clock,
                    sleep=self._sleep)

    def _state(self, channel: str) -> _Channel:
        st = self._channels.get(channel)
        if st is None:
            limits = [TokenBucket(1 / self.interval, self.burst, self._clock())] if self.interval > 0 else []
            st = self._channels[channel] = _Channel(self._gate(limits))
        return st

    def _tier(self, method: str, workspace: str) -> Gate | None:
        tier = self.tiers.get(method)
        if tier is None:
            return None
        gate = self._tiers.get((workspace, method))
        if gate is None:
            gate = self._tiers[(workspace, method)] = self._gate([TokenBucket(tier[0], tier[1], self._clock())])
        return gate

    def wait(self, method: str, channel: str, *, lane: Lane = Lane.BULK, workspace: str = "") -> float:
        """Seconds `method` to `channel` would wait for its limits if sent now (takes nothing)."""
        tier = self._tier(method, workspace)
        waits = [tier.wait(lane)] if tier is not None else []
        if method in POSTING:
            waits.append(self._state(channel).gate.wait(lane))
        return max(waits, default=0.0)

    async def send(self, channel: str, call: Callable[[], Awaitable[T]], *, method: str = "chat.postMessage",
                   lane: Lane = Lane.BULK, workspace: str = "") -> T:
        st = self._state(channel)
        async with st.locks[lane]:
            return await self._attempt(call, method, lane, workspace, st.gate if method in POSTING else None)

    async def call(self, method: str, call: Callable[[], Awaitable[T]], *, lane: Lane = Lane.BULK,
                   workspace: str = "") -> T:
        """A call that belongs to no channel (views.*): its tier only."""
        return await self._attempt(call, method, lane, workspace, None)

    async def _attempt(self, call: Callable[[], Awaitable[T]], method: str, lane: Lane, workspace: str,
                       channel_gate: Gate | None) -> T:
        tier = self._tier(method, workspace)
        while True:
            if channel_gate is not None:
                await channel_gate.take(lane)
            if tier is not None:
                await tier.take(lane)
            try:
                return await call()
            except SlackApiError as e:
                delay = retry_after(e)
                if delay is None:
                    raise
                self.rate_limited += 1
                log.info("slack rate limit on %s: retrying in %.1fs", method, delay)
                await self._sleep(delay)

    async def post_message(self, client, *, lane: Lane = Lane.BULK, **kwargs):
        """`client.chat_postMessage(**kwargs)`, paced on `kwargs["channel"]`."""
        return await self.send(kwargs["channel"], lambda: client.chat_postMessage(**kwargs), lane=lane)
