"""Duration parsing for /log: accepted forms, refusals with the right catalog key, and properties."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import default_catalogs
from bot.i18n.text import msg
from domain import durations
from domain.durations import MAX_MINUTES, DurationInvalid, format_minutes, parse_duration


@pytest.mark.parametrize(("text", "minutes"), [
    ("1h30m", 90), ("90m", 90), ("1.5h", 90), ("1,5h", 90), ("1:30", 90), ("2h", 120), ("45min", 45),
    ("2 h 15 m", 135), ("1H30M", 90), ("  2H  ", 120), ("1h30", 90), ("1h 05m", 65), ("0:45", 45),
    ("1 hour 30 minutes", 90), ("2 hours and 15 minutes", 135), ("1 hora y 30 minutos", 90),
    ("3 horas", 180), ("90 minutos", 90), ("2hrs", 120), ("1hr", 60), ("45 mins", 45), ("0.1h", 6),
    ("1.1h", 66), ("1.25h", 75), ("24h", 1440), ("24:00", 1440), ("1440m", 1440), ("1m", 1),
    ("１ｈ３０ｍ", 90), ("10:05", 605), ("2hs", 120), ("1.0m", 1),
])
def test_accepted_forms(text, minutes):
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(("text", "key"), [
    ("", "hours.error.duration_format"),
    ("abc", "hours.error.duration_format"),
    ("90", "hours.error.duration_format"),  # bare number: hours or minutes? refused
    ("1.5", "hours.error.duration_format"),
    ("1:60", "hours.error.duration_format"),
    ("1:5", "hours.error.duration_format"),
    ("1h90m", "hours.error.duration_format"),
    ("1.5h30m", "hours.error.duration_format"),
    ("30m1h", "hours.error.duration_format"),
    ("nanh", "hours.error.duration_format"),
    ("infh", "hours.error.duration_format"),
    ("1e3m", "hours.error.duration_format"),
    ("h", "hours.error.duration_format"),
    ("1 day", "hours.error.duration_format"),
    ("١h", "hours.error.duration_format"),  # Arabic-Indic digit: not accepted as a number here
    ("0h", "hours.error.duration_not_positive"),
    ("0:00", "hours.error.duration_not_positive"),
    ("0m", "hours.error.duration_not_positive"),
    ("-1h", "hours.error.duration_not_positive"),
    ("−30m", "hours.error.duration_not_positive"),
    ("25h", "hours.error.duration_too_long"),
    ("24:01", "hours.error.duration_too_long"),
    ("1441m", "hours.error.duration_too_long"),
    ("99999999999h", "hours.error.duration_too_long"),
    ("9" * 50 + "m", "hours.error.duration_too_long"),
    ("9" * 80 + "h", "hours.error.duration_format"),  # longer than anything a person types
    ("1.333h", "hours.error.duration_fraction"),
    ("0.5m", "hours.error.duration_fraction"),
    ("0.001h", "hours.error.duration_fraction"),
])
def test_refusals_say_why(text, key):
    with pytest.raises(DurationInvalid) as caught:
        parse_duration(text)
    assert caught.value.reason_key == key
    assert key in durations.REASON_KEYS


def test_too_long_carries_the_limit():
    with pytest.raises(DurationInvalid) as caught:
        parse_duration("30h")
    assert caught.value.params == {"count": 24, "max_hours": 24}  # count picks the plural form
    reason = msg(caught.value.reason_key, **caught.value.params)
    catalogs = default_catalogs()
    assert catalogs.render(reason, "en") == "One entry can be at most 24 hours."
    assert catalogs.render(reason, "es") == "Una entrada puede durar como máximo 24 horas."


@pytest.mark.parametrize(("text", "en", "es"), [
    ("abc", "I couldn't read that as a duration. Try 1h30m, 90m, 1.5h or 1:30.",
     "No entendí esa duración. Prueba con 1h30m, 90m, 1,5h o 1:30."),
    ("0h", "The duration must be more than zero.", "La duración debe ser mayor que cero."),
    ("1.333h", "That isn't a whole number of minutes. Write it as hours and minutes, for example 1h20m.",
     "Eso no es un número entero de minutos. Escríbelo en horas y minutos, por ejemplo 1h20m."),
])
def test_refusals_read_from_the_catalog(text, en, es):
    with pytest.raises(DurationInvalid) as caught:
        parse_duration(text)
    reason = msg(caught.value.reason_key, **caught.value.params)
    assert default_catalogs().render(reason, "en") == en
    assert default_catalogs().render(reason, "es") == es


def test_every_reason_key_is_in_every_catalog():
    catalogs = default_catalogs()
    for locale in catalogs.locales():
        for key in durations.REASON_KEYS:
            assert catalogs.has(locale, key), (locale, key)


@given(st.text(max_size=80))
def test_garbage_only_raises_the_documented_error(text):
    try:
        minutes = parse_duration(text)
    except DurationInvalid as exc:
        assert exc.reason_key in durations.REASON_KEYS
    else:
        assert 1 <= minutes <= MAX_MINUTES


duration_alphabet = st.sampled_from(list("0123456789.,:hHmM -") + ["min", "hours", "y", "and"])


@given(st.lists(duration_alphabet, max_size=12).map("".join))
def test_near_miss_inputs_stay_in_range(text):
    try:
        minutes = parse_duration(text)
    except DurationInvalid as exc:
        assert exc.reason_key in durations.REASON_KEYS
    else:
        assert isinstance(minutes, int) and 1 <= minutes <= MAX_MINUTES


@given(st.integers(min_value=1, max_value=MAX_MINUTES))
def test_canonical_forms_round_trip(minutes):
    assert parse_duration(format_minutes(minutes)) == minutes
    assert parse_duration(f"{minutes}m") == minutes
    assert parse_duration(f"{minutes // 60}:{minutes % 60:02d}") == minutes


@given(st.integers(min_value=MAX_MINUTES // 60 + 1, max_value=10**40))
def test_huge_hours_refused(hours):
    with pytest.raises(DurationInvalid) as caught:
        parse_duration(f"{hours}h")
    assert caught.value.reason_key in ("hours.error.duration_too_long", "hours.error.duration_format")


@given(st.decimals(min_value=0, max_value=30, places=3))
def test_decimal_hours_are_exact_or_refused(value):
    try:
        minutes = parse_duration(f"{value}h")
    except DurationInvalid as exc:
        total = value * 60
        if total <= 0:
            assert exc.reason_key == "hours.error.duration_not_positive"
        elif total > MAX_MINUTES:
            assert exc.reason_key == "hours.error.duration_too_long"
        else:
            assert exc.reason_key == "hours.error.duration_fraction"
            assert total != total.to_integral_value()
    else:
        assert minutes == value * 60
