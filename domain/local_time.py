"""Times in a person's own zone: quiet hours (also across midnight) and weekly recurrence across DST changes.

Everything is stored in UTC; these functions convert at the edge. A wall-clock time that does not exist
(spring forward) moves to the first valid minute after the gap; an ambiguous one (fall back) takes the first
occurrence, so a weekly reminder fires once on the changeover day.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo


def zone_or_utc(tz: str | None) -> ZoneInfo:
    """The person's zone; an unknown or missing one counts as UTC rather than failing what they asked for."""
    try:
        return ZoneInfo(tz) if tz else ZoneInfo("UTC")
    except Exception:
        return ZoneInfo("UTC")


def localize(day: date, at: time, tz: str) -> datetime:
    """The UTC instant of a wall-clock time on a day in a zone (gaps move forward, folds take the first)."""
    zone = zone_or_utc(tz)
    naive = datetime.combine(day, at)
    candidate = naive.replace(tzinfo=zone, fold=0)
    # A time in a DST gap does not round-trip: move forward to where the wall clock resumes.
    if candidate.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None) != naive:
        shifted = candidate.astimezone(timezone.utc).astimezone(zone)
        candidate = shifted
    return candidate.astimezone(timezone.utc)


def in_quiet_hours(moment_utc: datetime, tz: str, start: time | None, end: time | None) -> bool:
    if start is None or end is None or start == end:
        return False
    local = moment_utc.astimezone(zone_or_utc(tz)).time()
    if start < end:
        return start <= local < end
    return local >= start or local < end  # the window crosses midnight


def next_allowed(moment_utc: datetime, tz: str, start: time | None, end: time | None) -> datetime:
    """`moment_utc` if it is outside quiet hours, else the end of the quiet window (in UTC)."""
    if not in_quiet_hours(moment_utc, tz, start, end):
        return moment_utc
    local = moment_utc.astimezone(zone_or_utc(tz))
    day = local.date()
    if start > end and local.time() >= start:  # evening part of a window that ends tomorrow morning
        day += timedelta(days=1)
    return localize(day, end, tz)  # type: ignore[arg-type]


def next_weekly(after_utc: datetime, tz: str, weekday: int, at: time) -> datetime:
    """The first occurrence strictly after `after_utc` of weekday (0 = Monday) at `at`, wall-clock in `tz`."""
    local = after_utc.astimezone(zone_or_utc(tz))
    for offset in range(0, 8):
        day = local.date() + timedelta(days=offset)
        if day.weekday() != weekday:
            continue
        candidate = localize(day, at, tz)
        if candidate > after_utc:
            return candidate
    raise AssertionError("a weekday recurs within 8 days")


def next_daily(after_utc: datetime, tz: str, at: time) -> datetime:
    local = after_utc.astimezone(zone_or_utc(tz))
    for offset in range(0, 3):
        candidate = localize(local.date() + timedelta(days=offset), at, tz)
        if candidate > after_utc:
            return candidate
    raise AssertionError("a day recurs within 3 days")
