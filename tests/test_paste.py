"""When a typed text is the rest of a long paste the platform split (issue 16, point 3)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.core.paste import JOIN_WINDOW, NEAR_SPLIT, SPLIT_AT, continues, units

T0 = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)


def test_a_full_message_followed_at_once_is_continued():
    assert continues(SPLIT_AT, T0, T0 + timedelta(seconds=1))
    assert continues(SPLIT_AT - NEAR_SPLIT, T0, T0 + JOIN_WINDOW)  # a trailing space lost on the way


def test_a_long_answer_that_did_not_fill_a_message_is_not_continued():
    assert not continues(4050, T0, T0 + timedelta(seconds=1))
    assert not continues(120, T0, T0 + timedelta(milliseconds=300))


def test_too_late_is_a_new_answer():
    assert not continues(SPLIT_AT, T0, T0 + JOIN_WINDOW + timedelta(milliseconds=1))


def test_a_clock_going_backwards_is_not_a_continuation():
    assert not continues(SPLIT_AT, T0, T0 - timedelta(seconds=1))


def test_length_is_counted_as_telegram_counts_it():
    assert units("abc") == 3
    assert units("ñ") == 1
    assert units("🙂") == 2  # outside the BMP: two UTF-16 code units
    assert continues(units("🙂" * 2048), T0, T0 + timedelta(seconds=1))
