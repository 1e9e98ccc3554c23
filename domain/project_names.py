"""Which project a person meant by the name they typed: one rule for every chat command, caption and the CLI.

Tiers, first that finds anything wins: the exact name; the same name ignoring case, accents, dash kind and spacing;
names that start with what was typed; names that contain it (both normalised the same way). Several at the winning
tier is an ambiguity the caller answers with a choice, never a guess.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from bot.i18n.fold import folded, same_dashes

# Longer than any project name can usefully be; what is typed beyond it cannot narrow the match.
MAX_TYPED = 400


@dataclass(frozen=True)
class Exact:
    project_id: int


@dataclass(frozen=True)
class Ambiguous:
    project_ids: tuple[int, ...]  # in the candidates' order


@dataclass(frozen=True)
class NotFound:
    pass


Resolution = Exact | Ambiguous | NotFound


def normalise(text: str) -> str:
    """Case, accents, dash kind and runs of whitespace folded away, so "Legal—Évaluation" == "legal-evaluation"."""
    return _fold((text or "")[:MAX_TYPED])  # cut first: the cache below never holds a huge string


@lru_cache(maxsize=8192)  # every lookup folds every project name again, and the names rarely change
def _fold(text: str) -> str:
    return " ".join(same_dashes(folded(text)).split())


def resolve(typed: str, candidates: Sequence[tuple[int, str]], substring: bool = True) -> Resolution:
    """`candidates` are the (id, name) the person may name, in the order choices should be offered. Without
    `substring` the last tier is skipped: for words read out of free text (/log's note), where a short word would
    be found inside almost every name."""
    raw = (typed or "").strip()
    needle = normalise(raw)
    if not needle:
        return NotFound()
    exact = list(dict.fromkeys(pid for pid, name in candidates if name.strip() == raw))
    if len(exact) == 1:
        return Exact(exact[0])
    folded = [(pid, normalise(name)) for pid, name in candidates]
    tests = (str.__eq__, str.startswith, str.__contains__) if substring else (str.__eq__, str.startswith)
    for test in tests:
        found = list(dict.fromkeys(pid for pid, name in folded if test(name, needle)))
        if len(found) == 1:
            return Exact(found[0])
        if found:
            return Ambiguous(tuple(found))
    return NotFound()


def matching_ids(typed: str, candidates: Sequence[tuple[int, str]], substring: bool = True) -> list[int]:
    """The ids `resolve` leaves to choose from: one when it decided, several when ambiguous, none when not found."""
    result = resolve(typed, candidates, substring)
    if isinstance(result, Exact):
        return [result.project_id]
    return list(result.project_ids) if isinstance(result, Ambiguous) else []
