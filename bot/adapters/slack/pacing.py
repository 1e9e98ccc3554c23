"""Outbound pacing for Slack: about one message per second per channel, honouring 429 `Retry-After`.

`ChannelPacer.send(channel, call)` runs `call()` (a coroutine factory, e.g. `lambda: client.chat_postMessage(...)`)
when the channel's slot comes. Calls to one channel run one at a time, in the order they were sent; different
channels do not wait for each other. When Slack answers HTTP 429, the pacer waits `Retry-After` seconds (1 when
absent) and retries the very same call — a rate-limited message is never dropped. Any other error is raised to
the caller untouched, after the channel's slot is released.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Awaitable, Callable, TypeVar

from slack_sdk.errors import SlackApiError

T = TypeVar("T")
log = logging.getLogger(__name__)


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
    __slots__ = ("lock", "not_before")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()  # FIFO: keeps a channel's messages in order
        self.not_before = 0.0


class ChannelPacer:
    def __init__(
        self,
        interval: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._channels: dict[str, _Channel] = {}
        self.rate_limited = 0  # 429 answers seen (and waited out)

    def _state(self, channel: str) -> _Channel:
        st = self._channels.get(channel)
        if st is None:
            st = self._channels[channel] = _Channel()
        return st

    async def send(self, channel: str, call: Callable[[], Awaitable[T]]) -> T:
        st = self._state(channel)
        async with st.lock:
            while True:
                wait = st.not_before - self._clock()
                if wait > 0:
                    await self._sleep(wait)
                try:
                    result = await call()
                except SlackApiError as e:
                    delay = retry_after(e)
                    if delay is None:
                        st.not_before = self._clock() + self.interval
                        raise
                    self.rate_limited += 1
                    log.info("slack rate limit on %s: retrying in %.1fs", channel, delay)
                    st.not_before = self._clock() + max(delay, self.interval)
                    continue
                st.not_before = self._clock() + self.interval
                return result

    async def post_message(self, client, **kwargs):
        """`client.chat_postMessage(**kwargs)`, paced on `kwargs["channel"]`."""
        return await self.send(kwargs["channel"], lambda: client.chat_postMessage(**kwargs))
