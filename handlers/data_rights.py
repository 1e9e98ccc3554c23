"""Data rights (issue 21): `/mydata` gives a person everything stored about them; `/forget` erases it after a
grace period in which they may still cancel. What is erased and what is kept is storage's rule
(storage/repos/person_data.py); this module asks, confirms, schedules and tells."""
from __future__ import annotations

import base64
from datetime import timedelta

from bot.core.actions import ActionData
from bot.core.blocks import Buttons, File, Heading, button, text
from bot.core.router import Router
from bot.i18n.text import When, msg
from handlers.shared.context import Context, TickContext
from handlers.shared.person_archive import erase_person, person_archive
from handlers.shared.replies import say

router = Router("data_rights")
TICK_SECONDS = 60


class ForgetConfirm(ActionData, name="forget.yes"):
    pass


class ForgetKeep(ActionData, name="forget.no"):
    pass


class ForgetCancel(ActionData, name="forget.cancel"):
    pass


@router.command("mydata", help_key="command.mydata.help")
async def my_data(ctx: Context, event) -> list:
    data, records = await person_archive(ctx.uow, ctx.person.id, ctx.now)
    await ctx.audit("data.exported", person=ctx.person.id, records=records)
    return [ctx.reply(text(msg("mydata.sent", records, records=records)),
                      File(data_b64=base64.b64encode(data).decode(), filename=f"panelist-data-{ctx.now:%Y%m%d}.zip",
                           mime="application/zip", caption=msg("mydata.caption")))]


@router.command("forget", help_key="command.forget.help")
async def forget(ctx: Context, event) -> list:
    due = await ctx.uow.erasures.pending(ctx.person.id)
    if due is not None:  # a second /forget in the grace period: offer to call it off
        return [ctx.reply(text(msg("forget.pending", due=When(at=due))),
                          Buttons(rows=[[button(msg("forget.cancel"), ForgetCancel(), style="primary")]]))]
    grace = ctx.settings.erasure_grace_hours
    return [ctx.reply(Heading(text=msg("forget.title")), text(msg("forget.what_goes")), text(msg("forget.what_stays")),
                      text(msg("forget.grace", grace, hours=grace) if grace else msg("forget.at_once")),
                      Buttons(rows=[[button(msg("forget.confirm"), ForgetConfirm(), style="danger"),
                                     button(msg("forget.keep"), ForgetKeep())]]))]


@router.action(ForgetConfirm)
async def forget_confirmed(ctx: Context, event, press: ForgetConfirm) -> list:
    due = ctx.now + timedelta(hours=ctx.settings.erasure_grace_hours)
    if not await ctx.uow.erasures.request(ctx.person.id, ctx.now, due, by=ctx.person.id):
        return [say("forget.already")]
    await ctx.audit("person.erasure_requested", due=due.isoformat())
    if due <= ctx.now:
        await erase_person(ctx.uow, ctx.pseudonym_key, ctx.person.id, ctx.now)
        return [say("forget.done")]
    return [ctx.reply(text(msg("forget.scheduled", due=When(at=due))),
                      Buttons(rows=[[button(msg("forget.cancel"), ForgetCancel(), style="primary")]]))]


@router.action(ForgetKeep)
async def forget_declined(ctx: Context, event, press: ForgetKeep) -> list:
    return [say("forget.kept")]


@router.action(ForgetCancel)
async def forget_cancelled(ctx: Context, event, press: ForgetCancel) -> list:
    if not await ctx.uow.erasures.cancel(ctx.person.id, ctx.now):
        return [say("forget.nothing_pending")]
    await ctx.audit("person.erasure_cancelled")
    return [say("forget.cancelled")]


@router.tick(every=TICK_SECONDS, name="erasures.due")
async def erasures_due(tick: TickContext) -> int:
    """Carry out erasures whose grace period is over, one per transaction (`repeat` takes the next)."""
    person_id = await tick.uow.erasures.claim_due(tick.now)
    if person_id is None:
        return 0
    await erase_person(tick.uow, tick.pseudonym_key, person_id, tick.now)
    tick.repeat()
    return 1
