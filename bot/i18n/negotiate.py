"""Which catalog a person reads: their own choice, else what their platform says, else the default.

Platforms send IETF tags in their own spelling: Telegram `language_code` ("pt-br", "en", "de-at"), Slack `locale`
("pt-BR", "en-US"), a console's POSIX leftovers ("es_MX.UTF-8"). Babel parses them and picks the closest catalog:
the exact one, else the language's catalog ("fr-CA" → fr), else the one catalog of that language CLDR deems likeliest
("pt", "pt-PT" → pt_BR, because CLDR's likely region for Portuguese is Brazil), else the default.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable

from babel import Locale, UnknownLocaleError
from babel import negotiate_locale as babel_negotiate
from babel.core import LOCALE_ALIASES, get_global

MAX_TAG = 35  # BCP 47 tags worth honouring are far shorter; anything longer is noise or an attack


def _normalize(tag: object) -> str | None:
    """A platform tag as a Babel identifier ("es-mx" → "es_MX"); None for garbage ("", "*", "C", "x@!", 42)."""
    if not isinstance(tag, str):
        return None
    tag = tag.strip().split(".")[0].split("@")[0]  # POSIX leftovers: "es_MX.UTF-8@euro"
    if not tag or len(tag) > MAX_TAG:
        return None
    for sep in ("-", "_"):
        try:
            return str(Locale.parse(tag, sep=sep))
        except (ValueError, TypeError, UnknownLocaleError):
            continue
    # Not in CLDR, but maybe still a well-formed "xx-YY": keep it, a catalog of that name may exist.
    parts = tag.replace("-", "_").split("_")
    if parts[0].isalpha() and 2 <= len(parts[0]) <= 3 and all(p.isalnum() and p.isascii() for p in parts):
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


def _likely_region(language: str) -> str | None:
    """CLDR's likeliest region for a bare language: "pt" → "BR", "fr" → "FR"."""
    likely = get_global("likely_subtags").get(language)
    return likely.split("_")[-1] if likely else None


@lru_cache(maxsize=32)  # asked on every turn, always with the same few catalogs
def _aliases(available: tuple[str, ...]) -> dict[str, str]:
    """A bare language → the catalog that stands for it when there is no catalog of the bare language: the one in
    CLDR's likeliest region, else the first by name. Babel's own aliases ("no" → nb_NO) stay underneath."""
    aliases = {k: v for k, v in LOCALE_ALIASES.items() if k not in {a.split("_")[0].lower() for a in available}}
    bare = {a.lower() for a in available}
    by_language: dict[str, list[str]] = {}
    for code in sorted(available):
        language = code.split("_")[0].lower()
        if language not in bare:
            by_language.setdefault(language, []).append(code)
    for language, codes in by_language.items():
        region = _likely_region(language)
        aliases[language] = next((c for c in codes if region and c.split("_")[-1] == region), codes[0])
    return aliases


def negotiate_locale(preferred: str | None, hint: str | None, available: Iterable[str], default: str) -> str:
    """The best of `available` for a person, spelled as in `available`; `default` when nothing fits."""
    available = [a for a in available if isinstance(a, str) and a]
    spelled = {a.lower(): a for a in available}
    aliases = _aliases(tuple(available))
    for tag in (preferred, hint):
        identifier = _normalize(tag)
        if identifier is None:
            continue
        found = babel_negotiate(_candidates(identifier), available, sep="_", aliases=aliases)
        if found:
            return spelled.get(found.lower(), found)
    return default
