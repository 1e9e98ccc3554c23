"""A person's text quoted short: on one line, cut between words, with "…"."""
from __future__ import annotations

EXCERPT_CHARS = 80
ELLIPSIS = "…"


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """`text` on one line, at most `limit` characters plus "…", cut between words (a single word longer than half
    the limit is cut inside, rather than leaving almost nothing)."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    # the last place at or before the limit that is not inside a word (letters or digits on both sides)
    cut = next((i for i in range(limit, max(limit // 2, 1) - 1, -1)
                if not (flat[i - 1].isalnum() and flat[i].isalnum())), limit)
    return flat[:cut].rstrip(" ,;:.-–—") + ELLIPSIS
