"""Literal text made safe for Slack `mrkdwn`, and the few styles the core uses.

Every `str` that reaches a renderer is literal (a person's, a model's, a manager's or a translated sentence),
so it is escaped before it is put into mrkdwn:

* `&`, `<`, `>` become `&amp;`, `&lt;`, `&gt;` — Slack's only escapes. After this, `<!channel>`, `<@U123>` and
  `<https://x|y>` in user text show as typed and never mention, ping or link.
* Slack has no escape for its formatting characters (`*` `_` `~` `` ` ``). We neutralise each by putting a
  zero-width space (U+200B) on both sides: Slack only opens a style at a word boundary and only when the next
  character is not a space, and whichever way its parser classifies U+200B one of the two conditions fails.
  The text still reads (and copies) the same apart from the invisible characters.
* A line that would start with `&gt;` (a block quote) gets a leading zero-width space.
* Inside inline code nothing is styled, so only the backtick itself is replaced (by U+02CB, which looks alike).

Lengths are measured in UTF-16 code units (`size`), the stricter of the ways Slack may count, so an emoji or
a mathematical letter outside the BMP can never push a text over a limit.

Text objects we build carry `verbatim: true`, so Slack does not auto-link bare URLs, channel names or `@here`.
`plain_text` objects are not parsed by Slack at all and take the literal string unchanged (see render.py).
"""
from __future__ import annotations

import re

from bot.core.split import utf16_len
from bot.i18n.bidi import close_isolates, cut_closed, open_controls

ZWSP = "\u200b"
_CONTROL = "*_~`"
_CONTROL_RE = re.compile(r"[*_~`]")
_QUOTE_RE = re.compile(r"(^|\n)(&gt;)")
_ENTITY_TAIL_RE = re.compile(r"&[a-z]{0,3}$")


def escape(text: str) -> str:
    """Slack's three escapes only (`&` first). Use `literal` for text that must not be styled either."""
    if not isinstance(text, str):
        raise TypeError(f"expected a localized str, got {type(text).__name__}")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def literal(text: str) -> str:
    """Escape and neutralise `text` so mrkdwn shows it exactly as typed."""
    out = _CONTROL_RE.sub(lambda m: f"{ZWSP}{m.group(0)}{ZWSP}", escape(text))
    return _QUOTE_RE.sub(lambda m: f"{m.group(1)}{ZWSP}{m.group(2)}", out)


def _styled(text: str, mark: str) -> str:
    core = text.strip()
    if not core:
        return literal(text)
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()):]
    return f"{literal(lead)}{mark}{literal(core)}{mark}{literal(trail)}"


def bold(text: str) -> str:
    return _styled(text, "*")


def italic(text: str) -> str:
    return _styled(text, "_")


def code(text: str) -> str:
    if not text:
        return ""
    inner = escape(text.replace("`", "\u02cb")).replace("\n", " ")
    return f"`{inner}`"


def styled(text: str, style: str) -> str:
    """One core `Span` style: plain, bold, italic or code."""
    if style == "bold":
        return bold(text)
    if style == "italic":
        return italic(text)
    if style == "code":
        return code(text)
    return literal(text)


def size(text: str) -> int:
    """Length as limits are checked here: UTF-16 code units."""
    return utf16_len(text)


def head(text: str, units: int) -> str:
    """The longest prefix of `text` of at most `units` UTF-16 code units (never splits a character)."""
    if size(text) <= units:
        return text
    out, used = [], 0
    for ch in text:
        n = 2 if ord(ch) > 0xFFFF else 1
        if used + n > units:
            break
        out.append(ch)
        used += n
    return "".join(out)


def cut(mrkdwn: str, limit: int, ellipsis: str = "…") -> str:
    """Shorten already-rendered mrkdwn to `limit` units without cutting inside an `&amp;`-style escape; a
    person's text cut in the middle is closed (its isolate's PDI) before the ellipsis."""
    if size(mrkdwn) <= limit:
        return mrkdwn
    budget = max(0, limit - size(ellipsis))
    kept = _ENTITY_TAIL_RE.sub("", head(mrkdwn, budget))
    while kept and open_controls(kept) and size(close_isolates(kept)) > budget:
        kept = _ENTITY_TAIL_RE.sub("", kept[:-1])
    return cut_closed(kept, budget, size) + ellipsis


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """Shorten literal (unrendered) text to `limit` units, ending with `ellipsis` when cut (open isolates closed)."""
    if size(text) <= limit:
        return text
    budget = max(0, limit - size(ellipsis))
    return cut_closed(head(text, budget).rstrip(), budget, size) + ellipsis


def truncate_at_word(text: str, limit: int, ellipsis: str = "…") -> str:
    """`truncate`, but cut between words ("Rate the legal…", not "Rate the legal accu…"), dropping punctuation
    left dangling; a first word longer than `limit` is cut inside, as there is no better place."""
    if size(text) <= limit:
        return text
    budget = max(0, limit - size(ellipsis))
    kept = head(text, budget)
    if not text[len(kept):len(kept) + 1].isspace():  # the cut fell inside a word: back to the space before it
        before, space, _ = kept.rpartition(" ")
        if not space or not before.strip():
            return truncate(text, limit, ellipsis)
        kept = before
    kept = kept.rstrip().rstrip(",;:—–-").rstrip()
    if not kept:
        return truncate(text, limit, ellipsis)
    return cut_closed(kept, budget, size) + ellipsis
