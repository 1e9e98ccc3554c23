"""The Slack platform (slack-bolt, Block Kit)."""
from __future__ import annotations

from bot.core.capabilities import Capabilities

# The app's one slash command (the manifest in docs/slack.md declares it): `/panelist next` runs `next`.
SLASH_COMMAND = "/panelist"

SLACK = Capabilities(
    payload_bytes=2000,  # a button's value
    max_text=40_000,  # a message's text
    max_section_text=3000,  # a section block's text
    max_blocks=50,  # blocks per message
    button_text=75,  # a button's label
    modals=True,
    modal_text=3000,  # a plain_text_input's max_length
    edits=True,
    command=SLASH_COMMAND + " {name}",  # every command runs through the one slash command
)
