"""Log dates and timesheet weeks: accepted words in English and Spanish, refusals, and properties."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import default_catalogs
from bot.i18n.text import msg
from domain import dates
from domain.dates import DateInvalid, parse_log_date, parse_week, week_bounds

TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize(("text", "expected"), [
    ("today", TODAY), ("Today", TODAY), ("hoy", TODAY), ("yesterday", date(2026, 11, 24)),
    ("ayer", date(2026, 11, 24)), ("anteayer", date(2026, 11, 23)),
    ("mon", date(2026, 11, 23)), ("Monday", date(2026, 11, 23)), ("lunes", date(2026, 11, 23)),
    ("lun.", date(2026, 11, 23)), ("wed", TODAY), ("miércoles", TODAY), ("MIERCOLES", TODAY),
    ("mié", TODAY), ("thu", date(2026, 11, 19)), ("jueves", date(2026, 11, 19)),
    ("tue", date(2026, 11, 24)), ("mar", date(2026, 11, 24)), ("fri", date(2026, 11, 20)),
    ("vie", date(2026, 11, 20)), ("sat", date(2026, 11, 21)), ("sábado", date(2026, 11, 21)),
    ("sun", date(2026, 11, 22)), ("domingo", date(2026, 11, 22)),
    ("2026-11-20", date(2026, 11, 20)), (" 2026-11-25 ", TODAY), ("２０２６-１１-２０", date(2026, 11, 20)),
])
def test_accepted_log_dates(text, expected):
    assert parse_log_date(text, TODAY) == expected


@pytest.mark.parametrize(("text", "key"), [
    ("", "hours.error.date_format"), ("tomorrow", "hours.error.date_format"),
    ("20.11.2026", "hours.error.date_format"), ("11/20/2026", "hours.error.date_format"),
    ("2026-02-30", "hours.error.date_format"), ("2026-13-01", "hours.error.date_format"),
    ("20261120", "hours.error.date_format"), ("2026-W47-1", "hours.error.date_format"),
    ("m", "hours.error.date_format"), ("x" * 100, "hours.error.date_format"),
    ("2026-11-26", "hours.error.future_date"), ("2099-01-01", "hours.error.future_date"),
])
def test_refused_log_dates(text, key):
    with pytest.raises(DateInvalid) as caught:
        parse_log_date(text, TODAY)
    assert caught.value.reason_key == key


def test_lock_period():
    assert parse_log_date("2026-11-18", TODAY, lock_days=7) == date(2026, 11, 18)
    with pytest.raises(DateInvalid) as caught:
        parse_log_date("2026-11-17", TODAY, lock_days=7)
    assert caught.value.reason_key == "hours.error.date_locked"
    assert caught.value.params == {"earliest": date(2026, 11, 18)}
    assert parse_log_date("today", TODAY, lock_days=0) == TODAY
    with pytest.raises(DateInvalid):
        parse_log_date("yesterday", TODAY, lock_days=0)
    assert parse_log_date("0001-01-01", TODAY, lock_days=10**9) == date(1, 1, 1)  # huge lock: no overflow
    with pytest.raises(ValueError):
        parse_log_date("today", TODAY, lock_days=-1)


def test_week_bounds():
    assert week_bounds(TODAY) == (date(2026, 11, 23), date(2026, 11, 29))
    assert week_bounds(TODAY, week_start=6) == (date(2026, 11, 22), date(2026, 11, 28))  # Sunday start
    assert week_bounds(date(2026, 11, 22), week_start=6) == (date(2026, 11, 22), date(2026, 11, 28))
    assert week_bounds(date(2026, 11, 23)) == (date(2026, 11, 23), date(2026, 11, 29))
    assert week_bounds(date.min) == (date.min, date(1, 1, 7))
    assert week_bounds(date.max)[1] == date.max
    with pytest.raises(ValueError):
        week_bounds(TODAY, week_start=7)


@pytest.mark.parametrize(("text", "first"), [
    ("", date(2026, 11, 23)), ("this", date(2026, 11, 23)), ("This week", date(2026, 11, 23)),
    ("esta semana", date(2026, 11, 23)), ("last", date(2026, 11, 16)), ("last week", date(2026, 11, 16)),
    ("semana pasada", date(2026, 11, 16)), ("2026-W47", date(2026, 11, 16)), ("2026w47", date(2026, 11, 16)),
    ("W48", date(2026, 11, 23)), ("w50", date(2025, 12, 8)),  # w50 of 2026 is still ahead → 2025's
    ("2026-11-19", date(2026, 11, 16)), ("2020-W53", date(2020, 12, 28)), ("2027-W01", date(2027, 1, 4)),
])
def test_parse_week(text, first):
    assert parse_week(text, TODAY) == (first, first + timedelta(days=6))


def test_parse_week_with_sunday_start():
    assert parse_week("this", TODAY, week_start=6) == (date(2026, 11, 22), date(2026, 11, 28))
    # ISO week 47 starts Monday 16 Nov; with Sunday-start weeks that Monday lies in the week of 15 Nov.
    assert parse_week("2026-W47", TODAY, week_start=6) == (date(2026, 11, 15), date(2026, 11, 21))


@pytest.mark.parametrize("text", ["next", "2026-W54", "2026-W00", "2021-W53", "0000-W01", "week 47", "2026-11"])
def test_refused_weeks(text):
    with pytest.raises(DateInvalid) as caught:
        parse_week(text, TODAY)
    assert caught.value.reason_key == "hours.error.week_format"


def test_every_reason_key_is_in_every_catalog():
    catalogs = default_catalogs()
    for locale in catalogs.locales():
        for key in dates.REASON_KEYS:
            assert catalogs.has(locale, key), (locale, key)


def _reason(exc: DateInvalid, locale: str) -> str:
    return default_catalogs().render(msg(exc.reason_key, **exc.params), locale)


def test_locked_day_names_the_earliest_day_in_the_reader_s_format():
    with pytest.raises(DateInvalid) as caught:
        parse_log_date("2026-11-20", TODAY, lock_days=2)
    assert _reason(caught.value, "en") == "Days before Nov 23, 2026 are locked; hours can no longer be logged for them."
    assert _reason(caught.value, "es") == (
        "Los días anteriores al 23 nov 2026 están cerrados; ya no se pueden registrar horas en ellos.")


@pytest.mark.parametrize(("parse", "text", "en", "es"), [
    (parse_log_date, "someday",
     "I couldn't read that date. Use today, yesterday, a weekday such as mon, or a date like 2026-11-20.",
     "No entendí esa fecha. Usa hoy, ayer, un día de la semana como lun o una fecha como 2026-11-20."),
    (parse_log_date, "2026-11-26", "You can't log hours for a future date.",
     "No puedes registrar horas en una fecha futura."),
    (parse_week, "next", "I couldn't read that week. Use this, last, a week like 2026-W47 or a date in it.",
     "No entendí esa semana. Usa esta, pasada, una semana como 2026-W47 o una fecha de esa semana."),
])
def test_refusals_read_from_the_catalog(parse, text, en, es):
    with pytest.raises(DateInvalid) as caught:
        parse(text, TODAY)
    assert _reason(caught.value, "en") == en
    assert _reason(caught.value, "es") == es


days = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))


@given(st.text(max_size=50), days, st.one_of(st.none(), st.integers(0, 10**6)))
def test_garbage_only_raises_the_documented_error(text, today, lock_days):
    try:
        day = parse_log_date(text, today, lock_days=lock_days)
    except DateInvalid as exc:
        assert exc.reason_key in dates.REASON_KEYS
    else:
        assert day <= today
        if lock_days is not None:
            assert (today - day).days <= lock_days


@given(st.sampled_from(sorted(dates._WEEKDAY_BY_NAME)), days)
def test_weekday_names_mean_the_most_recent_such_day(name, today):
    try:
        day = parse_log_date(name, today)
    except DateInvalid as exc:  # only when the day would fall before 0001-01-01
        assert exc.reason_key == "hours.error.date_format" and today < date(1, 1, 8)
    else:
        assert 0 <= (today - day).days <= 6
        assert day.weekday() == dates._WEEKDAY_BY_NAME[name]


@given(days, st.integers(0, 6))
def test_week_bounds_contain_the_day(day, week_start):
    first, last = week_bounds(day, week_start)
    assert first <= day <= last
    if date(1, 1, 8) <= day <= date(9999, 12, 24):
        assert (last - first).days == 6
        assert first.weekday() == week_start


@given(st.text(max_size=50), days, st.integers(0, 6))
def test_parse_week_garbage(text, today, week_start):
    try:
        first, last = parse_week(text, today, week_start)
    except DateInvalid as exc:
        assert exc.reason_key == "hours.error.week_format"
    else:
        assert first <= last


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_iso_dates_round_trip(day):
    assert parse_log_date(day.isoformat(), day) == day
    assert parse_week(day.isoformat(), day) == week_bounds(day)
