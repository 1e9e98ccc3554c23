"""A project's status and deadline after creation (issue 18, point 10), as rules with no storage and no chat.

`open` gives tasks. `paused` gives none, but a lease already held may finish and its answer counts. `closed` gives
none and takes no answer any more; drafts stay readable. A deadline is a day typed as other dates are
(domain.date_words), meaning the end of that day in the manager's zone, and must lie in the future.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Literal, Sequence
from domain.dates import DateInvalid, take_date
from domain.local_time import localize, zone_or_utc

Status = Literal["open", "paused", "closed"]
Verb = Literal["pause", "resume", "close"]

# verb → (the statuses it applies to, the status it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "pause": (("open",), "paused"),
    "resume": (("paused",), "open"),
    "close": (("open", "paused"), "closed"),
}


ROLL_AFTER_DAYS = 31


class LifecycleRefused(ValueError):
    """The change does not apply; `reason_key` is the catalog key saying why."""

    def __init__(self, reason_key: str) -> None:
        super().__init__(reason_key)
        self.reason_key = reason_key


def transition(status: str, verb: str) -> str:
    """The status `verb` leads to from `status`, or LifecycleRefused naming why not."""
    allowed, target = TRANSITIONS[verb]
    if status in allowed:
        return target
    if status == "closed":
        raise LifecycleRefused("lifecycle.refused.closed")
    raise LifecycleRefused(f"lifecycle.refused.already_{status}")


def gives_tasks(status: str) -> bool:
    return status == "open"


def answer_refusal(status: str, assignment_status: str) -> str | None:
    """Why an answer may not be submitted now (a catalog key), or None. A held lease in a paused project still
    counts; an answer whose lease ran out would take a slot anew, which a pause forbids; a closed project takes
    nothing."""
    if status == "closed":
        return "lifecycle.answer_closed"
    if status == "paused" and assignment_status != "active":
        return "lifecycle.answer_paused"
    return None


def end_of_day(day: date, zone: str) -> datetime:
    """The last second of `day` in `zone`, in UTC: what a deadline typed as a day means."""
    return localize(day, time(23, 59, 59), zone)


def split_deadline(words: Sequence[str], now: datetime, zone: str, locale: str = "en") -> tuple[list[str], datetime]:
    """`PROJECT DATE` split into the project's words and the deadline (UTC) the trailing date names. Raises
    DateInvalid (`lifecycle.deadline.missing`, `hours.error.date_unclear`, `lifecycle.deadline.past`)."""
    today = now.astimezone(zone_or_utc(zone)).date()
    day, used = take_date(list(words), today, locale=locale, at_start=False)
    if day is None or used >= len(words):
        raise DateInvalid("lifecycle.deadline.missing")
    day = _ahead(day, today, words[len(words) - used:])
    deadline = end_of_day(day, zone)
    if deadline <= now:
        raise DateInvalid("lifecycle.deadline.past", day=day)
    return list(words[:len(words) - used]), deadline


def _ahead(day: date, today: date, typed: Sequence[str]) -> date:
    """A date typed without a year is read as the most recent one (as /log wants); a deadline means the next one.
    Only a date well in the past moves a year on: one a few days ago is a slip, refused as past."""
    if day >= today - timedelta(days=ROLL_AFTER_DAYS) or any(re.search(r"[0-9]{4}", w) for w in typed):
        return day
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day


def parse_deadline(text: str, now: datetime, zone: str, locale: str = "en") -> datetime:
    """A whole text as a deadline (the CLI's argument): the same reading and the same refusals."""
    words = ["x", *text.split()]  # a stand-in project word, so the date may take every typed word
    return split_deadline(words, now, zone, locale)[1]
