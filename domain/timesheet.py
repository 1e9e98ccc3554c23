"""Rules for hours that need no chat and no storage: what `/log` arguments mean, the limits, timer policy.

`/log DURATION [PROJECT] [DATE] [note] [DATE]`: the duration may be several words (`2 h 15 m`), so the longest
leading run of words that parses as a duration is taken; then a project name prefix (the longest run of
words that prefixes one of the person's projects' names); then a date, right there or at the end of the line
(`/log 1h calibration 04.12.2026`); the rest is the note. A date right after the duration means no project
was named. Dates are read in the person's locale (`domain.dates.take_date`); a day after "for", "before",
"para"… at the end of the line is the note's subject (`prep for friday`), not the day worked.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Sequence

from domain.dates import DateInvalid, check_log_day, take_date
from domain.durations import DurationInvalid, parse_duration
from domain.project_names import matching_ids

# Days before today − LOCK_DAYS can no longer be logged (a setting the lead may move into app.settings).
LOCK_DAYS = 14
DAY_CAP_MINUTES = 24 * 60
# A running timer nudges after this long without a pause or stop, and is flagged (not billed) past the cap.
TIMER_IDLE_NUDGE_MINUTES = 120
TIMER_DAILY_CAP_MINUTES = 12 * 60
MAX_NOTE = 500
MAX_PROJECT_WORDS = 20  # bounds the prefix search on a huge line

__all__ = ["LOCK_DAYS", "DAY_CAP_MINUTES", "TIMER_IDLE_NUDGE_MINUTES", "TIMER_DAILY_CAP_MINUTES", "LogRequest",
           "LogInvalid", "parse_log_args", "match_projects", "check_day_cap", "timer_minutes"]


class LogInvalid(ValueError):
    def __init__(self, reason_key: str, **params) -> None:
        super().__init__(reason_key)
        self.reason_key = reason_key
        self.params = params


@dataclass
class LogRequest:
    minutes: int
    day: date
    project_words: str = ""  # what named the project ("" = not named)
    project_ids: list[int] = field(default_factory=list)  # candidates; exactly one = chosen
    note: str = ""


def match_projects(words: str, projects: Sequence[tuple[int, str]]) -> list[int]:
    """Ids of the projects `words` names (domain.project_names, without its substring tier: these words are read
    out of a free-text line, and a short note word would be found inside many names)."""
    return matching_ids(words, projects, substring=False)


def parse_log_args(args: str, today: date, projects: Sequence[tuple[int, str]],
                   lock_days: int | None = LOCK_DAYS, locale: str = "en") -> LogRequest:
    """Read `/log` arguments; `projects` are the (id, name) the person may log to. Raises LogInvalid,
    DurationInvalid or DateInvalid with the catalog key saying why."""
    words = (args or "").split()
    if not words:
        raise LogInvalid("hours.log.usage")
    minutes, used, first_error = None, 0, None
    for k in range(min(len(words), 4), 0, -1):
        try:
            minutes, used = parse_duration(" ".join(words[:k])), k
            break
        except DurationInvalid as e:
            if k == 1:
                first_error = e
    if minutes is None:
        raise first_error  # type: ignore[misc]
    rest = words[used:]
    request = LogRequest(minutes=minutes, day=today)
    day, taken = take_date(rest, today, locale=locale)
    rest = rest[taken:]
    if day is None and rest:
        for k in range(min(len(rest), MAX_PROJECT_WORDS), 0, -1):
            found = match_projects(" ".join(rest[:k]), projects)
            if found:
                request.project_words, request.project_ids = " ".join(rest[:k]), found
                rest = rest[k:]
                break
        day, taken = take_date(rest, today, locale=locale)
        rest = rest[taken:]
    if rest:
        last, taken = take_date(rest, today, locale=locale, at_start=False)
        if last is not None and day is not None and last != day:
            raise DateInvalid("hours.error.two_dates", first=day, second=last)
        day, rest = day or last, rest[:len(rest) - taken]
    if day is not None:
        request.day = check_log_day(day, today, lock_days)  # future / locked: refused here
    request.note = " ".join(rest)[:MAX_NOTE]
    if not request.project_ids and len(projects) == 1 and not request.project_words:
        request.project_ids = [projects[0][0]]
    return request


def check_day(day: date, today: date, lock_days: int | None = LOCK_DAYS) -> None:
    """The same date rules for a day chosen by a button (picker) as for a typed one."""
    check_log_day(day, today, lock_days)


def check_day_cap(already: int, adding: int, cap: int = DAY_CAP_MINUTES) -> None:
    if already + adding > cap:
        raise LogInvalid("hours.error.day_cap", left_minutes=max(0, cap - already))


def timer_minutes(seconds: int) -> int:
    """A stopped timer's whole minutes (seconds dropped: never bill time that was not worked)."""
    return max(0, seconds) // 60
