"""Quiet hours and recurrence in a person's zone, across midnight and daylight-saving changes."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from hypothesis import given, settings, strategies as st

from domain.local_time import in_quiet_hours, localize, next_allowed, next_daily, next_weekly

UTC = timezone.utc


def test_quiet_hours_across_midnight():
    tz = "Europe/Berlin"
    start, end = time(22, 0), time(7, 0)
    assert in_quiet_hours(datetime(2026, 7, 1, 21, 30, tzinfo=UTC), tz, start, end)  # 23:30 in Berlin (CEST)
    assert in_quiet_hours(datetime(2026, 7, 1, 4, 59, tzinfo=UTC), tz, start, end)  # 06:59
    assert not in_quiet_hours(datetime(2026, 7, 1, 5, 0, tzinfo=UTC), tz, start, end)  # 07:00
    assert not in_quiet_hours(datetime(2026, 7, 1, 12, 0, tzinfo=UTC), tz, None, None)
    # 23:30 local → allowed again at 07:00 local next morning = 05:00 UTC in summer
    assert next_allowed(datetime(2026, 7, 1, 21, 30, tzinfo=UTC), tz, start, end) == datetime(2026, 7, 2, 5, 0, tzinfo=UTC)
    # 03:00 local → 07:00 the same morning
    assert next_allowed(datetime(2026, 7, 2, 1, 0, tzinfo=UTC), tz, start, end) == datetime(2026, 7, 2, 5, 0, tzinfo=UTC)
    # a daytime window
    assert next_allowed(datetime(2026, 7, 2, 11, 0, tzinfo=UTC), tz, time(12), time(14)) == datetime(2026, 7, 2, 12, 0, tzinfo=UTC)


def test_weekly_recurrence_keeps_wall_clock_across_dst_berlin():
    tz = "Europe/Berlin"
    # Fridays 17:00 local; DST ends on Sunday 2026-10-25
    first = next_weekly(datetime(2026, 10, 19, 0, 0, tzinfo=UTC), tz, 4, time(17))
    assert first == datetime(2026, 10, 23, 15, 0, tzinfo=UTC)  # CEST, UTC+2
    second = next_weekly(first, tz, 4, time(17))
    assert second == datetime(2026, 10, 30, 16, 0, tzinfo=UTC)  # CET, UTC+1: same 17:00 on the wall


def test_new_york_gap_and_fold():
    tz = "America/New_York"
    # 2026-03-08 02:30 does not exist (clocks jump 02:00 → 03:00): moves to 03:30 EDT = 07:30 UTC
    assert localize(datetime(2026, 3, 8).date(), time(2, 30), tz) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    # 2026-11-01 01:30 happens twice: the first (EDT) = 05:30 UTC, so a daily reminder fires once
    assert localize(datetime(2026, 11, 1).date(), time(1, 30), tz) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    after = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert next_daily(after, tz, time(1, 30)) == datetime(2026, 11, 2, 6, 30, tzinfo=UTC)


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 1, 1)),
       st.sampled_from(["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC"]),
       st.integers(0, 6), st.integers(0, 23), st.integers(0, 59))
def test_next_weekly_is_later_within_a_week_on_the_right_day(moment, tz, weekday, hour, minute):
    after = moment.replace(tzinfo=UTC)
    nxt = next_weekly(after, tz, weekday, time(hour, minute))
    assert after < nxt <= after + timedelta(days=7, hours=2)
    from zoneinfo import ZoneInfo

    assert nxt.astimezone(ZoneInfo(tz)).weekday() == weekday
