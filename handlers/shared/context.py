"""The context handlers receive: the core's `Context` over the application's unit of work (every repository)."""
from __future__ import annotations

from bot.core.context import Context as _CoreContext
from storage.uow import UnitOfWork

Context = _CoreContext[UnitOfWork]

__all__ = ["Context"]
