"""Naming people: choosing among several a name matched (the button runs the same command again with the chosen
person written precisely: `bot.core.commands.run` checks the presser's roles now, and the command looks the person
up again, so forged button data can do no more than typing the command could); and a manager's forward of
someone's message on Telegram, answered with who it is and how to name them with it."""
from __future__ import annotations

from bot.core.blocks import text
from bot.core.commands import run
from bot.core.router import Router
from bot.i18n.text import msg, user_text
from handlers.shared.context import Context
from handlers.shared.people_names import PickPerson, find_person, referred

router = Router("people")


@router.action(PickPerson)
async def person_picked(ctx: Context, event, press: PickPerson) -> list:
    return await run(ctx, event.model_copy(update={"delivery_id": press.origin}), press.command, press.args)


@router.text(roles={"manager"})
async def forwarded(ctx: Context, event) -> list:
    """A forward outside any form (a form's "who?" step takes it as its answer before this route)."""
    if not referred(event):
        return []
    named = await find_person(ctx, referred(event))
    if isinstance(named, list):
        shown = event.refers_to.display_name or event.refers_to.username or referred(event)
        return [ctx.reply(text(msg("people.forwarded_unknown", name=user_text(shown))))]
    return [ctx.reply(text(msg("people.forwarded", name=user_text(named.label))))]
