"""/grant and /revoke: admins give and take roles. The first admins come from PANELIST_ADMINS."""
from __future__ import annotations

from handlers.shared.context import Context
from bot.core.router import Router
from bot.i18n.text import user_text
from domain.profile import ROLES
from handlers.shared.people_names import find_person, referred
from handlers.shared.replies import say

router = Router("admin")


async def _target(ctx: Context, event):
    """/grant ROLE PERSON: the person as a manager sees them (a mention, @handle, name, or a reply on Telegram)."""
    role, _, who = (event.args or "").strip().partition(" ")
    who = who.strip() or referred(event)
    if not who or role.lower() not in ROLES or role.lower() == "expert":
        return None, None, [say("grant.usage", roles=", ".join(r for r in ROLES if r != "expert"))]
    found = await find_person(ctx, who, lambda key: f"{role.lower()} {key}")
    if isinstance(found, list):
        return None, None, found
    return role.lower(), found, None


@router.command("grant", roles={"admin"}, help_key="command.grant.help")
async def grant(ctx: Context, event) -> list:
    role, named, error = await _target(ctx, event)
    if error:
        return error
    if not await ctx.uow.roles.grant(named.person_id, role, ctx.person.id, ctx.now):
        return [say("grant.already", role=role)]
    await ctx.audit("role.granted", role=role, to=named.person_id)
    return [say("grant.done", role=role, identity=user_text(named.label)),
            ctx.send_to(named.person_id, *say("grant.notice", role=role).message.blocks)]


@router.command("revoke", roles={"admin"}, help_key="command.revoke.help")
async def revoke(ctx: Context, event) -> list:
    role, named, error = await _target(ctx, event)
    if error:
        return error
    if role == "admin" and named.person_id == ctx.person.id:
        return [say("revoke.self")]
    if not await ctx.uow.roles.revoke(named.person_id, role):
        return [say("revoke.not_held", role=role)]
    await ctx.audit("role.revoked", role=role, to=named.person_id)
    return [say("revoke.done", role=role, identity=user_text(named.label))]
