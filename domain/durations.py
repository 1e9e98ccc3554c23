"""Durations as people type them in `/log`: `1h30m`, `90m`, `1.5h`, `1,5h`, `1:30`, `2 h 15 m`, `45min`.

`parse_duration` returns whole minutes in 1..1440 or raises `DurationInvalid(reason_key)`, where
`reason_key` is a catalog key (one of `REASON_KEYS`) the handler shows as is, with `params`.

Decisions, so nobody has to guess:
- Fractional minutes are refused, not rounded (`1.333h` is 79.98 minutes): an hours log is billed,
  and silently changing what someone typed is worse than asking for `1h20m`. Arithmetic is Decimal,
  so `1.1h` is exactly 66 minutes and `0.1h` exactly 6.
- A bare number (`90`, `1.5`) is refused: hours or minutes? Asking costs one message; guessing wrong
  costs an hour of pay.
- With an hours part, the minutes part must be under 60 (`1h90m` is more likely a typo than 2h30m).
- Decimal comma and point are both accepted; units in English and Spanish, any case.
- One entry is at most 24 h; the per-day cap across entries is the handler's job (it needs storage).
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_MINUTES = 24 * 60
_MAX_TEXT = 64  # longer input is not a duration anyone types; also bounds the regex work

__all__ = ["DurationInvalid", "parse_duration", "format_minutes", "MAX_MINUTES", "REASON_KEYS"]


class DurationInvalid(ValueError):
    """The text is not an acceptable duration; `reason_key` is the catalog key saying why."""

    def __init__(self, reason_key: str, **params: Any) -> None:
        super().__init__(reason_key)
        self.reason_key = reason_key
        self.params = params


_NUM = r"[0-9]+(?:[.,][0-9]+)?"
# English, Spanish, Portuguese, French and German units (longest first: the alternation takes the first match).
_HOURS = r"(?:hours?|hrs?|horas?|heures?|stunden?|std|hs|h)"
_MINUTES = r"(?:minutes?|minuten|minutos?|mins?|m)"
_AND = r"(?:\s*(?:and|y|e|et|und|&)\s*|\s*)"
_CLOCK = re.compile(r"([0-9]+)\s*:\s*([0-9]{2})")
_HOURS_FIRST = re.compile(rf"(?P<h>{_NUM})\s*{_HOURS}(?:{_AND}(?P<m>[0-9]+)\s*(?:{_MINUTES})?)?")
_MINUTES_ONLY = re.compile(rf"(?P<m>{_NUM})\s*{_MINUTES}")


def _decimal(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def _normalise(text: str) -> str:
    # NFKC folds full-width digits and letters (１ｈ) into ASCII; casefold handles any case.
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def parse_duration(text: str) -> int:
    """Whole minutes in 1..1440, or raise `DurationInvalid` with a catalog key."""
    if not isinstance(text, str) or len(text) > _MAX_TEXT:
        raise DurationInvalid("hours.error.duration_format")
    s = _normalise(text)
    if s[:1] in ("-", "\u2212"):
        raise DurationInvalid("hours.error.duration_not_positive")
    try:
        minutes = _minutes(s)
    except InvalidOperation:  # cannot happen for regex-matched digits; kept so nothing else escapes
        raise DurationInvalid("hours.error.duration_format") from None
    if minutes <= 0:
        raise DurationInvalid("hours.error.duration_not_positive")
    if minutes > MAX_MINUTES:
        raise DurationInvalid("hours.error.duration_too_long", count=MAX_MINUTES // 60, max_hours=MAX_MINUTES // 60)
    if minutes != minutes.to_integral_value():
        raise DurationInvalid("hours.error.duration_fraction")
    return int(minutes)


def _minutes(s: str) -> Decimal:
    if match := _CLOCK.fullmatch(s):
        hours, mins = Decimal(match[1]), int(match[2])
        if mins >= 60:
            raise DurationInvalid("hours.error.duration_format")
        return hours * 60 + mins
    if match := _HOURS_FIRST.fullmatch(s):
        hours = _decimal(match["h"])
        if match["m"] is None:
            return hours * 60
        mins = Decimal(match["m"])
        if mins >= 60 or hours != hours.to_integral_value():
            raise DurationInvalid("hours.error.duration_format")  # `1h90m`, `1.5h30m`
        return hours * 60 + mins
    if match := _MINUTES_ONLY.fullmatch(s):
        return _decimal(match["m"])
    raise DurationInvalid("hours.error.duration_format")


def format_minutes(minutes: int) -> str:
    """The canonical short form (`1h30m`, `45m`, `2h`); `parse_duration` reads it back unchanged."""
    hours, mins = divmod(minutes, 60)
    if hours and mins:
        return f"{hours}h{mins:02d}m"
    return f"{hours}h" if hours else f"{mins}m"


REASON_KEYS = (
    "hours.error.duration_format",
    "hours.error.duration_not_positive",
    "hours.error.duration_too_long",
    "hours.error.duration_fraction",
)
