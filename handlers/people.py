"""Choosing among several people a name matched: the button runs the same command again with the chosen person
written precisely. `bot.core.commands.run` checks the presser's roles now, and the command looks the person up
again, so forged button data can do no more than typing the command could."""
from __future__ import annotations

from bot.core.commands import run
from bot.core.router import Router
from handlers.shared.context import Context
from handlers.shared.people_names import PickPerson

router = Router("people")


@router.action(PickPerson)
async def person_picked(ctx: Context, event, press: PickPerson) -> list:
    return await run(ctx, event.model_copy(update={"delivery_id": press.origin}), press.command, press.args)
