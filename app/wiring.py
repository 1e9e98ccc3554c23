"""Wiring: settings + handlers + storage into a runtime. Adapters and the scheduler attach to it."""
from __future__ import annotations

from bot.core.runtime import Runtime
from app.settings import Settings
from storage.blobs import default_media_url, open_blob_store
from storage.db import Database, open_database
from storage.migrate import upgrade
from storage.uow import UnitOfWork


def build_runtime(settings: Settings, db: Database | None = None, **kwargs) -> Runtime[UnitOfWork]:
    """The handlers' router and forms over storage: the database of `settings` (or `db`), the application's
    unit of work for every transaction, and the migrations applied when the runtime starts."""
    import handlers

    db = db or open_database(settings.database_url, settings.database_pool_size)
    from bot.adapters.console import CONSOLE
    from bot.adapters.slack import SLACK
    from bot.adapters.telegram import TELEGRAM

    # Each platform's command form even where its adapter runs in another process (bot.core.runtime.command_form).
    kwargs.setdefault("command_forms", {"console": CONSOLE.command, "slack": SLACK.command, "telegram": TELEGRAM.command})
    if "blobs" not in kwargs:
        kwargs["blobs"] = open_blob_store(settings.media_url or default_media_url(settings.database_url))
    runtime = Runtime(settings, handlers.build(), db, UnitOfWork, prepare=upgrade, **kwargs)
    if settings.metrics:
        from bot.core.metrics import Metrics

        runtime.metrics = Metrics()
        db.observe = runtime.metrics.transaction_seconds.observe
    return runtime
