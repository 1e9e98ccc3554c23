"""/grant and /revoke: admins give and take roles. The first admins come from PANELIST_ADMINS."""
from __future__ import annotations

from handlers.shared.context import Context
from bot.core.router import Router
from domain.identity import parse_identity
from domain.profile import ROLES
from handlers.shared.replies import say

router = Router("admin")


async def _target(ctx: Context, args: str):
    parts = args.split()
    if len(parts) != 2 or parts[0].lower() not in ROLES or parts[0].lower() == "expert":
        return None, None, [say("grant.usage", roles=", ".join(r for r in ROLES if r != "expert"))]
    try:
        key = parse_identity(parts[1])
    except ValueError:
        return None, None, [say("grant.bad_identity", identity=parts[1][:80])]
    identity = await ctx.uow.identities.find(key.platform, key.workspace, key.user_id)
    if identity is None:
        return None, None, [say("grant.unknown_person", identity=str(key))]
    return parts[0].lower(), identity, None


@router.command("grant", roles={"admin"}, help_key="command.grant.help")
async def grant(ctx: Context, event) -> list:
    role, identity, error = await _target(ctx, event.args)
    if error:
        return error
    if not await ctx.uow.roles.grant(identity.person_id, role, ctx.person.id, ctx.now):
        return [say("grant.already", role=role)]
    await ctx.audit("role.granted", role=role, to=identity.person_id)
    return [say("grant.done", role=role, identity=f"{identity.platform}:{identity.user_id}"),
            ctx.send_to(identity.person_id, *say("grant.notice", role=role).message.blocks)]


@router.command("revoke", roles={"admin"}, help_key="command.revoke.help")
async def revoke(ctx: Context, event) -> list:
    role, identity, error = await _target(ctx, event.args)
    if error:
        return error
    if role == "admin" and identity.person_id == ctx.person.id:
        return [say("revoke.self")]
    if not await ctx.uow.roles.revoke(identity.person_id, role):
        return [say("revoke.not_held", role=role)]
    await ctx.audit("role.revoked", role=role, to=identity.person_id)
    return [say("revoke.done", role=role, identity=f"{identity.platform}:{identity.user_id}")]
