"""The Telegram command menu: `setMyCommands` with the role-neutral commands, once per catalog locale.

Role-neutral: a route anyone may use (no roles) that has a help key; the description is that key translated.
Telegram keys a menu by a two-letter ISO 639-1 code, so a catalog with a region (`pt_BR`) is sent as `pt`; when two
catalogs share a code (pt_BR, pt_PT), the one negotiation gives a bare `pt` speaks for it, as it would for a person.
The base locale (the default) is also set without a `language_code`, so clients in other languages see it.
"""
from __future__ import annotations

import logging
import re

from telegram import Bot, BotCommand

from bot.i18n.negotiate import negotiate_locale

log = logging.getLogger(__name__)

COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
MAX_DESCRIPTION = 256
MAX_COMMANDS = 100


def menu(router, catalogs, locale: str) -> list[BotCommand]:
    """The commands everybody may use, described in `locale`, in registration order."""
    out: list[BotCommand] = []
    for name, route in router.commands.items():
        if route.roles or not route.help_key or not COMMAND_NAME.fullmatch(name):
            continue
        description = " ".join(catalogs.translate(locale, route.help_key).split())
        if description == route.help_key:  # no catalog has it: better no entry than a raw key in the menu
            continue
        if len(description) > MAX_DESCRIPTION:
            description = description[: MAX_DESCRIPTION - 1] + "…"
        if description:
            out.append(BotCommand(name, description))
    return out[:MAX_COMMANDS]


def language_code(locale: str) -> str | None:
    """Telegram takes a two-letter ISO 639-1 code; a locale without one (e.g. `fil`) gets no menu of its own."""
    code = locale.replace("-", "_").split("_")[0].lower()
    return code if re.fullmatch(r"[a-z]{2}", code) else None


async def set_commands(bot: Bot, router, catalogs, default_locale: str) -> dict[str | None, list[BotCommand]]:
    """Set the menu for every catalog locale and the default one; returns what was set per language code."""
    done: dict[str | None, list[BotCommand]] = {}
    locales = catalogs.locales()
    for code in dict.fromkeys(filter(None, map(language_code, locales))):
        commands = menu(router, catalogs, negotiate_locale(None, code, locales, default_locale))
        if commands:
            await bot.set_my_commands(commands, language_code=code)
            done[code] = commands
    fallback = menu(router, catalogs, default_locale)
    if fallback:
        await bot.set_my_commands(fallback)
        done[None] = fallback
    return done
