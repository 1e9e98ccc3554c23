"""When a recurring reminder fires after its person moves to another time zone.

A weekly reminder means a wall-clock time ("Fridays 16:00") in the person's zone, so its next UTC due time is
recomputed when the zone changes. Two cases are kept as they were rather than moved:
- a reminder already due (waiting for the next tick) fires now: moving it would skip this week's occurrence;
- an occurrence sent less than a day ago is not repeated the same day in the new zone (Berlin 16:00 sent,
  then a move to New York at 18:00 Berlin time must not send it again at 16:00 New York).
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from domain.local_time import next_weekly

__all__ = ["rezoned_due", "weekly_rule"]


def weekly_rule(recurrence: dict | None) -> tuple[int, time] | None:
    """(weekday, wall-clock time) of a weekly recurrence; None for anything else (one-off reminders)."""
    if not recurrence or recurrence.get("weekly") is None:
        return None
    return int(recurrence["weekly"]), time(int(recurrence.get("hour", 9)), int(recurrence.get("minute", 0)))


def rezoned_due(now: datetime, due: datetime, last_sent: datetime | None, tz: str, recurrence: dict | None
                ) -> datetime:
    """The due time of a reminder in zone `tz`; `due` itself when it is already due or not weekly."""
    rule = weekly_rule(recurrence)
    if rule is None or due <= now:
        return due
    after = now if last_sent is None else max(now, last_sent + timedelta(days=1))
    return next_weekly(after, tz, *rule)
