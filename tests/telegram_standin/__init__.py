"""A strict loopback stand-in of the Telegram Bot API for tests that drive the real python-telegram-bot.

    async with BotApiStandIn() as api:
        bot = telegram.Bot(api.token, base_url=api.base_url, base_file_url=api.file_url)

`bot_api.json` is a copy of the Bot API (version 10.1) in machine-readable form from the
telegram-bot-api-spec project (https://github.com/PaulSonOfLars/telegram-bot-api-spec),
MIT licence, Copyright (c) its contributors. The stand-in checks every call's method and parameters
against it.
"""
from tests.telegram_standin.server import (
    TELEGRAM_RATE_LIMITS,
    BotApiStandIn,
    Call,
    EntityParseError,
    Refusal,
    UploadedFile,
    parse_html,
    utf16_len,
)

__all__ = [
    "TELEGRAM_RATE_LIMITS",
    "BotApiStandIn",
    "Call",
    "EntityParseError",
    "Refusal",
    "UploadedFile",
    "parse_html",
    "utf16_len",
]
