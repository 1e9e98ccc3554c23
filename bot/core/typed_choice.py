"""What a person types at a button step, read as the button they meant: "medicina", "MEDICINA", "B",
"b much better", "12 años", "10-15". Pure: the forms engine renders option labels in every language and asks.

An answer is the list of options it could mean: none, one (take it), or several (ask which, with those buttons).
"""
from __future__ import annotations

import re
from typing import Sequence

from bot.i18n.fold import folded, same_dashes

_EDGE = " \t\n.,;:!?¡¿\"'“”«»()[]"
# A character prefix ("medic" for "Medicine") must be this long; a single letter only counts as a whole word ("B").
MIN_PREFIX = 3


def normalize(text: str) -> str:
    """Case, accents, dash kinds and spacing do not matter: "Medicína " == "medicina", "10–15" == "10-15"."""
    return " ".join(folded(same_dashes(text)).split()).strip(_EDGE)


def _word_prefix(typed: str, name: str) -> bool:
    return name.startswith(typed) and (len(name) == len(typed) or not name[len(typed)].isalnum())


def match_options(typed: str, names: Sequence[Sequence[str]]) -> list[int]:
    """The options `typed` may mean; `names[i]` are option i's names (its label in each language, its value).
    Tried in order, the first rule that finds anything decides: the whole name; a whole-word prefix ("B" for
    "B much better"); a character prefix of at least MIN_PREFIX ("medic"); every typed word in the name ("b much
    better" for "B is much better"); the same leading word ("b better" for "B is better" and "B is much
    better": ask which)."""
    t = normalize(typed)
    if not t:
        return []
    options = [[normalize(n) for n in option if n] for option in names]
    rules = (
        lambda n: n == t,
        lambda n: _word_prefix(t, n),
        lambda n: len(t) >= MIN_PREFIX and n.startswith(t),
        lambda n: " " in t and set(t.split(" ")) <= set(n.split(" ")),
        lambda n: " " in t and n.split(" ", 1)[0] == t.split(" ", 1)[0],
    )
    for rule in rules:
        found = [i for i, option in enumerate(options) if any(rule(n) for n in option)]
        if found:
            return found
    return []


_NUM = r"\d+(?:[.,]\d+)*"
_UNIT = r"(?:\s*[^\W\d_][^\d]*)?"  # "años", "years", "yrs", "h": words after the number, ignored
_ONE = re.compile(rf"^\s*({_NUM}){_UNIT}\s*$")
_RANGE = re.compile(rf"^\s*({_NUM})\s*(?:-|to|a|al|hasta|or|o)\s*({_NUM}){_UNIT}\s*$", re.IGNORECASE)


def number_parts(typed: str) -> list[str]:
    """The number(s) in a typed number answer: ["12"] for "12 años" / "12 years" / "12yrs", ["10", "15"] for a
    range "10-15" or "10 to 15 years" (the person is asked which), [] when it is not a number with words."""
    text = same_dashes(typed)
    ranged = _RANGE.match(text)
    if ranged:
        return [ranged.group(1), ranged.group(2)]
    one = _ONE.match(text)
    return [one.group(1)] if one else []
