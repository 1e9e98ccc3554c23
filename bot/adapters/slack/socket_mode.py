"""Socket Mode: the same Bolt app fed over Slack's websocket instead of HTTP, plus a quiet-socket watchdog.

`SocketModeRunner(app, app_token)` wraps slack-bolt's `AsyncSocketModeHandler` (aiohttp) and runs it in the
bot's own event loop: `start()` connects (`connect_async`, which asks `apps.connections.open` for a URL with
the app-level `xapp-` token), `stop()` closes (`close_async`). No `start_async()`, no thread, no sleep forever.

The SDK pings the server and reconnects when pongs stop, but a half-open connection can stay quiet in ways
that pass those checks (e.g. a proxy that answers pings but drops frames). The watchdog counts any sign of
life — a text frame (hello, events, Slack's own warnings) or a pong — and when none arrived for
`quiet_seconds` it asks Slack for a new URL and reconnects (`connect_to_new_endpoint(force=True)`). Every
request still goes through the Bolt app, so the inbox and acknowledgement rules are those of HTTP mode.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Callable

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

log = logging.getLogger("panelist.slack.socket")


class SocketModeRunner:
    def __init__(self, app, app_token: str, *, quiet_seconds: float = 30.0, check_every: float | None = None,
                 clock: Callable[[], float] = time.time, ping_interval: float = 10.0, web_client=None) -> None:
        self.handler = AsyncSocketModeHandler(app, app_token, web_client=web_client, ping_interval=ping_interval)
        self.client = self.handler.client
        self.quiet_seconds = quiet_seconds
        self.check_every = check_every if check_every is not None else max(0.05, quiet_seconds / 4)
        self.clock = clock
        self.last_seen = clock()
        self.reconnects = 0
        self._last_pong = self.client.last_ping_pong_time
        self._watchdog: asyncio.Task | None = None
        self.client.on_message_listeners.append(self._on_message)

    async def _on_message(self, message) -> None:
        self.last_seen = self.clock()

    def last_activity(self) -> float:
        """The newest sign of life on our clock: a received frame, or a pong noticed since the last check."""
        pong = self.client.last_ping_pong_time
        if pong is not None and pong != self._last_pong:
            self._last_pong = pong
            self.last_seen = self.clock()
        return self.last_seen

    async def start(self) -> None:
        await self.handler.connect_async()
        self.last_seen = self.clock()
        self._watchdog = asyncio.create_task(self._watch(), name="slack-socket-watchdog")

    async def stop(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            try:
                await self._watchdog
            except asyncio.CancelledError:
                pass
            self._watchdog = None
        await self.handler.close_async()

    async def check(self) -> bool:
        """One watchdog step: reconnect when the socket has been quiet too long. True when it reconnected."""
        quiet = self.clock() - self.last_activity()
        if quiet < self.quiet_seconds:
            return False
        log.warning("slack socket quiet for %.0fs: reconnecting", quiet)
        self.reconnects += 1
        self.last_seen = self.clock()  # give the new connection its own full window
        await self.client.connect_to_new_endpoint(force=True)
        return True

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.check_every)
            try:
                await self.check()
            except asyncio.CancelledError:
                raise
            except Exception:  # keep watching: the next check tries again
                log.exception("slack socket reconnect failed")
