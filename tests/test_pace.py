"""The burn-down and pace rules (domain.pace) against hand-computed cases: no deadline, a deadline passed, nothing
left, no answers, one answer, a young project, items imported during the window, and the chart's needed line."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from domain.pace import (
    AHEAD_DAYS, PACE_DAYS, build_pace, current_pace, needed_pace, pace_window, remaining_per_day,
)

UTC = timezone.utc
BERLIN = "Europe/Berlin"
NOW = datetime(2026, 3, 30, 10, 0, tzinfo=UTC)  # Monday, 12:00 in Berlin
TODAY = date(2026, 3, 30)
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


def days(n: int = 14) -> list[date]:
    return [TODAY - timedelta(days=n - 1 - i) for i in range(n)]


def test_needed_pace_is_items_left_over_fractional_days_to_the_deadline():
    assert needed_pace(10, NOW, NOW + timedelta(days=5)) == pytest.approx(2.0)
    assert needed_pace(10, NOW, NOW + timedelta(hours=12)) == pytest.approx(20.0)  # half a day left: twice as fast
    assert needed_pace(1, NOW, NOW + timedelta(days=4)) == pytest.approx(0.25)


def test_no_needed_pace_without_a_deadline_once_it_passed_or_when_nothing_is_left():
    assert needed_pace(10, NOW, None) is None
    assert needed_pace(10, NOW, NOW) is None
    assert needed_pace(10, NOW, NOW - timedelta(days=1)) is None
    assert needed_pace(0, NOW, NOW + timedelta(days=3)) is None


def test_current_pace_counts_items_finished_in_the_last_seven_local_days():
    finished = [datetime(2026, 3, 23, 22, 30, tzinfo=UTC),  # 23 March 23:30 in Berlin: before the window
                datetime(2026, 3, 23, 22, 0, tzinfo=UTC) + timedelta(hours=1),  # 24 March 00:00 in Berlin: inside
                datetime(2026, 3, 27, 12, 0, tzinfo=UTC), NOW - timedelta(minutes=1)]
    assert PACE_DAYS == 7
    assert current_pace(finished, NOW, BERLIN, LONG_AGO) == pytest.approx(3 / 7)
    # in UTC both moments fall on 23 March, before the window: the reader's zone decides the days
    assert current_pace(finished, NOW, "UTC", LONG_AGO) == pytest.approx(2 / 7)


def test_zero_and_one_answer():
    assert current_pace([], NOW, BERLIN, LONG_AGO) == 0
    assert current_pace([NOW], NOW, BERLIN, LONG_AGO) == pytest.approx(1 / 7)


def test_a_young_project_is_measured_since_its_first_day():
    started = datetime(2026, 3, 29, 8, 0, tzinfo=UTC)  # Sunday
    assert pace_window(NOW, BERLIN, started) == (date(2026, 3, 29), 2)
    assert current_pace([NOW, NOW - timedelta(days=1)], NOW, BERLIN, started) == pytest.approx(1.0)
    # created later than the clock (a clock set back in a test): today alone, never zero days
    assert pace_window(NOW, BERLIN, NOW + timedelta(days=3)) == (TODAY, 1)
    assert pace_window(NOW, BERLIN, None) == (TODAY - timedelta(days=6), 7)


def test_remaining_is_worked_back_from_now_with_imports():
    # 4 left now; one item finished on 28 March, one on 30 March; 3 items imported on 29 March
    finished = [datetime(2026, 3, 28, 12, tzinfo=UTC), datetime(2026, 3, 30, 9, tzinfo=UTC)]
    created = [datetime(2026, 3, 29, 12, tzinfo=UTC)] * 3
    got = remaining_per_day(4, finished, created, days(4), BERLIN)
    # end of 27 March: 4 + 2 finished later − 3 imported later = 3; 28 March: 4 + 1 − 3 = 2; 29 March: 5; today: 4
    assert got == [(date(2026, 3, 27), 3), (date(2026, 3, 28), 2), (date(2026, 3, 29), 5), (TODAY, 4)]


def test_no_deadline():
    pace = build_pace(5, finished_at=[], created_at=[], days=days(), now=NOW, tz=BERLIN, deadline=None,
                      started=LONG_AGO)
    assert pace.state == "no_deadline" and pace.needed_per_day is None and pace.needed_line(TODAY) == []
    assert [n for _, n in pace.remaining] == [5] * 14


def test_deadline_passed():
    pace = build_pace(5, finished_at=[NOW], created_at=[], days=days(), now=NOW, tz=BERLIN,
                      deadline=NOW - timedelta(days=2), started=LONG_AGO)
    assert pace.state == "passed" and pace.passed and pace.needed_per_day is None and pace.needed_line(TODAY) == []
    assert pace.current_per_day == pytest.approx(1 / 7)


def test_finished_wins_over_any_deadline():
    pace = build_pace(0, finished_at=[], created_at=[], days=days(), now=NOW, tz=BERLIN,
                      deadline=NOW - timedelta(days=2), started=LONG_AGO)
    assert pace.state == "finished"


def test_on_track_or_behind():
    finished = [NOW - timedelta(days=i) for i in range(7)]  # one a day
    ahead = build_pace(3, finished_at=finished, created_at=[], days=days(), now=NOW, tz="UTC",
                       deadline=NOW + timedelta(days=6), started=LONG_AGO)
    assert ahead.state == "on_track" and ahead.needed_per_day == pytest.approx(0.5)
    behind = build_pace(30, finished_at=finished, created_at=[], days=days(), now=NOW, tz="UTC",
                        deadline=NOW + timedelta(days=6), started=LONG_AGO)
    assert behind.state == "behind" and behind.needed_per_day == pytest.approx(5.0)


def test_needed_line_reaches_zero_on_the_deadline_day_or_is_cut_at_two_weeks():
    near = build_pace(10, finished_at=[], created_at=[], days=days(), now=NOW, tz=BERLIN,
                      deadline=datetime(2026, 4, 4, 23, 59, 59, tzinfo=UTC), started=LONG_AGO)
    # the deadline is 5 April 01:59 in Berlin: the line ends there at zero
    assert near.needed_line(TODAY) == [(TODAY, 10.0), (date(2026, 4, 5), 0.0)]
    far = build_pace(40, finished_at=[], created_at=[], days=days(), now=NOW, tz="UTC",
                     deadline=NOW + timedelta(days=40), started=LONG_AGO)
    line = far.needed_line(TODAY)
    assert line[0] == (TODAY, 40.0) and line[1][0] == TODAY + timedelta(days=AHEAD_DAYS)
    assert line[1][1] == pytest.approx(40 - AHEAD_DAYS)
    today_deadline = build_pace(2, finished_at=[], created_at=[], days=days(), now=NOW, tz="UTC",
                                deadline=NOW + timedelta(hours=3), started=LONG_AGO)
    assert today_deadline.needed_line(TODAY) == [(TODAY, 2.0), (TODAY, 0.0)]
