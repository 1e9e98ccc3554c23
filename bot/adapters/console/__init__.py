"""The console platform: one terminal, plain text, numbered buttons."""
from __future__ import annotations

from bot.core.capabilities import Capabilities

CONSOLE = Capabilities(payload_bytes=64, edits=False)  # a terminal prints anew; no length limits of its own
