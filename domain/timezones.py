"""IANA time zones: validation and the short list offered as suggestions."""
from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

COMMON = (
    "UTC", "Europe/London", "Europe/Berlin", "Europe/Madrid", "America/New_York", "America/Chicago",
    "America/Los_Angeles", "America/Mexico_City", "America/Sao_Paulo", "Asia/Kolkata", "Asia/Tokyo",
    "Australia/Sydney",
)


@lru_cache(maxsize=1)
def _names() -> frozenset[str]:
    return frozenset(available_timezones())


def valid_timezone(name: str) -> bool:
    if not name or len(name) > 64 or name not in _names():
        return name == "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def suggest(text: str, limit: int = 5) -> list[str]:
    """Zones whose name contains what the person typed (case-insensitive), for a friendlier retry prompt."""
    needle = text.strip().lower().replace(" ", "_")
    if not needle:
        return list(COMMON[:limit])
    return sorted(n for n in _names() if needle in n.lower())[:limit]
