"""Wiring: settings + handlers + storage into a runtime. Adapters and the scheduler attach to it."""
from __future__ import annotations

import logging

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
    return Runtime(settings, handlers.build(), db, UnitOfWork, prepare=upgrade, **kwargs)


class _SecretFilter(logging.Filter):
    """Belt and braces: scrub bot tokens from any log record (httpx logs request URLs with the token in them)."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            redacted = message
            for secret in self.secrets:
                redacted = redacted.replace(secret, "***")
            if redacted != message:
                record.msg, record.args = redacted, ()
        return True


CHATTY = ("apscheduler", "aiohttp.access")  # a line per tick run and per request: DEBUG only


def configure_logging(settings: Settings, level: int | None = None) -> None:
    level = level if level is not None else logging.getLevelName(settings.log_level)
    secrets = [s.get_secret_value() for s in (
        settings.telegram_token, settings.telegram_webhook_secret, settings.slack_bot_token,
        settings.slack_signing_secret, settings.slack_app_token, settings.secret_key) if s is not None]
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_SecretFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and Telegram URLs carry the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.NOTSET if level <= logging.DEBUG else logging.WARNING)
