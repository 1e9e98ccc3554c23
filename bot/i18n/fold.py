"""The one way text is compared as people mean it: case and accents aside ("Medicína" == "medicina")."""
from __future__ import annotations

import unicodedata


def folded(text: str) -> str:
    """`text` case-folded, with its accents and other combining marks removed (NFKD: full-width forms too)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))
