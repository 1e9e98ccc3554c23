"""Split long text for platforms with a message limit: paragraph, then line, then word, then hard cut.

`measure` lets each platform count as it counts (Telegram counts UTF-16 code units after entity parsing).
"""
from __future__ import annotations

from typing import Callable


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int, measure: Callable[[str], int] = len) -> list[str]:
    if limit <= 0:
        raise ValueError("limit must be positive")
    if measure(text) <= limit:
        return [text]
    parts: list[str] = []
    for sep in ("\n\n", "\n", " "):
        pieces = text.split(sep)
        if len(pieces) > 1:
            return _pack(pieces, sep, limit, measure)
    # One unbroken run: cut by characters, never inside a surrogate pair (we cut code points).
    current = ""
    for ch in text:
        if measure(current + ch) > limit:
            parts.append(current)
            current = ch
        else:
            current += ch
    if current:
        parts.append(current)
    return parts


def _pack(pieces: list[str], sep: str, limit: int, measure: Callable[[str], int]) -> list[str]:
    out: list[str] = []
    current = ""
    for piece in pieces:
        candidate = piece if not current else current + sep + piece
        if measure(candidate) <= limit:
            current = candidate
            continue
        if current:
            out.append(current)
        if measure(piece) <= limit:
            current = piece
        else:
            sub = split_text(piece, limit, measure)
            out.extend(sub[:-1])
            current = sub[-1]
    if current:
        out.append(current)
    return [p for p in out if p != ""] or [""]
