"""Inbound text made safe to store and show: no NUL, no other C0 control characters.

PostgreSQL refuses NUL in text (a display name with one failed every message from that person), and control
characters (bell, escape sequences, backspace) have no business in names, answers or notes. `clean_text`
keeps newline and tab; a carriage return becomes a newline (`\\r\\n` → `\\n`, a lone `\\r` → `\\n`); every
other character below U+0020 is dropped. The event models apply it to every text field an adapter fills
(`bot.core.events`), so every platform gets it where its events are built.
"""
from __future__ import annotations

import re
from typing import Any

_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean_text(value: str) -> str:
    """`value` without NUL and other C0 controls; newline and tab kept, CR/CRLF turned into a newline."""
    if value.isprintable():  # the common case: nothing to do (isprintable is False for \n, \t, \r too)
        return value
    return _CONTROLS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def clean_value(value: Any) -> Any:
    """`clean_text` through the strings, lists and dicts of a submitted form's values (keys included)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_value(v) for v in value]
    if isinstance(value, tuple):
        return tuple(clean_value(v) for v in value)
    if isinstance(value, dict):
        return {clean_value(k): clean_value(v) for k, v in value.items()}
    return value
