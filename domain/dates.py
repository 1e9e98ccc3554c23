"""Dates as people type them in `/log` and the hours edit form, and weeks as they type them in `/timesheet`.

Days are read by `domain.date_words` (dateparser and CLDR names, in the person's language and English): `today`,
`ayer`, `anteayer`, weekday names (`friday`, `el viernes pasado`), `4 dic`, ISO `2026-12-04`, `04.12.2026`,
and `5/12` in the locale's day/month order. `/log` looks for the date right after the duration (or the
project) and at the end of the line (`take_date`); a word there that looks like a date but cannot be read is
asked about (`hours.error.date_unclear`, naming it), never filed as a note; two different dates are refused.

`today` is the person's local date (the handler converts from UTC with their time zone), so these
functions never read a clock. Refusals raise `DateInvalid(reason_key, **params)` with the catalog keys
listed in `REASON_KEYS`; `{earliest}` is a `datetime.date`, which the catalog formats per locale.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, Sequence

from domain.date_words import looks_like_date, names_part_of_day, points_ahead, read_day
from domain.typed_words import fold

__all__ = [
    "DateInvalid", "parse_log_date", "check_log_day", "take_date", "week_bounds", "parse_week", "REASON_KEYS",
]

_MAX_TEXT = 40
MAX_DATE_WORDS = 3  # "el viernes pasado", "4 de diciembre"


class DateInvalid(ValueError):
    """The text is not an acceptable date or week; `reason_key` is the catalog key saying why."""

    def __init__(self, reason_key: str, **params: Any) -> None:
        super().__init__(reason_key)
        self.reason_key = reason_key
        self.params = params


_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_ISO_WEEK = re.compile(r"(?:([0-9]{4})-?)?w([0-9]{1,2})")
# Folded as `fold` folds them (no accents, lower case); English, Spanish, Portuguese, French, German.
_THIS_WEEK = {"", "this", "this week", "current", "now", "esta", "esta semana", "actual", "semana actual",
              "atual", "semana atual", "cette", "cette semaine", "semaine actuelle", "diese", "diese woche",
              "aktuelle woche", "aktuell"}
_LAST_WEEK = {"last", "last week", "previous", "prev", "pasada", "la pasada", "semana pasada",
              "la semana pasada", "anterior", "semana anterior", "passada", "semana passada", "a semana passada",
              "derniere", "la semaine derniere", "semaine derniere", "semaine precedente", "letzte", "letzte woche",
              "vorige woche", "vorwoche", "vergangene woche"}


def _iso_date(s: str) -> date | None:
    match = _ISO_DATE.fullmatch(s)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:  # 2026-02-30
        return None


def check_log_day(day: date, today: date, lock_days: int | None = None) -> date:
    """Refuse a future day, and with `lock_days=N` a day before `today − N` (0 = only today; None = no lock)."""
    if lock_days is not None and lock_days < 0:
        raise ValueError("lock_days must be zero or more")
    if day > today:
        raise DateInvalid("hours.error.future_date")
    if lock_days is not None:
        earliest = today - timedelta(days=lock_days) if lock_days < (today - date.min).days else date.min
        if day < earliest:
            raise DateInvalid("hours.error.date_locked", earliest=earliest)
    return day


def parse_log_date(text: str, today: date, *, lock_days: int | None = None, locale: str = "en") -> date:
    """The day a whole text names (the edit form's date field); refuses unreadable text, future and locked days.

    Weekday names mean the most recent such day, today included, whatever day the week starts on.
    """
    if lock_days is not None and lock_days < 0:
        raise ValueError("lock_days must be zero or more")
    if not isinstance(text, str) or len(text) > _MAX_TEXT:
        raise DateInvalid("hours.error.date_format")
    day = read_day(text, today, locale)
    if day is None:
        raise DateInvalid("hours.error.date_format")
    return check_log_day(day, today, lock_days)


def take_date(words: Sequence[str], today: date, *, locale: str = "en", at_start: bool = True) -> tuple[date | None, int]:
    """The day named by the first (or last) one to three `words`, and how many words it took; (None, 0) when
    that edge is no date. An edge word that looks like a date but reads as none raises
    `hours.error.date_unclear` with `{word}`: better one question than hours on a guessed day."""
    pair = words[:2] if at_start else words[-2:]
    if len(pair) == 2 and names_part_of_day(pair[0], pair[1], locale):
        return None, 0  # "… por la mañana": the note's time of day, not tomorrow
    for k in range(min(MAX_DATE_WORDS, len(words)), 0, -1):
        span = list(words[:k] if at_start else words[len(words) - k:])
        if not any(looks_like_date(w, locale) for w in span):
            continue
        if not at_start and points_ahead(words[:len(words) - k]):
            return None, 0  # "prep for friday": the note's subject
        day = read_day(" ".join(span), today, locale)
        if day is not None:
            return day, k
    if words:
        edge = words[0] if at_start else words[-1]
        if looks_like_date(edge, locale):
            raise DateInvalid("hours.error.date_unclear", word=edge[:_MAX_TEXT])
    return None, 0


def week_bounds(day: date, week_start: int = 0) -> tuple[date, date]:
    """First and last day (inclusive) of the week holding `day`; `week_start` 0 = Monday … 6 = Sunday.

    Near date.min / date.max the week is clipped to the representable range instead of overflowing.
    """
    if not 0 <= week_start <= 6:
        raise ValueError("week_start must be 0 (Monday) … 6 (Sunday)")
    back = (day.weekday() - week_start) % 7
    first = day - timedelta(days=back) if back <= (day - date.min).days else date.min
    last = first + timedelta(days=6) if (date.max - first).days >= 6 else date.max
    return first, last


def parse_week(text: str, today: date, week_start: int = 0) -> tuple[date, date]:
    """The week `/timesheet [week]` asks for, as (first day, last day) inclusive.

    Accepted: nothing/`this`/`esta semana` (the week holding `today`), `last`/`semana pasada`, an ISO
    week `2026-W47` or just `W47` (the most recent week 47), or an ISO date inside the week. An ISO
    week means the week, per `week_start`, that holds that ISO week's Monday — the same thing when
    weeks start on Monday. Future weeks are allowed (they are just
    empty). Anything else raises `DateInvalid("hours.error.week_format")`.
    """
    if not isinstance(text, str) or len(text) > _MAX_TEXT:
        raise DateInvalid("hours.error.week_format")
    s = fold(text)
    try:
        if s in _THIS_WEEK:
            return week_bounds(today, week_start)
        if s in _LAST_WEEK:
            return week_bounds(today - timedelta(days=7), week_start)
        if match := _ISO_WEEK.fullmatch(s):
            week = int(match[2])
            if match[1] is not None:
                return week_bounds(date.fromisocalendar(int(match[1]), week, 1), week_start)
            # `w47` alone: the most recent week 47 (this ISO year's, or last year's if still ahead).
            year = today.isocalendar().year
            monday = date.fromisocalendar(year, week, 1)
            if monday > today:
                monday = date.fromisocalendar(year - 1, week, 1)
            return week_bounds(monday, week_start)
    except (ValueError, OverflowError):  # 2026-W54, year 0, or a week before 0001-01-01
        raise DateInvalid("hours.error.week_format") from None
    day = _iso_date(s)
    if day is None:
        raise DateInvalid("hours.error.week_format")
    return week_bounds(day, week_start)


REASON_KEYS = (
    "hours.error.date_format",
    "hours.error.date_unclear",
    "hours.error.two_dates",
    "hours.error.future_date",
    "hours.error.date_locked",
    "hours.error.week_format",
)
