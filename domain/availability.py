"""Who is away: away experts get no pings and no task announcements (only an "are you back?" when the time is up)."""
from __future__ import annotations

from datetime import datetime


def is_away(a, now: datetime) -> bool:
    return a.status == "away" and (a.away_until is None or a.away_until > now)
