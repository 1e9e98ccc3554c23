"""Which turn a log line belongs to: the runtime sets the platform and delivery id while a turn runs (each turn is
its own task, so the value never leaks into another), and the application's log format may print them."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

current_turn: ContextVar[tuple[str, str] | None] = ContextVar("panelist_turn", default=None)


@contextmanager
def turn_of(platform: str, delivery_id: str) -> Iterator[None]:
    token = current_turn.set((platform, delivery_id))
    try:
        yield
    finally:
        current_turn.reset(token)
