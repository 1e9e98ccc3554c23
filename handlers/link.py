"""/link: one person, several platforms. A code made on one platform is redeemed once on another, within minutes,
and joins the two identities only when the code's owner confirms it on the identity that asked for the code.

Guards against a takeover: a code never joins two identities of one platform; a configured admin identity is never
moved; the owner is asked first and both sides hear the outcome; failed codes are limited per person (counted in
the database, so every process sees the same count)."""
from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from bot.core.actions import ActionData
from bot.core.blocks import Buttons, Reply, Span, button, text
from bot.core.operations import SendMessage, Target
from bot.core.router import Router
from bot.i18n.text import When, msg, user_text
from bot.core.turn import configured_admin
from domain.link_codes import FAILURE_LIMIT, FAILURE_WINDOW, LENGTH, new_code, normalise
from handlers.shared.context import Context
from handlers.shared.replies import say

router = Router("link")


class LinkDecision(ActionData):
    code: str = Field(alias="c", min_length=LENGTH, max_length=LENGTH)


class ConfirmLink(LinkDecision, name="link.confirm"):
    pass


class RefuseLink(LinkDecision, name="link.refuse"):
    pass


def _is_admin(ctx: Context, identity) -> bool:
    # Without the workspaces seen, a member id alone counts: here being an admin only refuses (the cautious side).
    return configured_admin([tuple(k) for k in ctx.settings.admin_identities], identity.platform, identity.workspace,
                            identity.user_id)


def _to(identity, key: str, **params) -> SendMessage:
    return SendMessage(to=Target.identity(identity.person_id, identity.id),
                       message=Reply(blocks=[text(msg(key, **params))]))


async def _failed(ctx: Context, key: str) -> list:
    await ctx.uow.links.record_failure(ctx.person.id, ctx.now, ctx.now - FAILURE_WINDOW)
    await ctx.audit("link.failed")
    return [say(key)]


@router.command("link", help_key="command.link.help")
async def link(ctx: Context, event) -> list:
    typed = (event.args or "").strip()
    if not typed:
        code = new_code()
        expires = ctx.now + timedelta(minutes=ctx.settings.link_code_minutes)
        await ctx.uow.links.create(code, ctx.person.id, expires, owner_identity=ctx.identity.id)
        await ctx.audit("link.code_created")
        return [ctx.reply(text(msg("link.code_intro")), text(Span(text=code, style="code")),
                          text(msg("link.code_howto", code=code, expires=When(at=expires, style="time"))))]
    tally = await ctx.uow.links.failures(ctx.person.id)
    if tally and tally["failures"] >= FAILURE_LIMIT and tally["window_start"] > ctx.now - FAILURE_WINDOW:
        return [say("link.too_many", retry=When(at=tally["window_start"] + FAILURE_WINDOW, style="time"))]
    code = normalise(typed[:64])
    if code is None:
        return await _failed(ctx, "link.bad_code")
    found = await ctx.uow.links.peek(code, ctx.now)
    owner_identity = await ctx.uow.identities.get(found["owner_identity"]) if found and found["owner_identity"] else None
    if found is None or owner_identity is None or owner_identity.person_id != found["person_id"]:
        return await _failed(ctx, "link.expired")
    if found["person_id"] == ctx.person.id:
        return [say("link.same_person")]
    if owner_identity.platform == ctx.identity.platform:
        await ctx.audit("link.refused_same_platform", owner=found["person_id"])
        return [say("link.same_platform", platform=ctx.identity.platform)]
    if _is_admin(ctx, ctx.identity):
        await ctx.audit("link.refused_admin", owner=found["person_id"])
        return [say("link.admin_refused")]
    if await ctx.uow.links.redeem(code, ctx.identity.id, ctx.now) is None:
        return await _failed(ctx, "link.expired")
    name = user_text(ctx.identity.display_name or ctx.person.display_name or ctx.identity.user_id)
    await ctx.audit("link.requested", owner=found["person_id"], identity=ctx.identity.id)
    ask = SendMessage(to=Target.identity(owner_identity.person_id, owner_identity.id), message=Reply(blocks=[
        text(msg("link.confirm_ask", platform=ctx.identity.platform, name=name)),
        Buttons(rows=[[button(msg("link.confirm"), ConfirmLink(code=code)),
                       button(msg("link.refuse"), RefuseLink(code=code))]]),
    ]))
    return [ask, say("link.waiting", platform=owner_identity.platform)]


async def _decide(ctx: Context, code: str, decision: str):
    """Close the pending request on `code` (only the identity that asked for it can, once); its redeemer or None."""
    redeemer_id = await ctx.uow.links.decide(code, ctx.identity.id, decision, ctx.now)
    return await ctx.uow.identities.get(redeemer_id) if redeemer_id is not None else None


@router.action(ConfirmLink)
async def confirm(ctx: Context, event, press: ConfirmLink) -> list:
    redeemer = await _decide(ctx, press.code, "confirmed")
    if redeemer is None:
        return [say("link.request_gone")]
    if redeemer.person_id == ctx.person.id:
        return [say("link.same_person")]
    # Checked when the code was redeemed; checked again now, when the identity moves.
    if redeemer.platform == ctx.identity.platform:
        return [say("link.same_platform", platform=redeemer.platform)]
    if _is_admin(ctx, redeemer):
        await ctx.audit("link.refused_admin", identity=redeemer.id)
        return [say("link.admin_refused"), _to(redeemer, "link.refused", platform=ctx.identity.platform)]
    old_person = redeemer.person_id
    await ctx.uow.identities.move_to(redeemer.id, ctx.person.id)
    if not await ctx.uow.identities.for_person(old_person):
        await ctx.uow.people.mark_merged(old_person, ctx.person.id)
    await ctx.uow.audit.log(ctx.person.id, "link.joined", {"identity": redeemer.id, "from_person": old_person}, ctx.now)
    name = user_text(redeemer.display_name or redeemer.user_id)
    moved = redeemer.model_copy(update={"person_id": ctx.person.id})
    return [say("link.confirmed", platform=redeemer.platform, name=name),
            _to(moved, "link.done", platform=redeemer.platform)]


@router.action(RefuseLink)
async def refuse(ctx: Context, event, press: RefuseLink) -> list:
    redeemer = await _decide(ctx, press.code, "refused")
    if redeemer is None:
        return [say("link.request_gone")]
    await ctx.audit("link.refused", identity=redeemer.id)
    return [say("link.refused_owner", platform=redeemer.platform, name=user_text(redeemer.display_name or redeemer.user_id)),
            _to(redeemer, "link.refused", platform=ctx.identity.platform)]
