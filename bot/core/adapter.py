"""The seam between the core and a platform.

An adapter parses platform payloads into `Event`s and renders `Delivery`s into SDK calls. It never imports
handlers. The runtime it talks to is `bot.core.runtime.Runtime`:

    accepted = await runtime.accept(event)      # writes the inbox row (deduplicated); ack the platform after this
    await runtime.process(event)                # runs handlers in one transaction, then delivers the outbox
    deliveries = await runtime.handle(event)    # accept + process, returning what was delivered (tests, Slack
                                                # view submissions that need FormErrors in the ack)

The runtime calls back `adapter.deliver(delivery)` for every outgoing item on the adapter's platform.
"""
from __future__ import annotations

from typing import Protocol

from bot.core.capabilities import Capabilities
from bot.core.operations import Delivery


class DeliveryFailed(Exception):
    """The platform refused for good (blocked the bot, left the workspace, chat not found)."""

    def __init__(self, reason: str, permanent: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class PlatformAdapter(Protocol):
    platform: str
    capabilities: Capabilities

    async def deliver(self, delivery: Delivery) -> str | None:
        """Render and send one delivery. Returns the platform message id of a sent or edited message, if any."""
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
