"""Log dates and timesheet weeks: accepted words in English and Spanish, refusals, and properties."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import default_catalogs
from bot.i18n.text import msg
from domain import dates
from domain.dates import DateInvalid, parse_log_date, parse_week, take_date, week_bounds
from domain.timesheet import parse_log_args

TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize(("locale", "text", "expected"), [
    ("en", "today", TODAY), ("en", "Today", TODAY), ("es", "hoy", TODAY), ("en", "yesterday", date(2026, 11, 24)),
    ("es", "ayer", date(2026, 11, 24)), ("es", "anteayer", date(2026, 11, 23)), ("es", "yesterday", date(2026, 11, 24)),
    ("en", "mon", date(2026, 11, 23)), ("en", "Monday", date(2026, 11, 23)), ("es", "lunes", date(2026, 11, 23)),
    ("es", "lun.", date(2026, 11, 23)), ("en", "wed", TODAY), ("es", "miércoles", TODAY), ("es", "MIERCOLES", TODAY),
    ("es", "mié", TODAY), ("en", "thu", date(2026, 11, 19)), ("es", "jueves", date(2026, 11, 19)),
    ("en", "tue", date(2026, 11, 24)), ("es", "mar", date(2026, 11, 24)), ("en", "fri", date(2026, 11, 20)),
    ("es", "vie", date(2026, 11, 20)), ("en", "sat", date(2026, 11, 21)), ("es", "sábado", date(2026, 11, 21)),
    ("en", "sun", date(2026, 11, 22)), ("es", "domingo", date(2026, 11, 22)),
    ("en", "last wed", date(2026, 11, 18)), ("en", "last friday", date(2026, 11, 20)),
    ("es", "el viernes pasado", date(2026, 11, 20)), ("es", "el miércoles pasado", date(2026, 11, 18)),
    ("es", "el viernes", date(2026, 11, 20)),
    ("en", "2026-11-20", date(2026, 11, 20)), ("es", " 2026-11-25 ", TODAY), ("en", "２０２６-１１-２０", date(2026, 11, 20)),
    # day/month order by locale: es (and en_GB) day first; plain en is CLDR's en-US, month first
    ("es", "20/11", date(2026, 11, 20)), ("en_GB", "20/11", date(2026, 11, 20)), ("en", "11/20", date(2026, 11, 20)),
    ("es", "5/11/2026", date(2026, 11, 5)), ("en", "5/11/2026", date(2026, 5, 11)), ("es", "5/11/26", date(2026, 11, 5)),
    ("en", "20.11.2026", date(2026, 11, 20)), ("es", "20.11.2026", date(2026, 11, 20)), ("de", "20.11.", date(2026, 11, 20)),
    ("es", "٢٠/١١", date(2026, 11, 20)),  # Arabic-Indic digits
    ("es", "20 nov", date(2026, 11, 20)), ("es", "20 de noviembre", date(2026, 11, 20)), ("en", "nov 20", date(2026, 11, 20)),
    ("es", "hace 2 días", date(2026, 11, 23)),
])
def test_accepted_log_dates(locale, text, expected):
    assert parse_log_date(text, TODAY, locale=locale) == expected


@pytest.mark.parametrize(("locale", "text", "key"), [
    ("en", "", "hours.error.date_format"), ("en", "tomorrow", "hours.error.future_date"),
    ("es", "mañana", "hours.error.future_date"), ("es", "pasado mañana", "hours.error.future_date"),
    ("en", "11/20/2026", "hours.error.date_format"),  # no day 20 of month 11… in en, 11 is the month: fine; see below
    ("es", "2026-02-30", "hours.error.date_format"), ("es", "2026-13-01", "hours.error.date_format"),
    ("es", "31/02", "hours.error.date_format"), ("en", "13/20", "hours.error.date_format"),
    ("es", "12/31", "hours.error.date_format"),  # day-month order: there is no month 31
    ("en", "20261120", "hours.error.date_format"), ("en", "2026-W47-1", "hours.error.date_format"),
    ("en", "may", "hours.error.date_format"), ("es", "marzo", "hours.error.date_format"),  # a month names no day
    ("en", "m", "hours.error.date_format"), ("en", "x" * 100, "hours.error.date_format"),
    ("en", "friday monday", "hours.error.date_format"), ("en", "5/12 6/12", "hours.error.date_format"),
    ("es", "2026-11-26", "hours.error.future_date"), ("en", "2099-01-01", "hours.error.future_date"),
    ("es", "26/11", "hours.error.future_date"), ("es", "31/12", "hours.error.future_date"),  # year-less: this year's
])
def test_refused_log_dates(locale, text, key):
    if text == "11/20/2026":
        assert parse_log_date(text, TODAY, locale=locale) == date(2026, 11, 20)
        text, locale = "20/11/2026", "en"  # and the day-first form is no date in en-US
    with pytest.raises(DateInvalid) as caught:
        parse_log_date(text, TODAY, locale=locale)
    assert caught.value.reason_key == key


def test_a_year_less_date_far_ahead_is_last_year_s():
    assert parse_log_date("31/12", date(2027, 1, 2), locale="es") == date(2026, 12, 31)
    assert parse_log_date("12/31", date(2027, 1, 2), locale="en") == date(2026, 12, 31)
    assert parse_log_date("29/02", date(2027, 1, 2), locale="es") == date(2024, 2, 29)


def test_the_examples_of_issue_16():
    today = date(2026, 12, 6)  # a Sunday
    assert parse_log_date("5/12", today, locale="es") == date(2026, 12, 5)
    assert parse_log_date("04.12.2026", today, locale="en") == date(2026, 12, 4)
    assert parse_log_date("04.12.2026", today, locale="es") == date(2026, 12, 4)
    with pytest.raises(DateInvalid) as caught:
        parse_log_date("tomorrow", today)
    assert caught.value.reason_key == "hours.error.future_date"


@pytest.mark.parametrize(("locale", "words", "at_start", "expected"), [
    ("es", ["el", "viernes", "pasado", "revisión"], True, (date(2026, 11, 20), 3)),
    ("en", ["calibration", "20.11.2026"], False, (date(2026, 11, 20), 1)),
    ("en", ["calibration", "run"], False, (None, 0)),
    ("en", ["calibration", "run"], True, (None, 0)),
    ("es", ["revisé", "casos", "del", "20", "nov"], False, (date(2026, 11, 20), 3)),  # "del 20 nov"
    ("en", [], True, (None, 0)),
])
def test_take_date_at_either_edge(locale, words, at_start, expected):
    assert take_date(words, TODAY, locale=locale, at_start=at_start) == expected


@pytest.mark.parametrize(("locale", "words", "at_start", "word"), [
    ("es", ["31/02", "calibración"], True, "31/02"), ("en", ["notes", "on", "march"], False, "march"),
    ("en", ["99.99.9999"], True, "99.99.9999"), ("es", ["٣١/٠٢"], True, "٣١/٠٢"),
])
def test_a_date_like_word_that_reads_as_no_day_is_asked_about(locale, words, at_start, word):
    with pytest.raises(DateInvalid) as caught:
        take_date(words, TODAY, locale=locale, at_start=at_start)
    assert caught.value.reason_key == "hours.error.date_unclear" and caught.value.params == {"word": word}


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
     "I couldn't read that date. Use today, yesterday, a weekday such as friday or last friday, or a date like 12/4 "
     "or 2026-12-04.",
     "No entendí esa fecha. Usa hoy, ayer, un día de la semana como viernes o el viernes pasado, o una fecha como 4/12 "
     "o 2026-12-04."),
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


@given(st.text(max_size=50), days, st.one_of(st.none(), st.integers(0, 10**6)), st.sampled_from(["en", "es", "xx"]))
def test_garbage_only_raises_the_documented_error(text, today, lock_days, locale):
    try:
        day = parse_log_date(text, today, lock_days=lock_days, locale=locale)
    except DateInvalid as exc:
        assert exc.reason_key in dates.REASON_KEYS
    else:
        assert day <= today
        if lock_days is not None:
            assert (today - day).days <= lock_days


WEEKDAYS = {"monday": 0, "tue": 1, "wednesday": 2, "thu": 3, "friday": 4, "sat": 5, "sunday": 6,
            "lunes": 0, "martes": 1, "miércoles": 2, "jue": 3, "viernes": 4, "sábado": 5, "dom": 6}


@given(st.sampled_from(sorted(WEEKDAYS)), days, st.booleans())
def test_weekday_names_mean_the_most_recent_such_day(name, today, last):
    text = (f"el {name} pasado" if name.isascii() is False or name in ("lunes", "martes", "viernes", "jue", "dom")
            else f"last {name}") if last else name
    try:
        day = parse_log_date(text, today, locale="es")
    except DateInvalid as exc:  # only when the day would fall before 0001-01-01
        assert exc.reason_key == "hours.error.date_format" and today < date(1, 1, 15)
    else:
        assert (1 if last else 0) <= (today - day).days <= (7 if last else 6)
        assert day.weekday() == WEEKDAYS[name]


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


@pytest.mark.parametrize("note", ["revisión por la mañana", "esta mañana revisé", "revisé esta mañana",
                                  "toda la mañana", "la mañana del informe"])
def test_a_time_of_day_in_a_spanish_note_is_not_tomorrow(note):
    today = date(2026, 12, 6)
    words = note.split()
    assert take_date(words, today, locale="es", at_start=True) == (None, 0)
    assert take_date(words, today, locale="es", at_start=False) == (None, 0)
    assert take_date(["mañana"], today, locale="es", at_start=False) == (date(2026, 12, 7), 1)  # the day is still read


@pytest.mark.parametrize("locale,line", [("en", "1h prep for friday"), ("en", "2h slides before monday"),
                                         ("es", "1h preparar para el viernes"), ("es", "1h informe antes del lunes"),
                                         ("es", "1h repaso hasta el martes")])
def test_a_day_the_note_points_ahead_to_is_not_the_day_worked(locale, line):
    today = date(2026, 12, 7)  # a Monday
    request = parse_log_args(line, today, [(1, "Legal")], locale=locale)
    assert request.day == today
    assert request.note == " ".join(line.split()[1:])


def test_a_day_at_the_end_of_a_note_without_a_pointer_is_still_the_day_worked():
    today = date(2026, 12, 7)
    assert parse_log_args("1h reviewing friday", today, [(1, "Legal")]).day == date(2026, 12, 4)
    assert parse_log_args("1h revisión el viernes", today, [(1, "Legal")], locale="es").day == date(2026, 12, 4)
