"""The home view (Slack App Home): who you are and buttons for the main actions."""
from __future__ import annotations

from bot.core.blocks import Heading, Reply, text
from handlers.shared.context import Context
from bot.core.operations import PublishHome
from bot.core.router import Router
from bot.i18n.text import msg
from handlers.shared.replies import command_buttons

router = Router("home")


@router.home()
async def home(ctx: Context, event) -> list:
    name = ctx.person.display_name or msg("home.anonymous")
    blocks = [Heading(text=msg("home.title")), text(msg("home.hello", name=name))]
    if ctx.person.onboarded_at is None:
        blocks += [text(msg("profile.none")), command_buttons("start", "help")]
    else:
        blocks += [command_buttons("profile", "help", "language")]
    return [PublishHome(message=Reply(blocks=blocks))]
