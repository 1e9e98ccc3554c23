"""What a platform can show. Replies degrade by these numbers, not by platform names."""
from __future__ import annotations

from pydantic import BaseModel


class Capabilities(BaseModel):
    max_text: int  # characters per message as the platform measures them
    max_blocks: int = 1000
    max_section_text: int = 100_000
    payload_bytes: int = 64  # button payload limit in bytes
    button_text: int = 64
    modals: bool = False  # forms open whole (Slack) instead of as a wizard
    ephemeral: bool = False
    edits: bool = True
    home: bool = False
    files: bool = True


CONSOLE = Capabilities(max_text=100_000, payload_bytes=64, edits=False)
TELEGRAM = Capabilities(max_text=4096, payload_bytes=64, button_text=64)
SLACK = Capabilities(
    max_text=40_000, max_blocks=50, max_section_text=3000, payload_bytes=2000, button_text=75,
    modals=True, ephemeral=True, home=True,
)
BY_PLATFORM = {"console": CONSOLE, "telegram": TELEGRAM, "slack": SLACK}
