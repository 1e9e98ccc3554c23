"""/broadcast: one message to a target set, sent by the paced background sweep (the adapters' outboxes hold
Telegram to ~30/s overall and ~1/s per chat, Slack to ~1/s per channel, and honour retry-after). The manager
sees progress and the final count of delivered and failed; failures are recorded per person."""
from __future__ import annotations

from pydantic import Field

from bot.core.blocks import Heading, LongText, Reply, text
from handlers.shared.context import Context
from bot.core.forms import FieldKind, FieldSpec, FormSpec
from bot.core.operations import EditMessage, SendMessage, Target
from bot.core.router import Router
from handlers.shared.context import TickContext
from bot.i18n.text import msg
from handlers.shared.targets import TARGET_CHECKS, TargetChoice, resolve, target_fields

router = Router("broadcast")
FORM = "broadcast"


class BroadcastForm(TargetChoice):
    body: str = Field(min_length=1, max_length=3500)


def _form(ctx: Context, params: dict) -> FormSpec:
    return FormSpec(id=FORM, title=msg("broadcast.title"), submit_label=msg("broadcast.send"), fields=target_fields() + [
        FieldSpec(id="body", kind=FieldKind.long_text, label=msg("broadcast.body"), max_length=3500)])


def _progress(counts: dict, final: bool) -> Reply:
    key = "broadcast.final" if final else "broadcast.progress"
    return Reply(blocks=[Heading(text=msg("broadcast.title")),
                         text(msg(key, sent=counts["sent"], failed=counts["failed"], total=counts["total"]))])


async def _created(ctx: Context, form: BroadcastForm, session) -> list:
    people, error = await resolve(ctx.uow, form, exclude=ctx.person.id)
    if error is not None:
        return [ctx.reply(text(error))]
    broadcast_id = await ctx.uow.broadcasts.create(ctx.person.id, form.body, form.describe(), len(people), ctx.now)
    await ctx.audit("broadcast.created", broadcast=broadcast_id, targets=len(people))
    tag = f"bc:{broadcast_id}"
    ops: list = [SendMessage(to=Target.person(pid), tag=tag, bulk=True, message=Reply(blocks=[
        Heading(text=msg("broadcast.incoming")), LongText(title=msg("broadcast.from_manager"), text=form.body)]))
        for pid in people]
    ops.append(SendMessage(message=_progress({"sent": 0, "failed": 0, "total": len(people)}, False), ref=tag))
    return ops


@router.tick(every=5, name="broadcast.progress")
async def progress_tick(tick: TickContext) -> int:
    """Edit each unfinished broadcast's progress message; finish it when nothing is pending."""
    uow, now = tick.uow, tick.now
    ops = []
    for row in await uow.broadcasts.unfinished():
        tag = f"bc:{row['id']}"
        counts = await uow.outbox.tag_counts(tag)
        counts["total"] = row["total"]
        done = counts["sent"] + counts["failed"] >= row["total"]
        if done and not await uow.broadcasts.finish(row["id"], now):
            continue
        ops.append(EditMessage(to=Target.person(row["manager_id"]), ref=tag, message=_progress(counts, done)))
    tick.send(*ops)
    return len(ops)


@router.command("broadcast", roles={"manager"}, help_key="command.broadcast.help")
async def start(ctx: Context, event) -> list:
    return await ctx.forms.open(FORM, resume=False)


router.form(FORM, model=BroadcastForm, build=_form, on_complete=_created, field_checks=TARGET_CHECKS)
