from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n.text import Money
from domain.money import (
    MAX_ABS_MINOR,
    MoneyError,
    format_amount,
    minor_digits,
    money,
    multiply_minutes,
    normalize_currency,
    parse_amount,
    sum_by_currency,
)

CURRENCIES = ["EUR", "USD", "GBP", "JPY", "BHD", "KWD", "CLP", "MXN", "INR"]


@pytest.mark.parametrize(("currency", "digits"), [("EUR", 2), ("usd", 2), ("JPY", 0), ("BHD", 3), ("CLP", 0)])
def test_minor_digits_come_from_cldr(currency, digits):
    assert minor_digits(currency) == digits


@pytest.mark.parametrize("currency", ["XYZ", "EURO", "", "€", "eu", None, 978])
def test_unknown_currency_is_an_error(currency):
    with pytest.raises(MoneyError):
        minor_digits(currency)


def test_normalize_currency_upper_cases_and_strips():
    assert normalize_currency(" eur ") == "EUR"


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("12.50", "EUR", 1250),
        ("12.5", "EUR", 1250),
        ("12", "EUR", 1200),
        ("0.01", "USD", 1),
        ("12.500", "EUR", 1250),  # a trailing zero loses nothing
        ("1500", "JPY", 1500),
        ("1500.0", "JPY", 1500),
        ("1.234", "BHD", 1234),
        ("+3.00", "EUR", 300),
        (" 7.25 ", "GBP", 725),
        (Decimal("2.10"), "EUR", 210),
        (3, "EUR", 300),
        ("0", "EUR", 0),
    ],
)
def test_parse_amount(text, currency, minor):
    assert parse_amount(text, currency) == minor


@pytest.mark.parametrize(
    "amount",
    [
        12.5,  # float: already inexact
        True,
        "12.505",  # more decimals than EUR has
        "NaN", "Infinity", "-inf", "1e3", "1E-2", "0x10", "1,000.00", "1_000", "", " ", ".5", "5.", "12.50 EUR",
        "١٢",  # non-ASCII digits
        "-1.00",
        Decimal("NaN"),
        Decimal("Infinity"),
        None,
        [1],
        "9" * 30,  # absurd length
        "10000000000000.01",  # over MAX_ABS_MINOR
    ],
)
def test_parse_amount_refuses(amount):
    with pytest.raises(MoneyError):
        parse_amount(amount, "EUR")


def test_too_many_decimals_depends_on_currency():
    assert parse_amount("0.125", "BHD") == 125
    with pytest.raises(MoneyError, match="decimal place"):
        parse_amount("0.125", "EUR")
    with pytest.raises(MoneyError):
        parse_amount("12.5", "JPY")


def test_negative_only_when_allowed():
    assert parse_amount("-2.50", "EUR", allow_negative=True) == -250
    with pytest.raises(MoneyError, match="negative"):
        parse_amount("-2.50", "EUR")


def test_upper_bound():
    assert parse_amount(format_amount(MAX_ABS_MINOR, "EUR"), "EUR") == MAX_ABS_MINOR
    with pytest.raises(MoneyError, match="large"):
        parse_amount(format_amount(MAX_ABS_MINOR + 1, "EUR"), "EUR")


def test_money_reuses_the_shared_display_model():
    value = money("4.50", "eur")
    assert isinstance(value, Money)
    assert value == Money(minor=450, currency="EUR")


def test_format_amount():
    assert format_amount(1250, "EUR") == "12.50"
    assert format_amount(5, "EUR") == "0.05"
    assert format_amount(-5, "EUR") == "-0.05"
    assert format_amount(1500, "JPY") == "1500"
    assert format_amount(1, "BHD") == "0.001"
    with pytest.raises(MoneyError):
        format_amount(1.5, "EUR")


@given(
    minor=st.integers(min_value=-MAX_ABS_MINOR, max_value=MAX_ABS_MINOR),
    currency=st.sampled_from(CURRENCIES),
)
def test_format_then_parse_round_trips(minor, currency):
    assert parse_amount(format_amount(minor, currency), currency, allow_negative=True) == minor


@given(
    whole=st.integers(min_value=0, max_value=10**9),
    frac=st.integers(min_value=0, max_value=99),
)
def test_parse_then_format_round_trips_two_digit_currencies(whole, frac):
    text = f"{whole}.{frac:02d}"
    assert format_amount(parse_amount(text, "EUR"), "EUR") == text


@pytest.mark.parametrize(
    ("rate", "minutes", "expected"),
    [
        (6000, 60, 6000),
        (6000, 30, 3000),
        (100, 25, 42),  # 41.67 → 42
        (6, 5, 0),  # 0.5 → 0 (half to even)
        (18, 5, 2),  # 1.5 → 2 (half to even)
        (30, 5, 2),  # 2.5 → 2 (half to even, not up)
        (42, 5, 4),  # 3.5 → 4
        (0, 600, 0),
        (4000, 0, 0),
    ],
)
def test_multiply_minutes_rounds_half_even(rate, minutes, expected):
    assert multiply_minutes(rate, minutes) == expected


@pytest.mark.parametrize(("rate", "minutes"), [(-1, 10), (10, -1), (1.5, 10), (10, 1.5), (True, 10), (10**16, 1)])
def test_multiply_minutes_refuses(rate, minutes):
    with pytest.raises(MoneyError):
        multiply_minutes(rate, minutes)


@given(rate=st.integers(min_value=0, max_value=10**9), minutes=st.integers(min_value=0, max_value=10**6))
def test_multiply_minutes_is_within_half_a_unit(rate, minutes):
    result = multiply_minutes(rate, minutes)
    exact = Decimal(rate) * minutes / 60
    assert abs(Decimal(result) - exact) <= Decimal("0.5")


def test_sum_by_currency_keeps_currencies_apart():
    totals = sum_by_currency([(100, "EUR"), (250, "usd"), (5, "EUR"), Money(minor=1, currency="USD")])
    assert totals == {"EUR": 105, "USD": 251}


def test_sum_by_currency_refuses_bad_entries():
    with pytest.raises(MoneyError):
        sum_by_currency([(1.5, "EUR")])
    with pytest.raises(MoneyError):
        sum_by_currency([(1, "XYZ")])


@given(st.lists(st.tuples(st.integers(min_value=-10**12, max_value=10**12), st.sampled_from(CURRENCIES))))
def test_sum_by_currency_never_mixes(entries):
    totals = sum_by_currency(entries)
    assert set(totals) == {c for _, c in entries}
    for currency, total in totals.items():
        assert total == sum(m for m, c in entries if c == currency)
