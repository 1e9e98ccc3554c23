"""The Telegram platform (python-telegram-bot 22)."""
from __future__ import annotations

from bot.core.capabilities import Capabilities

TELEGRAM = Capabilities(
    payload_bytes=64,  # callback_data: 1-64 bytes
    max_text=4096,  # UTF-16 code units after entity parsing
    edits=True,
)
