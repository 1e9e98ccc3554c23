"""How each platform has answered lately, for `/readyz`: the last delivery it took and the last time it could not
be reached. A refusal that is about one chat (the person blocked the bot) says nothing about the platform; a
timeout, a 5xx or an unclassified network error does."""
from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass
class PlatformHealth:
    last_ok: float | None = None  # monotonic seconds
    last_trouble: float | None = None
    trouble: str = ""

    def reached(self) -> None:
        self.last_ok = time.monotonic()

    def unreachable(self, reason: str) -> None:
        self.last_trouble, self.trouble = time.monotonic(), reason[:200]

    def troubled(self, within: float) -> str | None:
        """The reason the platform is failing now: trouble within `within` seconds and no success since."""
        now = time.monotonic()
        if self.last_trouble is None or now - self.last_trouble > within:
            return None
        if self.last_ok is not None and self.last_ok > self.last_trouble:
            return None
        return self.trouble
