"""A day as people write it in their language, read with `dateparser` (issue 16, point 4). Pure: `today` and the
locale are passed in, no clock is read.

What is read (`read_day`): the relative words and the month and weekday names of the person's language and of
English (`ayer`, `anteayer`, `yesterday`, `4 dic`, `dec 4`, `hace 2 días`), ISO `2026-12-04`, and numeric dates in
the locale's day/month order, taken from CLDR's short date pattern: `es` (and `en_GB`, `de`…) read `5/12` as 5
December, plain `en` is CLDR's en-US and reads it as May 12. A dotted date (`04.12.2026`, `5.12.`) is always
day.month: no locale writes month.day with dots. A year-less date is the most recent such day.

A weekday (`friday`, `viernes`) is the most recent such day, today included; with `last`/`pasado` (`last
friday`, `el viernes pasado`) it is never today. dateparser reads neither Spanish form, and its own "friday" on a
Friday is not today, so weekdays use CLDR's names (Babel) and this module's rule.

Guarding against the library's guesses: it reads `5.12` as 05:12 today and `12/31` in day-month order as
1931-12-12, so a numeric date is read only when the library's day and month are the numbers written, in the
locale's order. Anything it cannot read, or that raises inside it, is None: never a guess.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Sequence

from babel import Locale, UnknownLocaleError

__all__ = ["date_order", "language_of", "looks_like_date", "names_part_of_day", "points_ahead", "read_day",
           "normalise_word"]

MAX_SPAN_CHARS = 40  # longer text is not a date anyone types; bounds the library's work
_NUMERIC = re.compile(r"([0-9]{1,4})([./-])([0-9]{1,2})(?:\2([0-9]{1,4}))?\.?")
# "the"/"el": articles before a weekday; "last"/"pasado": never today. Small closed sets the library lacks.
_ARTICLES = {"el", "la", "the", "on", "o", "na", "no", "le", "am", "den", "der"}
# After these a day word names a part of the day, not a day: "por la mañana", "esta mañana", "this morning".
_DETERMINERS = {"la", "esta", "una", "cada", "toda", "the", "this", "every", "each", "a"}
# After these a day is what the note is about ("prep for friday", "entrega antes del lunes"), not when the work
# was done: hours are logged for past days, and these words point ahead.
_AHEAD_WORDS = {"for", "before", "until", "till", "by", "due", "para", "antes", "del", "hasta", "ate", "pour",
                "avant", "jusqu'au", "fur", "vor", "bis"}


def points_ahead(before: Sequence[str]) -> bool:
    """Whether a day after the words `before` is a note's subject ("for friday", "para el viernes") rather than
    the day worked; articles between the pointer and the day are passed over."""
    words = [normalise_word(w) for w in before]
    while words and words[-1] in _ARTICLES:
        words.pop()
    return bool(words) and words[-1] in _AHEAD_WORDS


def names_part_of_day(before: str, word: str, locale: str) -> bool:
    """Whether `before word` is a time of day ("la mañana", "esta mañana") rather than a day ("mañana")."""
    return normalise_word(before) in _DETERMINERS and normalise_word(word) in _relative(language_of(locale))
_LAST = {"last", "past", "previous", "pasado", "pasada", "anterior", "passado", "passada", "ultimo", "ultima",
         "dernier", "derniere", "precedent", "precedente", "letzten", "letzte", "letzter", "vorigen", "vorige",
         "vergangenen", "vergangene"}
_AHEAD_DAYS = 92  # a year-less date up to this far ahead is this year's (a future date), not last year's


def normalise_word(word: str) -> str:
    """Case, accents, full-width forms and any script's decimal digits folded (`Miércoles` → `miercoles`,
    `٥/١٢` → `5/12`); a trailing comma or dot after letters dropped (`vie.`)."""
    text = unicodedata.normalize("NFKC", word).casefold()
    text = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    plain = plain.strip().rstrip(",;")
    return plain.rstrip(".") if plain[:1].isalpha() else plain


def language_of(locale: str) -> str:
    return (locale or "en").replace("-", "_").split("_")[0].lower() or "en"


@lru_cache(maxsize=64)
def _locale(locale: str) -> Locale:
    try:
        return Locale.parse((locale or "en").replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return Locale.parse("en")


@lru_cache(maxsize=64)
def date_order(locale: str) -> str:
    """"DMY", "MDY" or "YMD", from the order of d, M and y in the locale's CLDR short date pattern."""
    pattern = _locale(locale).date_formats["short"].pattern
    first = {letter: pattern.find(letter) for letter in "dMy"}
    if any(pos < 0 for pos in first.values()):
        return "DMY"
    return "".join(sorted(first, key=first.get)).upper()


@lru_cache(maxsize=16)
def _names(locale: str) -> tuple[dict[str, int], frozenset[str], frozenset[str]]:
    """Weekday names → Monday=0 … (wide and abbreviated), month names, and relative-day words, for the
    person's language and English, all normalised (CLDR data through Babel)."""
    weekdays: dict[str, int] = {}
    months: set[str] = set()
    words: set[str] = set()
    for loc in dict.fromkeys([_locale(locale), _locale("en")]):
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for index, name in loc.days[context][width].items():  # Babel: 0 = Monday
                    weekdays.setdefault(normalise_word(name), index)
                    if "-" in name:  # Portuguese "sexta-feira" is said and typed "sexta"
                        weekdays.setdefault(normalise_word(name.split("-")[0]), index)
                months.update(normalise_word(m) for m in loc.months[context][width].values())
        for relative in loc._data["date_fields"]["day"]["relative"].values():
            words.add(normalise_word(relative.split()[-1]))  # "pasado mañana": "mañana" marks it, not "pasado"
    return weekdays, frozenset(months) - {""}, frozenset(words) - {""}


@lru_cache(maxsize=16)
def _relative(locale: str) -> dict[str, int]:
    """CLDR's relative days ("anteayer" → -2, "pasado mañana" → 2), the person's language and English."""
    table: dict[str, int] = {}
    for loc in dict.fromkeys([_locale(locale), _locale("en")]):
        for offset, phrase in loc._data["date_fields"]["day"]["relative"].items():
            table.setdefault(" ".join(normalise_word(w) for w in phrase.split()), int(offset))
    return table


def looks_like_date(word: str, locale: str) -> bool:
    """Digits with `/ . -` between them, or a month, weekday or relative-day word of the person's language or
    English: a word that must be read as a date or asked about, never filed as a note."""
    w = normalise_word(word)
    if _NUMERIC.fullmatch(w):
        return True
    weekdays, months, words = _names(language_of(locale))
    return w in weekdays or w in months or w in words


def _languages(locale: str) -> list[str]:
    from dateparser.languages.loader import default_loader  # imported late: its data loads on first use

    known = default_loader.get_locale_map()
    return [lang for lang in dict.fromkeys([language_of(locale), "en"]) if lang in known] or ["en"]


def _parse(text: str, today: date, locale: str, order: str, numeric: bool) -> date | None:
    import dateparser

    settings = {"PREFER_DATES_FROM": "past", "RELATIVE_BASE": datetime(today.year, today.month, today.day),
                "DATE_ORDER": order, "RETURN_AS_TIMEZONE_AWARE": False}
    if numeric:
        settings["REQUIRE_PARTS"] = ["day", "month"]
    try:
        found = dateparser.parse(text, languages=_languages(locale), settings=settings)
    except Exception:  # the library's overflow near year 1 or 9999, or anything else: not readable
        return None
    return found.date() if found is not None else None


def _numeric(match: re.Match, today: date, locale: str) -> date | None:
    first, sep, second, third = match[1], match[2], match[3], match[4]
    if len(first) == 4:  # ISO-like 2026-12-04
        order, parts = "YMD", {"y": first, "m": second, "d": third}
        if third is None:
            return None  # 2026-12 is a month, not a day
    else:
        order = date_order(locale)
        if sep == "." or order == "YMD":
            order = "DMY" if sep == "." or order != "MDY" else order
        d, m = (first, second) if order == "DMY" else (second, first)
        parts = {"d": d, "m": m, "y": third}
    text = "/".join(p for p in (parts["d"], parts["m"], parts["y"]) if p is not None)
    if order == "YMD":
        text = f"{parts['y']}-{parts['m']}-{parts['d']}"
    found = _parse(text, today, locale, "DMY" if order != "YMD" else "YMD", numeric=True)
    if found is None or (found.day, found.month) != (int(parts["d"]), int(parts["m"])):
        return None
    if parts["y"] is not None and len(parts["y"]) == 4 and found.year != int(parts["y"]):
        return None
    if parts["y"] is None:  # "26/11" on 25 November means tomorrow (refused), not a year ago
        try:
            ahead = date(today.year, found.month, found.day)
        except ValueError:  # 29/02 outside a leap year
            ahead = None
        if ahead is not None and today < ahead <= today + timedelta(days=_AHEAD_DAYS):
            return ahead
    return found


def _weekday(words: list[str], today: date, locale: str) -> date | None:
    weekdays = _names(language_of(locale))[0]
    last = any(w in _LAST for w in words)
    named = [w for w in words if w not in _LAST and w not in _ARTICLES]
    if len(words) > 3 or len(named) != 1 or named[0] not in weekdays:
        return None
    back = (today.weekday() - weekdays[named[0]]) % 7
    if last and back == 0:
        back = 7
    try:
        return today - timedelta(days=back)
    except OverflowError:
        return None


def read_day(text: str, today: date, locale: str = "en") -> date | None:
    """The day `text` names, or None when it names none (or names one unclearly). Future days are returned:
    refusing them, with the reason, is the caller's job."""
    if not isinstance(text, str) or len(text) > MAX_SPAN_CHARS:
        return None
    words = [normalise_word(w) for w in text.split()]
    words = [w for w in words if w]
    if not words:
        return None
    if len(words) == 1 and (match := _NUMERIC.fullmatch(words[0])):
        return _numeric(match, today, locale)
    if any(_NUMERIC.fullmatch(w) for w in words):
        return None  # "5/12 6/12", "on 5/12": one numeric date, alone
    weekdays, months, _ = _names(language_of(locale))
    if any(w in weekdays for w in words) and not any(w.isdigit() for w in words):  # "4 mar" is March
        return _weekday(words, today, locale)
    offset = _relative(language_of(locale)).get(" ".join(words))
    if offset is not None:
        try:
            return today + timedelta(days=offset)
        except OverflowError:
            return None
    if words[0] in _ARTICLES or (any(w in months for w in words) and not any(w.isdigit() for w in words)):
        return None  # a month with no day ("may", "march") names no day; the library would take today's
    return _parse(" ".join(words), today, locale, date_order(locale), numeric=False)
