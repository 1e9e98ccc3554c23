"""The seam between the core and a platform.

An adapter parses platform payloads into `Event`s and renders `Delivery`s into SDK calls. It never imports
handlers. The runtime it talks to is `bot.core.runtime.Runtime`:

    accepted = await runtime.accept(event)      # writes the inbox row (deduplicated); ack the platform after this
    await runtime.process(event)                # runs handlers in one transaction, then delivers the outbox
    deliveries = await runtime.handle(event)    # accept + process in one transaction (the inbox row commits with
                                                # the turn: ack only after it returns), returning what was delivered

The runtime calls back `adapter.deliver(delivery, progress)` for every outgoing item on the adapter's platform;
`progress` says how many parts of it earlier attempts delivered (a retry resumes, never restarts).
"""
from __future__ import annotations

from typing import Protocol

from bot.core.capabilities import Capabilities
from bot.core.operations import Delivery


class DeliveryFailed(Exception):
    """The platform refused. `permanent`: it will refuse again (blocked the bot, chat not found, a payload it
    rejects), so the delivery fails at once; else it is retried later, no sooner than `retry_after` seconds
    when the platform said so (429)."""

    def __init__(self, reason: str, permanent: bool = True, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


class DeliveryProgress:
    """What of one delivery is already out, told to the adapter and kept up to date by it.

    A delivery an adapter sends in several calls (text then a photo, a long text in pieces) is a list of
    parts; `done` of them were delivered by earlier attempts, so the adapter starts at part `done`.
    After each part the adapter awaits `record(message_id, last=...)`: `message_id` is the id that identifies
    the delivery so far (what `deliver` would return if it stopped there), `last` whether this was the final
    part. The runtime's subclass writes every part but the last to the outbox row before the next is sent.
    """

    def __init__(self, done: int = 0, message_id: str | None = None) -> None:
        self.done = done
        self.message_id = message_id

    async def record(self, message_id: str | None, *, last: bool) -> None:
        self.done += 1
        if message_id is not None:
            self.message_id = message_id
        if not last:
            await self.save()

    async def save(self) -> None:
        """Make `done` durable (nothing to do when no outbox row backs the delivery)."""


class PlatformAdapter(Protocol):
    platform: str
    capabilities: Capabilities

    async def deliver(self, delivery: Delivery, progress: DeliveryProgress | None = None) -> str | None:
        """Render and send one delivery, starting at part `progress.done`. Returns the platform message id of a
        sent or edited message, if any. Raises `DeliveryFailed` when the platform refuses."""
        ...


class RunnableAdapter(PlatformAdapter, Protocol):
    """What `panelist run` (app/serve.py) expects of a platform adapter beyond `deliver`.

    Constructed as `Adapter(runtime, settings)`; it calls `runtime.register(self)` itself.
    `add_routes(app)` (optional) adds its webhook routes to the one aiohttp application;
    `start()` / `stop()` run inside the bot's own event loop (no `run_polling`, no threads left behind).
    Scheduled work is not the adapter's: the core ticks sweep the outbox and the inbox for every adapter
    (bot/scheduler/ticker.py), and the application registers its ticks on the router (`@router.tick`).
    """

    async def start(self) -> None: ...

    async def stop(self) -> None: ...
