"""JSON read strictly: a key given twice is an error (json keeps the last one silently), NaN/Infinity refused."""
from __future__ import annotations

from typing import Any


def object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """`object_pairs_hook` for json.loads."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"key {key!r} appears twice")
        result[key] = value
    return result


def refuse_constant(name: str) -> Any:
    """`parse_constant` for json.loads: NaN, Infinity and -Infinity are not JSON numbers."""
    raise ValueError(f"{name} is not valid JSON")
