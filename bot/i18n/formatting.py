"""Locale-aware formatting of the values that go into catalog messages (numbers, money, moments, days, durations).

Everything goes through Babel so separators, currency symbols and date order follow CLDR. Money is integer
minor units turned into a Decimal with the currency's own digits: never a float, so 10**15 + 1 cents stays exact.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timezone, tzinfo
from decimal import Decimal
from functools import lru_cache
from typing import Any, Callable
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_time
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal, get_currency_precision
from babel.units import format_unit

from bot.i18n.bidi import isolate
from bot.i18n.text import COMMAND_FORM, Command, Day, Duration, Money, Msg, UserText, When, command_ref

log = logging.getLogger(__name__)

FALLBACK_LOCALE = "en"
_DATE_STYLES = ("short", "medium", "long", "full")


@lru_cache(maxsize=256)
def babel_locale(locale: str | None) -> Locale:
    """Parse `locale` ("es_MX", "es-MX", "es"); anything unparsable formats as English rather than failing."""
    if locale:
        for sep in ("_", "-"):
            try:
                return Locale.parse(str(locale).strip(), sep=sep)
            except (ValueError, TypeError, UnknownLocaleError):
                continue
    return Locale.parse(FALLBACK_LOCALE)


@lru_cache(maxsize=256)
def zone(tz: str | None) -> tzinfo:
    """The IANA zone `tz`; an unknown or empty name shows UTC (storage validates zones, display must not fail)."""
    if tz:
        try:
            return ZoneInfo(tz)
        except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
            log.warning("unknown time zone %r, showing UTC", tz)
    return timezone.utc


def format_number(value: int | float | Decimal, locale: str) -> str:
    if type(value) is int:  # counts and steps, the same few in every reply: Babel takes ~13 µs for each
        return _format_int(value, locale)
    return format_decimal(value, locale=babel_locale(locale))


@lru_cache(maxsize=4096)
def _format_int(value: int, locale: str) -> str:
    return format_decimal(value, locale=babel_locale(locale))


def money_amount(money: Money) -> Decimal:
    """Minor units as an exact Decimal: 123456 USD → 1234.56, 5000 JPY → 5000."""
    return Decimal(money.minor).scaleb(-get_currency_precision(money.currency.upper()))


def format_money(money: Money, locale: str) -> str:
    return format_currency(money_amount(money), money.currency.upper(), locale=babel_locale(locale))


def _aware_utc(at: datetime) -> datetime:
    # Storage keeps UTC; a naive datetime is read as UTC, never as the server's local time.
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at


def format_when(when: When, locale: str, tz: str) -> str:
    """A UTC moment in the person's zone. `medium` drops seconds: nobody needs them in a chat reminder."""
    return _format_moment(_aware_utc(when.at), when.style, locale, tz)


@lru_cache(maxsize=4096)
def _format_moment(at: datetime, style: str, locale: str, tz: str) -> str:
    """Kept per (moment, style, locale, zone): a task's lease end shows in its card on every step (~13–26 µs)."""
    loc, zi = babel_locale(locale), zone(tz)
    local = at.astimezone(zi)
    if style == "date":
        return format_date(local, "medium", locale=loc)
    if style == "time":
        return format_time(local, "short", tzinfo=zi, locale=loc)
    if style == "medium":
        pattern = loc.datetime_formats["medium"]
        pattern = getattr(pattern, "pattern", pattern)  # a DateTimePattern or a plain "{1}, {0}"
        return (
            str(pattern).replace("'", "")
            .replace("{0}", format_time(local, "short", tzinfo=zi, locale=loc))
            .replace("{1}", format_date(local, "medium", locale=loc))
        )
    return format_datetime(local, style if style in _DATE_STYLES else "medium", tzinfo=zi, locale=loc)


def format_day(day: Day, locale: str) -> str:
    return format_date(day.on, day.style if day.style in _DATE_STYLES else "medium", locale=babel_locale(locale))


def format_duration(minutes: int | float, locale: str) -> str:
    """Hours and minutes in CLDR short units: en "1 hr 30 min", es "1 h 30 min". No days: logged work reads as hours."""
    loc = babel_locale(locale)
    total = int(round(minutes))
    sign, total = ("-" if total < 0 else ""), abs(total)
    hours, mins = divmod(total, 60)
    parts = []
    if hours:
        parts.append(format_unit(hours, "duration-hour", length="short", locale=loc))
    if mins or not hours:
        parts.append(format_unit(mins, "duration-minute", length="short", locale=loc))
    if len(parts) == 1:
        return sign + parts[0]
    try:
        joined = format_list(parts, style="unit-narrow", locale=loc)
    except (KeyError, ValueError):  # some CLDR locales lack unit list patterns
        joined = " ".join(parts)
    return sign + joined


def format_value(value: Any, locale: str, tz: str, translate: Callable[[Msg], str],
                 command: str = COMMAND_FORM) -> str:
    """One message parameter as text, chosen by type; a nested `Msg` is translated by `translate`, a `Command`
    written in the platform's `command` form."""
    if isinstance(value, str):
        return value
    if isinstance(value, Command):
        return command_ref(value.name, command)
    if isinstance(value, bool):  # before int: True is an int, but "1" would be wrong
        return str(value)
    if isinstance(value, (int, float, Decimal)):
        return format_number(value, locale)
    if isinstance(value, Msg):
        return translate(value)
    if isinstance(value, UserText):
        return isolate(value.text)
    if isinstance(value, Money):
        return format_money(value, locale)
    if isinstance(value, When):
        return format_when(value, locale, tz)
    if isinstance(value, Day):
        return format_day(value, locale)
    if isinstance(value, Duration):
        return format_duration(value.minutes, locale)
    if isinstance(value, datetime):
        return format_when(When(at=value), locale, tz)
    if isinstance(value, date):
        return format_day(Day(on=value), locale)
    return str(value)
