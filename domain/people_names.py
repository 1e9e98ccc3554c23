"""Which person a manager meant by what they typed: one rule for every command that names someone.

What may be typed, read in this order:
- the precise form `platform:workspace/id` (`telegram:123`, `slack:T1/U1`, `console:ana`);
- a Slack mention `<@U123>` / `<@U123|ana>`, or a Slack member id alone (`U123`, `W123`) — in the workspace of
  the person asking when they are on Slack;
- a handle: `@ana` is Telegram's username or Slack's display name, exactly (case and accents aside);
- a name: the one the person gave in their profile or their platform's name (or a handle without its `@`),
  folded like project names (case, accents, dash kind, spacing); exact, then prefix, then a word's start, then
  anywhere inside. A member id or `@handle` that finds nobody is tried as a name too ("WALTER", "@Ana Pérez").

Several people at the winning tier is an ambiguity the caller answers with a choice, never a guess. Pure: the
candidates come from storage, the reply from handlers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from bot.i18n.bidi import close_isolates
from domain.identity import PLATFORMS, SLACK_MEMBER, IdentityKey, parse_identity
from domain.problems import Invalid
from domain.project_names import Ambiguous, Exact, NotFound, normalise

__all__ = ["Ambiguous", "Candidate", "Exact", "NotFound", "Reference", "parse_reference", "person_label", "resolve",
           "split_leading", "split_trailing"]

MAX_TYPED = 400  # longer than any name; what is typed beyond it cannot narrow the match
MAX_NAME_WORDS = 5  # a name written without quotes inside a command: at most this many words are tried
_MENTION = re.compile(r"<@([UW][A-Z0-9]{2,63})(?:\|([^<>]{0,200}))?>")
_QUOTES = {'"': '"', "'": "'", "\u201c": "\u201d", "\u2018": "\u2019", "\u00ab": "\u00bb", "\u201e": "\u201c"}


@dataclass(frozen=True)
class Candidate:
    """One identity a person may be named by (a person with two platforms is two candidates)."""

    person_id: int
    key: IdentityKey
    names: tuple[str, ...] = ()  # the profile name, the platform's display name
    handle: str | None = None  # Telegram username / Slack display name, without "@"


@dataclass(frozen=True)
class Reference:
    """What was typed, read: `kind` is identity (the precise form), member (a Slack member id or mention),
    handle (@name) or name. `key` is set for identity, `value` is the id, handle or name."""

    kind: str
    value: str
    key: IdentityKey | None = None


def _unquoted(text: str) -> str:
    if len(text) >= 2 and text[0] in _QUOTES and text[-1] == _QUOTES[text[0]]:
        return text[1:-1].strip()
    return text


def parse_reference(typed: str) -> Reference | None:
    """How `typed` names someone; None when it names nothing (empty, or a precise form that is malformed)."""
    text = _unquoted((typed or "").strip()[:MAX_TYPED].strip())
    if not text:
        return None
    mention = _MENTION.fullmatch(text)
    if mention:
        return Reference("member", mention.group(1))
    platform, sep, _ = text.partition(":")
    if sep and platform in PLATFORMS:
        try:
            return Reference("identity", text, parse_identity(text))
        except Invalid:
            return None
    if text.startswith("@"):
        handle = text.lstrip("@").strip()
        return Reference("handle", handle) if handle else None
    if SLACK_MEMBER.fullmatch(text):
        return Reference("member", text)
    return Reference("name", text)


def malformed_identity(typed: str) -> bool:
    """`typed` starts like the precise form (`telegram:…`) but is not one: worth saying how it is written."""
    text = _unquoted((typed or "").strip()[:MAX_TYPED].strip())
    platform, sep, _ = text.partition(":")
    return bool(sep) and platform in PLATFORMS and parse_reference(text) is None


def _by_person(found: Iterable[Candidate]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(c.person_id for c in found))


def _decided(people: tuple[int, ...]) -> Exact | Ambiguous | None:
    if len(people) == 1:
        return Exact(people[0])
    return Ambiguous(people) if people else None


def resolve(typed: str, candidates: Sequence[Candidate], workspace: str = "") -> Exact | Ambiguous | NotFound:
    """The person `typed` names among `candidates` (most recently seen first: the order choices are offered in).
    `workspace` is the Slack team of the person asking, if they are on Slack: a member id means one there."""
    ref = parse_reference(typed)
    if ref is None:
        return NotFound()
    if ref.kind == "identity":
        assert ref.key is not None
        return _decided(_by_person(c for c in candidates if c.key == ref.key)) or NotFound()
    if ref.kind == "member":
        slack = [c for c in candidates if c.key.platform == "slack" and c.key.user_id == ref.value]
        here = [c for c in slack if c.key.workspace == workspace] if workspace else []
        found = _decided(_by_person(here or slack))
        if found or typed.lstrip().startswith("<@"):
            return found or NotFound()  # a mention is precise: never read its label as a name
    if ref.kind == "handle":
        needle = normalise(ref.value)
        found = _decided(_by_person(c for c in candidates if c.handle and normalise(c.handle) == needle))
        if found:
            return found
    return _by_name(ref.value, candidates)


def _by_name(typed: str, candidates: Sequence[Candidate]) -> Exact | Ambiguous | NotFound:
    needle = normalise(typed)
    if not needle:
        return NotFound()
    folded = [(c, [normalise(n) for n in (*c.names, c.handle or "") if n and n.strip()]) for c in candidates]
    tests = (
        lambda name: name == needle,
        lambda name: name.startswith(needle),
        lambda name: (" " + needle) in (" " + name) or ("-" + needle) in name or ("." + needle) in name,
        lambda name: needle in name,
    )
    for test in tests:
        found = _decided(_by_person(c for c, names in folded if any(test(n) for n in names)))
        if found:
            return found
    return NotFound()


def exact_names(candidates: Iterable[Candidate]) -> set[str]:
    """Every candidate's names and handles, folded: what `split_leading` may take several words for."""
    return {normalise(n) for c in candidates for n in (*c.names, c.handle or "") if n and n.strip()}


def _explicit(word: str) -> bool:
    """A word that names someone by itself: a mention, a precise form, a handle or a member id."""
    return (word.startswith(("<@", "@")) or SLACK_MEMBER.fullmatch(word) is not None
            or word.partition(":")[0] in PLATFORMS and ":" in word)


def split_leading(args: str, names: set[str]) -> tuple[str, str]:
    """(the person named first in `args`, the rest). A name of several words needs quotes, or to be someone's
    whole name (`names`, folded, from `exact_names`): "Ana Pérez 20 EUR" takes "Ana Pérez"."""
    text = (args or "").lstrip()
    if not text:
        return "", ""
    if text.startswith("<@") and ">" in text[:MAX_TYPED]:
        end = text.index(">") + 1
        return text[:end], text[end:].strip()
    if text[0] in _QUOTES:
        end = text.find(_QUOTES[text[0]], 1)
        if end > 0:
            return text[1:end].strip(), text[end + 1:].strip()
    words = text.split(maxsplit=MAX_NAME_WORDS)
    if not _explicit(words[0]) or words[0].startswith("@"):
        for count in range(min(MAX_NAME_WORDS, len(words)), 1, -1):
            if normalise(" ".join(words[:count]).lstrip("@")) in names:
                return _take_words(text, count)
    return _take_words(text, 1)


def _take_words(text: str, count: int) -> tuple[str, str]:
    match = re.match(r"\S+(?:\s+\S+){%d}" % (count - 1), text)
    assert match is not None
    return match.group(0), text[match.end():].strip()


def split_trailing(args: str, names: set[str]) -> tuple[str, str]:
    """(the rest, the person named last in `args`): as `split_leading`, read from the end."""
    text = (args or "").rstrip()
    if not text:
        return "", ""
    if text.endswith(">"):
        start = text.rfind("<@")
        if start >= 0 and _MENTION.fullmatch(text[start:]):
            return text[:start].strip(), text[start:]
    closers = {v: k for k, v in _QUOTES.items()}
    if text[-1] in closers:
        start = text.rfind(closers[text[-1]], 0, len(text) - 1)
        if start >= 0:
            return text[:start].strip(), text[start + 1:-1].strip()
    words = text.rsplit(maxsplit=MAX_NAME_WORDS)
    if not _explicit(words[-1]):
        for count in range(min(MAX_NAME_WORDS, len(words) - 1), 1, -1):
            if normalise(" ".join(words[-count:]).lstrip("@")) in names:
                return " ".join(words[:-count]) if len(words) > count else "", " ".join(words[-count:])
    head, _, last = text.rpartition(" ")
    if not head:
        head, last = "", text
    return head.strip(), last.strip()


def person_label(name: str | None, handle: str | None, fallback: str = "") -> str:
    """How a manager sees a person: "Ana Pérez (@ana)"; the name or the handle alone when that is all there is,
    or `fallback` (a pseudonym) when neither is known."""
    # A direction override left open in a name or handle would run on over what follows it: each is closed.
    name = close_isolates(" ".join((name or "").split())[:120])
    handle = close_isolates((handle or "").strip().lstrip("@")[:80])
    if name and handle and normalise(handle) != normalise(name):
        return f"{name} (@{handle})"
    if name:
        return name
    return f"@{handle}" if handle else fallback
