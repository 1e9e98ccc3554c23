"""What each kind of reminder says: a capability module registers the renderer of its kinds with `@renders(kind)`,
and the reminder tick (handlers.reminders) looks it up by the reminder's kind and calls it with the tick's `now`
(the runtime's clock: what is still true for the person is judged at the moment of sending). None: nothing to
say any more, nothing is sent."""
from __future__ import annotations

from datetime import datetime
from typing import Awaitable, Callable

from storage.repos.reminders import ReminderRow
from storage.uow import UnitOfWork

Renderer = Callable[[UnitOfWork, ReminderRow, datetime], Awaitable["list | None"]]
RENDERERS: dict[str, Renderer] = {}


def renders(kind: str):
    def register(fn: Renderer) -> Renderer:
        RENDERERS[kind] = fn
        return fn
    return register
