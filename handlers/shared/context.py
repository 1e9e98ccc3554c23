"""What handlers and ticks receive: the core's `Context` and `TickContext` over the application's unit of work
(every repository), so `ctx.uow.tasks` is typed."""
from __future__ import annotations

from bot.core.context import Context as _CoreContext
from bot.core.ticks import TickContext as _CoreTickContext
from storage.uow import UnitOfWork

Context = _CoreContext[UnitOfWork]
TickContext = _CoreTickContext[UnitOfWork]

__all__ = ["Context", "TickContext"]
