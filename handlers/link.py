"""/link: one person, several platforms. A code made on one platform is redeemed once on another, within minutes."""
from __future__ import annotations

from datetime import timedelta

from bot.core.blocks import Span, text
from handlers.shared.context import Context
from bot.core.router import Router
from bot.i18n.text import When, msg
from domain.link_codes import new_code, normalise
from handlers.shared.replies import say

router = Router("link")


@router.command("link", help_key="command.link.help")
async def link(ctx: Context, event) -> list:
    typed = (event.args or "").strip()
    if not typed:
        code = new_code()
        expires = ctx.now + timedelta(minutes=ctx.settings.link_code_minutes)
        await ctx.uow.links.create(code, ctx.person.id, expires)
        await ctx.audit("link.code_created")
        return [ctx.reply(text(msg("link.code_intro")), text(Span(text=code, style="code")),
                          text(msg("link.code_howto", code=code, expires=When(at=expires, style="time"))))]
    code = normalise(typed)
    if code is None:
        return [say("link.bad_code")]
    owner = await ctx.uow.links.redeem(code, ctx.identity.id, ctx.now)
    if owner is None:
        return [say("link.expired")]
    if owner == ctx.person.id:
        return [say("link.same_person")]
    old_person = ctx.person.id
    await ctx.uow.identities.move_to(ctx.identity.id, owner)
    if not await ctx.uow.identities.for_person(old_person):
        await ctx.uow.people.mark_merged(old_person, owner)
    await ctx.uow.audit.log(owner, "link.joined", {"identity": ctx.identity.id, "from_person": old_person}, ctx.now)
    return [say("link.done", platform=ctx.identity.platform)]
