"""JSON read strictly: a key given twice is an error (json keeps the last one silently), NaN/Infinity refused."""
from __future__ import annotations

from typing import Any

from bot.i18n.text import msg
from domain.problems import Invalid


def object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """`object_pairs_hook` for json.loads."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise Invalid(msg("spec.problem.key_twice", field=repr(key)))
        result[key] = value
    return result


def refuse_constant(name: str) -> Any:
    """`parse_constant` for json.loads: NaN, Infinity and -Infinity are not JSON numbers."""
    raise Invalid(msg("spec.problem.json_constant", name=name))
