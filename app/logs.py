"""The operator's log: a level and a format (`PANELIST_LOG_LEVEL`, `PANELIST_LOG_FORMAT=text|json`), the turn each
line belongs to, and no secret in any line — message, arguments or traceback (a rejected Telegram token is quoted
inside PTB's `InvalidToken`)."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

from app.settings import Settings
from bot.core.log_context import current_turn

CHATTY = ("apscheduler", "aiohttp.access")  # a line per tick run and per request: DEBUG only
MASK = "***"


def _secrets(settings: Settings) -> list[str]:
    values = [s.get_secret_value() for s in (
        settings.telegram_token, settings.telegram_webhook_secret, settings.slack_bot_token,
        settings.slack_signing_secret, settings.slack_app_token, settings.secret_key) if s is not None]
    # A token's halves can appear alone (Telegram's "123:ABC" is quoted as the bot id and the secret part).
    values += [part for v in list(values) if ":" in v for part in v.split(":")[1:]]
    return sorted({v for v in values if len(v) >= 6}, key=len, reverse=True)


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class TextFormat(logging.Formatter):
    """`time LEVEL logger: message [platform delivery]`, redacted as a whole (traceback included)."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        turn = current_turn.get()
        if turn is not None:
            first, newline, rest = line.partition("\n")
            line = f"{first} [{turn[0]} {turn[1]}]{newline}{rest}"
        return redact(line, self.secrets)


class JsonFormat(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, the turn's platform and delivery id, and the
    exception as text; every field redacted."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
        }
        turn = current_turn.get()
        if turn is not None:
            entry["platform"], entry["delivery_id"] = turn
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, ensure_ascii=False), self.secrets)


def configure_logging(settings: Settings, level: int | None = None) -> None:
    level = level if level is not None else logging.getLevelName(settings.log_level)
    secrets = _secrets(settings)
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormat(secrets) if settings.log_format == "json" else TextFormat(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and Telegram URLs carry the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.NOTSET if level <= logging.DEBUG else logging.WARNING)
