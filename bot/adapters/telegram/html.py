"""Telegram HTML from styled runs: escaping, and splitting that never cuts a tag or an entity.

Text is kept as `Run`s (literal text + one style) until the last moment. Telegram measures a message
as the UTF-16 length of its text once the HTML is parsed, which is exactly the UTF-16 length of the
runs' plain text; so splitting works on plain text and each part is turned into HTML on its own,
with every tag opened and closed inside the part.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.core.split import split_text, utf16_len

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
    """
    plain = plain_text(runs)
    parts: list[list[Run]] = []
    position = 0
    for piece in split_text(plain, limit, utf16_len):
        start = plain.find(piece, position)
        if start < 0:  # split_text returns contiguous pieces in order; this cannot happen
            raise AssertionError("split_text returned text that is not in the input")
        end = start + len(piece)
        position = end
        if piece.strip():
            parts.append(slice_runs(runs, start, end))
    return parts


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """`text` cut to at most `limit` UTF-16 code units (ellipsis included), never inside a surrogate pair."""
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
    return "".join(out).rstrip() + ellipsis
