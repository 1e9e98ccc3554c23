"""Money as integer minor units plus an ISO 4217 currency: parsing at the edges, exact arithmetic inside.

Never float: a manager's "12.50" becomes 1250 cents through `Decimal`, and every later sum is an `int`.
Display (locale, symbol) belongs to `bot.i18n`; `format_amount` here is the plain, round-trippable form.
The value type is `bot.i18n.text.Money`, shared with the renderers.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import get_currency_precision, list_currencies

from bot.i18n.text import Money, Msg, msg
from domain.problems import Invalid

__all__ = [
    "MAX_ABS_MINOR",
    "Money",
    "MoneyError",
    "format_amount",
    "minor_digits",
    "money",
    "multiply_minutes",
    "normalize_currency",
    "parse_amount",
    "sum_by_currency",
]

# Far above any real payout, far below where int/Decimal costs matter; refusing it catches typos and attacks.
MAX_ABS_MINOR = 10**15

# ASCII digits only: Decimal would also accept "١٢" or "1e9"; an amount in a spec should be boring.
_AMOUNT = re.compile(r"[+-]?[0-9]{1,20}(?:\.[0-9]{1,20})?")


class MoneyError(Invalid):
    """An amount or currency that cannot be money. `message` is the catalog message for the manager who wrote it;
    the checks that guard the code itself (an int where only an int belongs) pass plain English for developers."""

    def __init__(self, message: Msg | str) -> None:
        super().__init__(message if isinstance(message, Msg) else msg("input.other", detail=message))


@lru_cache(maxsize=1)
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def normalize_currency(currency: object) -> str:
    """An ISO 4217 code known to CLDR, upper-cased; anything else is a `MoneyError`."""
    if not isinstance(currency, str):
        raise MoneyError(msg("money.problem.currency_type"))
    code = currency.strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha() or code not in _known_currencies():
        raise MoneyError(msg("money.problem.currency_unknown", currency=repr(currency)))
    return code


def minor_digits(currency: str) -> int:
    """Digits after the decimal point for a currency (EUR 2, JPY 0, BHD 3), from CLDR via Babel."""
    # Babel answers 2 for codes it does not know, so check membership first.
    return get_currency_precision(normalize_currency(currency))


def parse_amount(amount: str | Decimal | int, currency: str, *, allow_negative: bool = False) -> int:
    """A decimal amount (e.g. "12.50") in `currency` as integer minor units (1250).

    Refuses floats (already inexact), NaN/infinity, exponents, more decimals than the currency has
    ("12.505 EUR" is a typo, not something to round), negatives unless allowed, and sizes over `MAX_ABS_MINOR`.
    """
    digits = minor_digits(currency)
    if isinstance(amount, bool) or isinstance(amount, float):
        raise MoneyError(msg("money.problem.amount_unquoted", amount=repr(amount)))
    if isinstance(amount, int):
        value = Decimal(amount)
    elif isinstance(amount, Decimal):
        if not amount.is_finite():
            raise MoneyError(msg("money.problem.amount_not_finite"))
        value = amount
    elif isinstance(amount, str):
        text = amount.strip()
        if not _AMOUNT.fullmatch(text):
            raise MoneyError(msg("money.problem.amount_not_decimal", amount=repr(amount[:40])))
        value = Decimal(text)
    else:
        raise MoneyError(msg("money.problem.amount_type", type=type(amount).__name__))
    if value < 0 and not allow_negative:
        raise MoneyError(msg("money.problem.amount_negative"))
    if _scale_is_lossy(value, digits):
        raise MoneyError(msg("money.problem.too_many_decimals", count=digits, currency=currency.upper(), digits=str(digits),
                             amount=str(value)))
    try:
        minor = int((value * (10**digits)).to_integral_exact())
    except InvalidOperation:  # pragma: no cover - guarded by the regex and the checks above
        raise MoneyError(msg("money.problem.amount_invalid", amount=str(value))) from None
    if abs(minor) > MAX_ABS_MINOR:
        raise MoneyError(msg("money.problem.amount_too_large"))
    return minor


def _scale_is_lossy(value: Decimal, digits: int) -> bool:
    # "12.50" for JPY has a zero in the cents place: harmless; "12.5" for JPY is not.
    return value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN) != value


def format_amount(minor: int, currency: str) -> str:
    """Minor units back to the plain decimal string that `parse_amount` reads ("1250", "EUR" → "12.50")."""
    digits = minor_digits(currency)
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise MoneyError("minor units must be an int")
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10**digits)
    return f"{sign}{whole}.{frac:0{digits}d}" if digits else f"{sign}{whole}"


def money(amount: str | Decimal | int, currency: str, *, allow_negative: bool = False) -> Money:
    """Parse straight into the shared `Money` value."""
    code = normalize_currency(currency)
    return Money(minor=parse_amount(amount, code, allow_negative=allow_negative), currency=code)


def multiply_minutes(rate_minor_per_hour: int, minutes: int) -> int:
    """Pay for `minutes` at an hourly rate, in minor units.

    Rounded ROUND_HALF_EVEN ("banker's rounding") on the exact rational rate*minutes/60, so a long series of
    timesheet lines does not drift upward the way half-up would; 25 minutes at 1.00/h is 41.67 → 42 cents.
    """
    for name, value in (("rate", rate_minor_per_hour), ("minutes", minutes)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise MoneyError(f"{name} must be an int")
        if value < 0:
            raise MoneyError(f"{name} must not be negative")
    if rate_minor_per_hour > MAX_ABS_MINOR:
        raise MoneyError("rate is implausibly large")
    quotient, remainder = divmod(rate_minor_per_hour * minutes, 60)
    # Exact integer half-even: compare twice the remainder with the divisor.
    if remainder * 2 > 60 or (remainder * 2 == 60 and quotient % 2 == 1):
        quotient += 1
    return quotient


def sum_by_currency(amounts: Iterable[tuple[int, str] | Money]) -> dict[str, int]:
    """Totals per currency; amounts in different currencies are never added together."""
    totals: dict[str, int] = {}
    for entry in amounts:
        minor, currency = (entry.minor, entry.currency) if isinstance(entry, Money) else entry
        if isinstance(minor, bool) or not isinstance(minor, int):
            raise MoneyError("minor units must be an int")
        code = normalize_currency(currency)
        totals[code] = totals.get(code, 0) + minor
    return totals
