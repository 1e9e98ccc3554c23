"""IANA time zones: validation, the short list offered as suggestions, and what people type for a zone.

People type a city ("Madrid", "ciudad de méxico", "new york", "Sao Paulo") or a country ("España") more often than
an IANA name. `match_timezone` finds the zones such text names: the tz database's own city names (the last part of
a zone name, underscores read as spaces), the exemplar cities CLDR gives in each language ("Ciudad de México",
"Nueva York"), and country names (a country with several zones gives several). Matching ignores case, accents and
punctuation. More than one zone means the person should be asked which.
"""
from __future__ import annotations

import re
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import get_timezone_location
from bot.i18n.fold import folded

COMMON = (
    "UTC", "Europe/London", "Europe/Berlin", "Europe/Madrid", "America/New_York", "America/Chicago",
    "America/Los_Angeles", "America/Mexico_City", "America/Sao_Paulo", "Asia/Kolkata", "Asia/Tokyo",
    "Australia/Sydney",
)
# Languages whose city and country names are always understood, whatever the person speaks (the catalogs').
NAME_LOCALES = ("en", "es")
MAX_CANDIDATES = 8
# Names people use that neither the tz database nor CLDR spells that way.
ALIASES = {
    "nyc": "America/New_York", "new york city": "America/New_York", "la": "America/Los_Angeles",
    "cdmx": "America/Mexico_City", "df": "America/Mexico_City", "sf": "America/Los_Angeles",
    "san francisco": "America/Los_Angeles", "washington": "America/New_York", "boston": "America/New_York",
    "miami": "America/New_York", "barcelona": "Europe/Madrid", "sevilla": "Europe/Madrid", "seville": "Europe/Madrid",
    "valencia": "Europe/Madrid", "guadalajara": "America/Mexico_City", "rio de janeiro": "America/Sao_Paulo",
    "rio": "America/Sao_Paulo", "utc": "UTC", "gmt": "UTC",
}
# Old names kept by the tz database for compatibility ("US/Eastern", "GB", "Etc/GMT+3"): valid, never offered.
# Countries whose people live in very different zones: a language tag says nothing about which.
_SPREAD_OUT = frozenset({"US", "CA", "AU", "RU", "ID", "KZ", "MN", "CD", "NZ"})
# The zone most of a country's people use, where it has several and none is in COMMON.
_MAIN_ZONE = {"AR": "America/Argentina/Buenos_Aires", "PT": "Europe/Lisbon", "CL": "America/Santiago",
              "EC": "America/Guayaquil", "FR": "Europe/Paris", "IT": "Europe/Rome"}
_LEGACY_PREFIXES = ("Etc/", "US/", "Canada/", "Brazil/", "Mexico/", "Chile/", "SystemV/")


@lru_cache(maxsize=1)
def _names() -> frozenset[str]:
    return frozenset(available_timezones())


@lru_cache(maxsize=1)
def _by_casefold() -> dict[str, str]:
    return {z.casefold(): z for z in _names()}


def valid_timezone(name: str) -> bool:
    if not name or len(name) > 64 or name not in _names():
        return name == "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def fold(text: str) -> str:
    """Lower case, no accents, underscores and punctuation as spaces: "Ciudad_de_México" → "ciudad de mexico"."""
    return " ".join(re.sub(r"[\W_]+", " ", folded(text)).split())


@lru_cache(maxsize=1)
def _canonical() -> tuple[str, ...]:
    """Zones worth offering: current names only (no "America/Buenos_Aires" beside "America/Argentina/Buenos_Aires")."""
    aliases = get_global("zone_aliases")
    return tuple(sorted(
        z for z in _names()
        if "/" in z and not z.startswith(_LEGACY_PREFIXES) and z not in aliases
    ))


def _canon(zone: str) -> str:
    return get_global("zone_aliases").get(zone, zone)


@lru_cache(maxsize=8)
def _index(locales: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Folded city or country name → the zones it names."""
    index: dict[str, list[str]] = {}

    def add(name: str, zone: str) -> None:
        key = fold(name)
        if key and zone in _names():
            bucket = index.setdefault(key, [])
            if zone not in bucket:
                bucket.append(zone)

    for zone in _canonical():
        add(zone.rsplit("/", 1)[-1], zone)
    for old, zone in get_global("zone_aliases").items():  # "Calcutta" still means Asia/Kolkata
        if "/" in old and not old.startswith(_LEGACY_PREFIXES):
            add(old.rsplit("/", 1)[-1], zone)
    for name, zone in ALIASES.items():
        add(name, zone)
    territory_zones = get_global("territory_zones")
    for code in locales:
        try:
            locale = Locale.parse(code.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            continue
        for zone in _canonical():
            try:
                add(get_timezone_location(zone, locale, return_city=True), zone)
            except (LookupError, ValueError):
                continue
        for territory, name in locale.territories.items():
            for zone in territory_zones.get(territory, ()):
                add(name, _canon(zone))
    # Where a name covers several zones (a country), the zones most people mean come first.
    return {k: tuple(sorted(v, key=lambda z: z not in COMMON and z not in _MAIN_ZONE.values())) for k, v in index.items()}


def match_timezone(typed: str, locales: tuple[str, ...] = NAME_LOCALES) -> list[str]:
    """The zones `typed` names, best first: an IANA name as such; else a city, alias or country named exactly;
    else the cities whose name starts with what was typed (at least three letters). Empty when nothing fits."""
    text = typed.strip()
    if not text or len(text) > 100:
        return []
    exact = _by_casefold().get(text.replace(" ", "_").casefold())
    if exact is not None and valid_timezone(exact):
        return [exact]
    key = fold(text)
    if not key:
        return []
    index = _index(tuple(dict.fromkeys((*locales, *NAME_LOCALES))))
    if key in index:
        return list(index[key])[:MAX_CANDIDATES]
    if len(key) < 3:
        return []
    found: list[str] = []
    for name in sorted(index):
        if name.startswith(key) or f" {key}" in f" {name}":
            found += [z for z in index[name] if z not in found]
    return found[:MAX_CANDIDATES]


def zone_label(zone: str, locale: str) -> str:
    """A zone as a person recognises it: its city in their language, then the IANA name ("Cancún · America/Cancun")."""
    try:
        city = get_timezone_location(zone, Locale.parse(locale.replace("-", "_")), return_city=True)
    except (LookupError, ValueError, UnknownLocaleError):
        return zone
    if not city or fold(city) == fold(zone.rsplit("/", 1)[-1]):
        return zone
    return f"{city} · {zone}"


def zone_for_locale(tag: str | None) -> str | None:
    """A platform's language tag with a country ("es-ES", "pt_BR") → that country's zone when it has only one
    or one that most of its people use (CLDR's first); None for a bare language ("es") or an unknown country."""
    if not tag:
        return None
    parts = re.split(r"[-_]", tag.strip())
    region = next((p.upper() for p in parts[1:] if len(p) == 2 and p.isalpha()), None)
    if region is None or region in _SPREAD_OUT:
        return None
    zones = [_canon(z) for z in get_global("territory_zones").get(region, ())]
    if len(zones) == 1:
        return zones[0]
    return next((z for z in zones if z in COMMON), _MAIN_ZONE.get(region))


def suggest(text: str, limit: int = 5) -> list[str]:
    """Zones whose name contains what the person typed (case-insensitive), for a friendlier retry prompt."""
    needle = text.strip().lower().replace(" ", "_")
    if not needle:
        return list(COMMON[:limit])
    return sorted(n for n in _names() if needle in n.lower())[:limit]
