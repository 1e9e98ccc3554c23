"""What handlers and ticks receive: the core's `Context` and `TickContext` over the application's unit of work
(every repository), so `ctx.uow.tasks` is typed."""
from __future__ import annotations

from bot.core.context import Context as _CoreContext
from bot.core.ticks import TickContext as _CoreTickContext
from bot.blobs import BlobMissing, BlobRef
from storage.uow import UnitOfWork

Context = _CoreContext[UnitOfWork]
TickContext = _CoreTickContext[UnitOfWork]


async def uploaded_bytes(ctx: Context, blob: BlobRef | None) -> bytes | None:
    """The bytes of a file someone sent (from the blob store); None when it was too big to keep or is gone."""
    if blob is None or ctx.runtime.blobs is None:
        return None
    try:
        return await ctx.runtime.blobs.read(blob)
    except BlobMissing:
        return None


__all__ = ["Context", "TickContext", "uploaded_bytes"]
