"""What the `panelist` command prints: catalog messages (`cli.*`) in the configured default locale.

The shell has no person to ask, so it speaks `PANELIST_DEFAULT_LOCALE` (English when settings could not be read).
Counts and sizes are passed as text, so a script that reads the output sees `1500`, not `1,500`.
"""
from __future__ import annotations

import sys
from typing import Any

from bot.i18n.catalog import BASE_LOCALE, Catalogs, default_catalogs
from bot.i18n.text import Msg, msg

__all__ = ["CliText"]


class CliText:
    """Render catalog messages for the shell and print them (`out` to stdout, `err` to stderr)."""

    def __init__(self, locale: str = BASE_LOCALE, tz: str = "UTC", catalogs: Catalogs | None = None) -> None:
        self.locale, self.tz = locale, tz
        self.catalogs = catalogs if catalogs is not None else default_catalogs()

    @classmethod
    def of(cls, settings: Any) -> "CliText":
        return cls(settings.default_locale, settings.timezone)

    def __call__(self, message: Msg) -> str:
        return self.catalogs.render(message, self.locale, self.tz)

    def text(self, key: str, count: int | None = None, **params: Any) -> str:
        return self(msg(key, count, **params))

    def out(self, key: str, count: int | None = None, **params: Any) -> None:
        print(self.text(key, count, **params))

    def err(self, key: str, count: int | None = None, **params: Any) -> None:
        print(self.text(key, count, **params), file=sys.stderr)
