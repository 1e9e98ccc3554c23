"""Where a weekly reminder moves when its person changes time zone (domain.reminder_times)."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from domain.reminder_times import rezoned_due, weekly_rule

FRIDAY_4PM = {"weekly": 4, "hour": 16, "minute": 0}
WED = datetime(2026, 7, 1, 10, 0, tzinfo=timezone.utc)  # Wednesday
BERLIN_FRI_4PM = datetime(2026, 7, 3, 14, 0, tzinfo=timezone.utc)
NEW_YORK_FRI_4PM = datetime(2026, 7, 3, 20, 0, tzinfo=timezone.utc)


def test_weekly_rule_reads_weekday_and_time_with_defaults():
    assert weekly_rule(FRIDAY_4PM) == (4, time(16, 0))
    assert weekly_rule({"weekly": 0}) == (0, time(9, 0))
    assert weekly_rule(None) is None and weekly_rule({}) is None and weekly_rule({"daily": 1}) is None


def test_a_move_keeps_the_wall_clock_time_in_the_new_zone():
    assert rezoned_due(WED, BERLIN_FRI_4PM, None, "America/New_York", FRIDAY_4PM) == NEW_YORK_FRI_4PM
    assert rezoned_due(WED, NEW_YORK_FRI_4PM, None, "Europe/Berlin", FRIDAY_4PM) == BERLIN_FRI_4PM


def test_a_reminder_already_due_is_not_moved_past_this_week():
    now = BERLIN_FRI_4PM + timedelta(seconds=10)  # due, the tick has not claimed it yet
    assert rezoned_due(now, BERLIN_FRI_4PM, None, "America/New_York", FRIDAY_4PM) == BERLIN_FRI_4PM


def test_an_occurrence_sent_today_is_not_repeated_in_the_new_zone():
    sent = BERLIN_FRI_4PM
    now = sent + timedelta(hours=2)  # 18:00 Berlin, 12:00 New York: 16:00 there is still ahead today
    next_week_ny = NEW_YORK_FRI_4PM + timedelta(days=7)
    assert rezoned_due(now, BERLIN_FRI_4PM + timedelta(days=7), sent, "America/New_York", FRIDAY_4PM) == next_week_ny


def test_one_off_reminders_keep_their_time():
    assert rezoned_due(WED, BERLIN_FRI_4PM, None, "America/New_York", None) == BERLIN_FRI_4PM
