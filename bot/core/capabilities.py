"""What a platform can show: the one source of the limits replies degrade by.

Each adapter package declares its platform's `Capabilities` (`bot.adapters.console.CONSOLE`,
`bot.adapters.telegram.TELEGRAM`, `bot.adapters.slack.SLACK`) and sets it as its adapter's `capabilities`; its
renderer reads these limits from that object, not from constants of its own. The core asks the runtime for the
capabilities of the adapter registered for a platform (`Runtime.capabilities_for`): staging encodes buttons within
`payload_bytes`, and the forms engine opens modals and edits messages only where the platform can. A platform with
no adapter in this process (its deliveries wait in the outbox for another process) gets `FALLBACK`, the narrowest.

Every field below is read (it says by whom); the fields nobody read (ephemeral notices, home tab, files) are gone.
Details only one renderer needs (Telegram's caption and callback answer, Slack's header, field and option
lengths) stay in that renderer.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from bot.i18n.text import COMMAND_FORM


class Capabilities(BaseModel):
    model_config = ConfigDict(frozen=True)

    payload_bytes: int  # a button's payload in bytes: staging stores a token for a longer action; renderers refuse more
    max_text: int | None = None  # characters of one message as the platform counts them (renderers split or cut)
    max_section_text: int | None = None  # characters of one section block (the Slack renderer splits)
    max_blocks: int | None = None  # blocks of one message (the Slack renderer splits or cuts)
    button_text: int | None = None  # characters of a button label (the Slack renderer cuts)
    modals: bool = False  # the forms engine opens a form whole (a Slack modal) instead of walking it step by step
    # characters a modal's text input holds (Slack renderer; the forms engine walks a draft with a longer answer
    # step by step instead, so reopening it never cuts the answer)
    modal_text: int | None = None
    edits: bool = True  # the forms engine edits the message a wizard button was pressed on instead of sending anew
    # how a command is written in replies (staging localizes `{cmd:next}` and `Command` with it): `{name}` is the
    # command's name; Slack has one slash command, so there it is `/panelist {name}`
    command: str = COMMAND_FORM


FALLBACK = Capabilities(payload_bytes=64, max_text=4096, edits=False)
