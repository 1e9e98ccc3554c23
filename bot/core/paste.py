"""When a typed answer is the rest of the one before: a long paste the chat client split into two messages.

Telegram cuts a paste longer than one message (4,096 UTF-16 code units) into parts sent a moment apart; the cut
is at a character, so the parts join exactly. A part counts as a continuation only when the one before it filled
a message to the limit and arrived just before. An answer that merely is long (4,050 characters) and a quick
short answer to the next question are two answers, not one.
"""
from __future__ import annotations

from datetime import datetime, timedelta

SPLIT_AT = 4096  # UTF-16 code units in one Telegram message: where a client cuts a long paste
NEAR_SPLIT = 8  # a cut part may lose a trailing space or line break on the way
JOIN_WINDOW = timedelta(seconds=5)  # the parts of one paste arrive within a second or two


def units(text: str) -> int:
    """A text's length as Telegram counts it (an emoji outside the BMP is two)."""
    return len(text.encode("utf-16-le")) // 2


def continues(previous_units: int, previous_at: datetime, now: datetime) -> bool:
    """Is a text arriving `now` the rest of a part of `previous_units` (see `units`) received at `previous_at`?"""
    return timedelta(0) <= now - previous_at <= JOIN_WINDOW and previous_units >= SPLIT_AT - NEAR_SPLIT
