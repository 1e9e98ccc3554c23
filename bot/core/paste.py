"""When a typed answer is the rest of the one before: a long paste the chat client split into two messages.

Telegram cuts a paste longer than one message (4,096 characters) into parts sent a moment apart; the cut is at
a character, so the parts join exactly. A part counts as a continuation only when the one before it was long
enough to have been cut there and arrived just before; a short, quick answer to the next question is not glued
on.
"""
from __future__ import annotations

from datetime import datetime, timedelta

SPLIT_AT = 4096  # characters in one Telegram message: where a client cuts a long paste
NEAR_SPLIT = 200  # some clients cut a little earlier, at a space
JOIN_WINDOW = timedelta(seconds=5)  # the parts of one paste arrive within a second or two


def continues(previous_length: int, previous_at: datetime, now: datetime) -> bool:
    """Is a text arriving `now` the rest of an answer of `previous_length` characters received at `previous_at`?"""
    return timedelta(0) <= now - previous_at <= JOIN_WINDOW and previous_length >= SPLIT_AT - NEAR_SPLIT
