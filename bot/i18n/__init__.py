"""Translation and formatting for the recipient: catalogs, locale negotiation, Babel formatting, `localize`."""
from bot.i18n.catalog import Catalogs, default_catalogs
from bot.i18n.formatting import (
    format_day,
    format_duration,
    format_money,
    format_number,
    format_value,
    format_when,
)
from bot.i18n.localize import localize
from bot.i18n.negotiate import negotiate_locale

__all__ = [
    "Catalogs",
    "default_catalogs",
    "format_day",
    "format_duration",
    "format_money",
    "format_number",
    "format_value",
    "format_when",
    "localize",
    "negotiate_locale",
]
