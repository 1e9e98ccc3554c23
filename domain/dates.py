"""Dates as people type them in `/log` and weeks as they type them in `/timesheet`.

`parse_log_date("mon", today)` → the most recent Monday (today if today is Monday). Accepted:
`today`/`hoy`, `yesterday`/`ayer`, `anteayer`, weekday names and abbreviations in English and Spanish
(accents and a trailing dot optional: `miércoles`, `mie`, `sáb.`), and ISO `2026-11-20`. Other
numeric forms (`20.11.2026`, `11/20`) are refused on purpose: day-month order differs by country
and a wrong guess silently books hours on the wrong day.

`today` is the person's local date (the handler converts from UTC with their time zone), so these
functions never read a clock. Refusals raise `DateInvalid(reason_key, **params)` with the catalog keys
listed in `REASON_KEYS`; `{earliest}` is a `datetime.date`, which the catalog formats per locale.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from typing import Any

__all__ = [
    "DateInvalid", "parse_log_date", "week_bounds", "parse_week", "REASON_KEYS",
]

_MAX_TEXT = 40


class DateInvalid(ValueError):
    """The text is not an acceptable date or week; `reason_key` is the catalog key saying why."""

    def __init__(self, reason_key: str, **params: Any) -> None:
        super().__init__(reason_key)
        self.reason_key = reason_key
        self.params = params


_WEEKDAYS = {  # Monday = 0, as date.weekday(). No one- or two-letter forms: too easily a word in a note.
    0: ("monday", "mon", "lunes", "lun"),
    1: ("tuesday", "tue", "tues", "martes", "mar"),
    2: ("wednesday", "wed", "miercoles", "mie"),
    3: ("thursday", "thu", "thur", "thurs", "jueves", "jue"),
    4: ("friday", "fri", "viernes", "vie"),
    5: ("saturday", "sat", "sabado", "sab"),
    6: ("sunday", "sun", "domingo", "dom"),
}
_WEEKDAY_BY_NAME = {name: day for day, names in _WEEKDAYS.items() for name in names}
_DAYS_AGO = {"today": 0, "hoy": 0, "yesterday": 1, "ayer": 1, "anteayer": 2}
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_ISO_WEEK = re.compile(r"(?:([0-9]{4})-?)?w([0-9]{1,2})")
_THIS_WEEK = {"", "this", "this week", "current", "now", "esta", "esta semana", "actual", "semana actual"}
_LAST_WEEK = {"last", "last week", "previous", "prev", "pasada", "la pasada", "semana pasada",
              "la semana pasada", "anterior", "semana anterior"}


def _normalise(text: str) -> str:
    # Fold case, accents (miércoles → miercoles) and full-width forms; drop a trailing dot (`lun.`).
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split()).rstrip(".")


def _iso_date(s: str) -> date | None:
    match = _ISO_DATE.fullmatch(s)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:  # 2026-02-30
        return None


def _resolve(s: str, today: date) -> date | None:
    try:
        if s in _DAYS_AGO:
            return today - timedelta(days=_DAYS_AGO[s])
        if s in _WEEKDAY_BY_NAME:
            return today - timedelta(days=(today.weekday() - _WEEKDAY_BY_NAME[s]) % 7)
    except OverflowError:  # before 0001-01-01: only reachable with a nonsense `today`
        return None
    return _iso_date(s)


def parse_log_date(text: str, today: date, *, lock_days: int | None = None) -> date:
    """The day hours are logged for; refuses unreadable text, future days and locked days.

    Weekday names mean the most recent such day, today included, whatever day the week starts on
    (so no `week_start` is needed here). `lock_days=N` makes the earliest loggable day `today − N`
    (0 = only today; None = no lock); older days raise `hours.error.date_locked` with `earliest`.
    """
    if lock_days is not None and lock_days < 0:
        raise ValueError("lock_days must be zero or more")
    if not isinstance(text, str) or len(text) > _MAX_TEXT:
        raise DateInvalid("hours.error.date_format")
    day = _resolve(_normalise(text), today)
    if day is None:
        raise DateInvalid("hours.error.date_format")
    if day > today:
        raise DateInvalid("hours.error.future_date")
    if lock_days is not None:
        earliest = today - timedelta(days=lock_days) if lock_days < (today - date.min).days else date.min
        if day < earliest:
            raise DateInvalid("hours.error.date_locked", earliest=earliest)
    return day


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
    s = _normalise(text)
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
    "hours.error.future_date",
    "hours.error.date_locked",
    "hours.error.week_format",
)
