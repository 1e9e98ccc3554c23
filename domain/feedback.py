"""Feedback that is specific: a justification that says nothing checkable is sent back once, with a hint.

The rules are data (`JUSTIFICATION_RULES`), tried in order; the first that fires gives the hint, a catalog
message (`task.feedback.*` in locales/*/LC_MESSAGES/panelist.po) rendered for the expert at send time. They are
deliberately forgiving: anything that names a criterion, quotes or echoes a passage, or cites a number is
"specific". The expert may insist after the hint; that decision lives in the handler, not here.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from bot.i18n.text import Msg, msg
from domain.project_spec import ProjectSpec

if TYPE_CHECKING:
    from domain.task_import import TaskItem

__all__ = [
    "CATALOG_KEYS",
    "GENERIC_PHRASES",
    "JUSTIFICATION_RULES",
    "FeedbackHint",
    "JustificationRule",
    "check_justification",
    "is_specific",
    "normalize",
]

# Below this many characters a justification must point at something (criterion, passage, number).
SHORT_CHARS = 120
# Content words that may remain around a generic phrase before it counts as saying something.
MAX_FILLER_WORDS = 3
# Consecutive words shared with a response that count as referring to a passage without quote marks.
ECHO_WORDS = 4

# Normalised (lower case, no accents, no punctuation). Matched as whole words inside the justification.
GENERIC_PHRASES: tuple[str, ...] = (
    # English
    "this answer is bad", "this response is bad", "the answer is bad", "bad answer", "bad response",
    "this is bad", "it is bad", "its bad", "not good", "no good", "looks good", "looks good to me",
    "looks fine", "looks ok", "lgtm", "good answer", "good response", "great answer", "this is good",
    "it is good", "its good", "is good", "is bad", "fine", "ok", "okay", "good", "bad", "great", "perfect",
    "poor", "terrible", "excellent", "nice", "incomplete", "not complete", "wrong", "incorrect", "correct",
    "inaccurate", "not accurate", "accurate", "not helpful", "helpful", "unhelpful", "could be better",
    "needs improvement", "needs work", "makes sense", "does not make sense", "a is better", "b is better",
    "both are good", "both are bad", "both are fine", "better", "worse", "missing information",
    "missing details", "not detailed", "too vague", "vague", "confusing", "well written", "clear",
    "not clear", "unclear",
    # Spanish
    "es mala", "es buena", "es malo", "es bueno", "esta bien", "esta mal", "mala respuesta",
    "buena respuesta", "respuesta mala", "respuesta buena", "no es buena", "no es correcta", "se ve bien",
    "bien", "mal", "correcto", "correcta", "incorrecto", "incorrecta", "incompleto", "incompleta",
    "podria ser mejor", "le falta", "falta informacion", "mejor", "peor", "la a es mejor", "la b es mejor",
    "ambas estan bien", "ambas son malas", "confuso", "confusa", "poco claro", "poco clara", "clara",
    "claro", "perfecto", "perfecta", "excelente", "pobre", "vago", "vaga",
)

# Words that carry no content around a generic phrase ("I think this answer is really bad, because…").
_FILLER = frozenset(
    """
    a an the this that these those it its is are was were be been being i we you he she they me my our to of
    for in on at by and or but so because since as also just very really quite too pretty rather overall
    generally general think feel seems seem seemed look looks answer response responses output reply one
    both here there not no some any all kind sort bit lot much more less still though although however
    el la los las un una unos unas lo es son era fue ser esta este esto estas estos esa ese eso y o pero
    porque ya que como tambien muy bastante demasiado creo pienso parece general en de del al a con por para
    respuesta respuestas salida su sus mi me se le les que no si algo todo toda un poco mas menos
    """.split()
)

# A quoted passage: paired quote marks around at least 3 characters. A straight single quote only counts at
# word edges, so the apostrophes in "the patient's dose isn't right" are not mistaken for a quotation.
_QUOTED = re.compile(
    r'"[^"\n]{3,}"|“[^”\n]{3,}”|„[^“”\n]{3,}[“”]|«[^»\n]{3,}»|‘[^’\n]{3,}’|`[^`\n]+`'
    r"|(?<!\w)'[^'\n]{3,}'(?!\w)"
)
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[a-z0-9]+")


def normalize(text: str) -> str:
    """Lower case, accents removed, punctuation to spaces, whitespace collapsed: "¡Está BIEN!" → "esta bien"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_WORD.findall(plain))


class FeedbackHint(BaseModel):
    """Why a justification is sent back (`rule_id`) and the catalog message that tells the expert what to add."""

    model_config = ConfigDict(frozen=True)

    rule_id: str
    hint: Msg


def _names_criterion(text: str, spec: ProjectSpec) -> bool:
    words = f" {normalize(text)} "
    for c in spec.criteria:
        for name in (c.label, c.id.replace("_", " ")):
            needle = normalize(name)
            if needle and f" {needle} " in words:
                return True
    return False


def _echoes_passage(text: str, item: TaskItem | None) -> bool:
    if item is None:
        return False
    words = normalize(text).split()
    grams = {" ".join(words[i:i + ECHO_WORDS]) for i in range(len(words) - ECHO_WORDS + 1)}
    if not grams:
        return False
    for response in item.responses:
        source = normalize(response.text).split()
        if any(" ".join(source[i:i + ECHO_WORDS]) in grams for i in range(len(source) - ECHO_WORDS + 1)):
            return True
    return False


def is_specific(text: str, spec: ProjectSpec, item: TaskItem | None = None) -> bool:
    """Points at something checkable: a quoted passage, a criterion by name, a number, or words echoed from a response."""
    return bool(
        _QUOTED.search(text) or _DIGIT.search(text) or _names_criterion(text, spec) or _echoes_passage(text, item)
    )


def _content_words_left(text: str) -> int:
    """Words that remain once generic phrases and filler are removed."""
    padded = f" {normalize(text)} "
    for phrase in sorted(GENERIC_PHRASES, key=len, reverse=True):  # longest first: "looks good to me" before "good"
        padded = padded.replace(f" {phrase} ", "  ")
    return sum(1 for w in padded.split() if w not in _FILLER)


def _has_generic_phrase(text: str) -> bool:
    padded = f" {normalize(text)} "
    return any(f" {phrase} " in padded for phrase in GENERIC_PHRASES)


@dataclass(frozen=True)
class JustificationRule:
    """One reason to send a justification back; `fires(text, spec, item)` says whether it applies."""

    id: str
    hint_key: str
    fires: Callable[[str, ProjectSpec, "TaskItem | None"], bool]


def _too_short(text: str, spec: ProjectSpec, item: TaskItem | None) -> bool:
    return len(text.strip()) < spec.min_justification_chars


def _generic(text: str, spec: ProjectSpec, item: TaskItem | None) -> bool:
    return (
        _has_generic_phrase(text)
        and _content_words_left(text) <= MAX_FILLER_WORDS
        and not is_specific(text, spec, item)
    )


def _no_reference(text: str, spec: ProjectSpec, item: TaskItem | None) -> bool:
    return len(text.strip()) < max(SHORT_CHARS, 2 * spec.min_justification_chars) and not is_specific(text, spec, item)


JUSTIFICATION_RULES: tuple[JustificationRule, ...] = (
    JustificationRule("too_short", "task.feedback.too_short", _too_short),
    JustificationRule("generic", "task.feedback.generic", _generic),
    JustificationRule("no_reference", "task.feedback.no_reference", _no_reference),
)

# The catalog keys the hints use; their texts live only in the catalogs.
CATALOG_KEYS: tuple[str, ...] = tuple(rule.hint_key for rule in JUSTIFICATION_RULES)


def check_justification(text: str, spec: ProjectSpec, item: TaskItem | None = None) -> FeedbackHint | None:
    """The first rule a justification breaks, as a hint to show once; None when it is specific enough.

    Pass the `item` when you have it: words copied from a response then count as naming the passage.
    """
    for rule in JUSTIFICATION_RULES:
        if rule.fires(text, spec, item):
            params = ({"count": len(text.strip()), "length": len(text.strip()), "min": spec.min_justification_chars}
                      if rule.id == "too_short" else {})
            return FeedbackHint(rule_id=rule.id, hint=msg(rule.hint_key, **params))
    return None
