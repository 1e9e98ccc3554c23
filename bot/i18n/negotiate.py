"""Which catalog a person reads: their own choice, else what their platform says ("es-MX", "pt_BR"), else the default."""
from __future__ import annotations

from typing import Iterable

from babel import Locale, UnknownLocaleError
from babel import negotiate_locale as babel_negotiate


def _normalize(tag: object) -> str | None:
    """A platform tag as a Babel identifier ("es-mx" → "es_MX"); None for garbage ("", "*", "C", "x@!", 42)."""
    if not isinstance(tag, str):
        return None
    tag = tag.strip().split(".")[0].split("@")[0]  # POSIX leftovers: "es_MX.UTF-8@euro"
    if not tag or len(tag) > 35:
        return None
    for sep in ("-", "_"):
        try:
            return str(Locale.parse(tag, sep=sep))
        except (ValueError, TypeError, UnknownLocaleError):
            continue
    # Not in CLDR, but maybe still a well-formed "xx-YY": keep it, a catalog of that name may exist.
    parts = tag.replace("-", "_").split("_")
    if parts[0].isalpha() and 2 <= len(parts[0]) <= 3 and all(p.isalnum() for p in parts):
        return "_".join([parts[0].lower(), *parts[1:]])
    return None


def _candidates(identifier: str) -> list[str]:
    """"zh_Hant_TW" → zh_Hant_TW, zh_TW, zh_Hant, zh (Babel itself only drops everything after the language)."""
    parts = identifier.split("_")
    out = [identifier]
    if len(parts) == 3:
        out += [f"{parts[0]}_{parts[2]}", f"{parts[0]}_{parts[1]}"]
    out.append(parts[0])
    return out


def negotiate_locale(preferred: str | None, hint: str | None, available: Iterable[str], default: str) -> str:
    """The best of `available` for a person, spelled as in `available`; `default` when nothing fits."""
    available = list(available)
    for tag in (preferred, hint):
        identifier = _normalize(tag)
        if identifier is None:
            continue
        found = babel_negotiate(_candidates(identifier), available, sep="_")
        if found:
            return found
    return default
