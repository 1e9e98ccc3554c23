"""A console-platform adapter that keeps what it was asked to deliver: for tests below the flows."""
from __future__ import annotations

from bot.adapters.console import CONSOLE
from bot.core.operations import Delivery


class RecordingAdapter:
    platform = "console"
    capabilities = CONSOLE

    def __init__(self) -> None:
        self.sent: list[Delivery] = []

    async def deliver(self, delivery: Delivery, progress=None) -> str:
        self.sent.append(delivery)
        return str(len(self.sent))
