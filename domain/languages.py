"""Which of the bot's languages a person means: "español", "espanol", "Spanish", "inglés", "es", "es-MX", "alemão".

A language is known by its code, its own name and its name in each of the bot's languages (CLDR, through Babel),
compared without case or accents.
"""
from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError

from domain.timezones import fold


def _parse(code: str) -> Locale | None:
    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


@lru_cache(maxsize=16)
def _names(available: tuple[str, ...]) -> dict[str, str]:
    """Folded name or code → the available locale it names."""
    names: dict[str, str] = {}
    for code in available:
        names.setdefault(fold(code), code)
        own = _parse(code)
        if own is None:
            continue
        names.setdefault(fold(own.language), code)
        for display in available:
            shown = _parse(display)
            if shown is None:
                continue
            for name in (own.get_display_name(shown), own.get_language_name(shown)):
                if name:
                    names.setdefault(fold(name), code)
        if own.english_name:
            names.setdefault(fold(own.english_name), code)
    return names


def match_locale(typed: str, available: list[str] | tuple[str, ...]) -> str | None:
    """The available locale `typed` names (a code, a tag with a region, or a language's name in any of the
    available languages); None when it names none of them."""
    available = tuple(available)
    key = fold(typed or "")
    if not key or len(key) > 60:
        return None
    names = _names(available)
    if key in names:
        return names[key]
    head = key.split(" ")[0]  # "es mx" (from es-MX / es_MX) or "spanish (mexico)"
    if head in names:
        return names[head]
    return None


def language_name(code: str, locale: str) -> str:
    """A language's name as `locale` writes it ("Spanish", "español"); the code itself when CLDR has none."""
    lang = _parse(code)
    shown = _parse(locale)
    if lang is None:
        return code
    name = lang.get_language_name(shown) if shown is not None else lang.english_name
    return name or code


def own_name(code: str) -> str:
    """A language's name in itself, its first letter capitalised, for a button: "Español", "Português (Brasil)".
    Only the first letter: str.capitalize would write "Português (brasil)"."""
    lang = _parse(code)
    name = lang.get_display_name(lang) if lang is not None else None
    return name[:1].upper() + name[1:] if name else code
