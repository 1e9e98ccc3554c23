"""The one way text is compared as people mean it: case and accents aside ("Medicína" == "medicina")."""
from __future__ import annotations

import unicodedata


def folded(text: str) -> str:
    """`text` case-folded, with its accents and other combining marks removed (NFKD: full-width forms too)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


# Every dash kind people or phones type for a hyphen: en and em dash, minus, non-breaking and figure dashes…
DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")


def same_dashes(text: str) -> str:
    """`text` with every dash kind written as a hyphen ("10–15" → "10-15")."""
    return text.translate(DASHES)
