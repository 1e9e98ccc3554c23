"""Telegram HTML from styled runs: escaping, and splitting that never cuts a tag or an entity.

Text is kept as `Run`s (literal text + one style) until the last moment. Telegram measures a message
as the UTF-16 length of its text once the HTML is parsed, which is exactly the UTF-16 length of the
runs' plain text; so splitting works on plain text and each part is turned into HTML on its own,
with every tag opened and closed inside the part.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.core.split import split_parts, utf16_len
from bot.i18n.bidi import cut_closed

Style = Literal["plain", "bold", "italic", "code"]

_TAGS: dict[str, str] = {"bold": "b", "italic": "i", "code": "code"}


def escape(text: str) -> str:
    """Escape literal text for Telegram HTML: `&`, `<`, `>` (the only characters that need it in text)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class Run:
    """Literal text in one style."""

    text: str
    style: Style = "plain"


def plain_text(runs: list[Run]) -> str:
    return "".join(r.text for r in runs)


def to_html(runs: list[Run]) -> str:
    """Runs as Telegram HTML; adjacent runs of one style share a tag, empty runs vanish."""
    out: list[str] = []
    merged: list[Run] = []
    for run in runs:
        if not run.text:
            continue
        if merged and merged[-1].style == run.style:
            merged[-1] = Run(merged[-1].text + run.text, run.style)
        else:
            merged.append(run)
    for run in merged:
        tag = _TAGS.get(run.style)
        out.append(f"<{tag}>{escape(run.text)}</{tag}>" if tag else escape(run.text))
    return "".join(out)


def slice_runs(runs: list[Run], start: int, end: int) -> list[Run]:
    """The runs covering plain-text code points [start, end)."""
    out: list[Run] = []
    position = 0
    for run in runs:
        run_start, run_end = position, position + len(run.text)
        position = run_end
        lo, hi = max(start, run_start), min(end, run_end)
        if lo < hi:
            out.append(Run(run.text[lo - run_start:hi - run_start], run.style))
    return out


def split_runs(runs: list[Run], limit: int) -> list[list[Run]]:
    """Split runs into parts whose plain text is at most `limit` UTF-16 code units.

    Cuts fall where `bot.core.split.split_text` puts them (paragraph, line, word, then character);
    the separator at a cut is dropped, as split_text drops it. Parts with nothing but whitespace go.
    A cut inside a person's text (a Unicode isolate) closes it in one part and reopens it in the next, in the
    style of the text next to it.
    """
    plain = plain_text(runs)
    parts: list[list[Run]] = []
    for part in split_parts(plain, limit, utf16_len):
        if not plain[part.start:part.end].strip():
            continue
        sliced = slice_runs(runs, part.start, part.end)
        if part.head:
            sliced.insert(0, Run(part.head, sliced[0].style))
        if part.tail:
            sliced.append(Run(part.tail, sliced[-1].style))
        parts.append(sliced)
    return parts


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """`text` cut to at most `limit` UTF-16 code units (ellipsis included), never inside a surrogate pair; a
    person's text cut in the middle is closed (its isolate's PDI) before the ellipsis."""
    if utf16_len(text) <= limit:
        return text
    budget = limit - utf16_len(ellipsis)
    out: list[str] = []
    used = 0
    for ch in text:
        width = utf16_len(ch)
        if used + width > budget:
            break
        out.append(ch)
        used += width
    return cut_closed("".join(out).rstrip(), budget, utf16_len) + ellipsis
