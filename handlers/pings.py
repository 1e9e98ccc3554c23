"""/ping: ask experts a question with a window (e.g. "Can you take tasks in Project X next week?").

Each target gets a DM with answer buttons; the manager gets one summary that is edited as answers arrive;
non-responders get one reminder at 80% of the window (a reminder row, so quiet hours apply); at the close the
manager gets the final summary and a CSV. Away experts are not pinged; unreachable ones are named.
"""
from __future__ import annotations

import base64
import io
from datetime import timedelta

from pydantic import BaseModel, Field, field_validator

from bot.core.actions import ActionData
from bot.core.blocks import Buttons, File, Heading, LongText, Reply, Span, button, text
from handlers.shared.context import Context
from bot.core.forms import FieldKind, FieldSpec, FormSpec
from bot.core.operations import EditMessage, SendMessage, Target
from bot.core.router import Router
from handlers.shared.context import TickContext
from bot.i18n.text import When, msg, user_text
from domain.availability import is_away
from domain.csv_safety import SafeCsvWriter
from handlers.shared.person_labels import labels_of
from handlers.shared.reminder_renderers import renders
from handlers.shared.replies import joined, say
from handlers.shared.targets import TARGET_CHECKS, TargetChoice, resolve, target_fields
from storage.uow import UnitOfWork

router = Router("pings")
FORM, HOURS_FORM = "ping", "ping_hours"
STANDARD = ("yes", "hours", "no")
SHOWN = 50  # names listed per line of a summary; the CSV at the close has everyone


class AnswerPing(ActionData, name="ping.answer"):
    ping: int = Field(alias="p")
    code: str = Field(alias="o", max_length=8)  # a standard answer or "c<index>", a custom option


class PingForm(TargetChoice):
    question: str = Field(min_length=5, max_length=1000)
    window_hours: int = Field(ge=1, le=336)
    options: str | None = Field(default=None, max_length=300)

    @field_validator("options")
    @classmethod
    def _few(cls, v: str | None) -> str | None:
        if v and len([o for o in v.split(",") if o.strip()]) > 5:
            raise ValueError("key:ping.error.options")
        return v


def _form(ctx: Context, params: dict) -> FormSpec:
    return FormSpec(id=FORM, title=msg("ping.title"), submit_label=msg("ping.send"), fields=target_fields() + [
        FieldSpec(id="question", kind=FieldKind.long_text, label=msg("ping.question"), max_length=1000),
        FieldSpec(id="window_hours", kind=FieldKind.number, label=msg("ping.window"), min=1, max=336),
        FieldSpec(id="options", kind=FieldKind.short_text, label=msg("ping.options"), help=msg("ping.options.help"),
                  required=False, max_length=300),
    ])


def _options(custom: list[str]) -> list[tuple[str, object]]:
    return [(code, msg(f"ping.answer.{code}")) for code in STANDARD] + [(f"c{i}", label) for i, label in enumerate(custom)]


async def _created(ctx: Context, form: PingForm, session) -> list:
    people, error = await resolve(ctx.uow, form, exclude=ctx.person.id)
    if error is not None:
        return [ctx.reply(text(error))]
    available = []
    for pid in people:
        if not is_away(await ctx.uow.availability.get(pid), ctx.now):
            available.append(pid)
    custom = [o.strip()[:60] for o in (form.options or "").split(",") if o.strip()]
    window_end = ctx.now + timedelta(hours=form.window_hours)
    ping_id = await ctx.uow.pings.create(ctx.person.id, form.question, form.describe(), custom, window_end,
                                         available, ctx.now)
    await ctx.audit("ping.created", ping=ping_id, targets=len(available), away=len(people) - len(available))
    ops: list = []
    for pid in available:
        buttons = [button(label, AnswerPing(ping=ping_id, code=code)) for code, label in _options(custom)]
        ops.append(SendMessage(to=Target.person(pid), tag=f"ping:{ping_id}", message=Reply(blocks=[
            Heading(text=msg("ping.incoming")), LongText(title=msg("ping.question"), text=form.question),
            text(msg("ping.answer_by", at=When(at=window_end))),
            Buttons(rows=[buttons[i:i + 2] for i in range(0, len(buttons), 2)])])))
        await ctx.uow.reminders.schedule(pid, "ping", f"ping:{ping_id}:{pid}",
                                         ctx.now + timedelta(hours=form.window_hours) * 0.8, {"ping": ping_id}, ctx.now)
    ops.append(SendMessage(message=await summary(ctx.uow, ping_id, final=False), ref=f"ping:{ping_id}:summary"))
    return ops


async def summary(uow: UnitOfWork, ping_id: int, final: bool) -> Reply:
    """Who answered what (each answer with its people, hours beside those who offered some), who is still silent
    and who could not be reached."""
    ping = await uow.pings.get(ping_id)
    targets = await uow.pings.targets(ping_id)
    by_answer: dict[str, list[dict]] = {}
    silent = []
    for t in targets:
        if t["answer"] is None:
            silent.append(t["person_id"])
        else:
            by_answer.setdefault(t["answer"], []).append(t)
    hours = sum(t["hours"] or 0 for t in targets if t["answer"] is not None)
    failed = {pid for pid, _ in await uow.outbox.failed_people(f"ping:{ping_id}")}
    names = await labels_of(uow, [t["person_id"] for t in targets] + sorted(failed))
    blocks: list = [Heading(text=msg("ping.summary.final" if final else "ping.summary.live")),
                    LongText(title=msg("ping.question"), text=ping.question),
                    text(msg("ping.summary.counts", answered=len(targets) - len(silent), total=len(targets)))]
    for code, label in _options(ping.options):
        answered = by_answer.get(code)
        if answered:
            blocks.append(text("• ", label, ": ", str(len(answered)), " — ", *_who(answered[:SHOWN], names)))
    if hours:
        blocks.append(text(msg("ping.summary.hours", hours=hours)))
    waiting = [names[p] for p in silent if p not in failed]
    if waiting:
        blocks.append(text(Span(text=msg("ping.summary.waiting"), style="bold"), " ", *joined(waiting[:SHOWN])))
    if failed:
        blocks.append(text(Span(text=msg("ping.summary.unreachable"), style="bold"), " ",
                           *joined(names[p] for p in sorted(failed))))
    return Reply(blocks=blocks)


def _who(answered: list[dict], names: dict[int, str]) -> list:
    """The people behind one answer, each with the hours they offered when they gave a number."""
    pieces: list = []
    for i, t in enumerate(answered):
        if i:
            pieces.append(", ")
        name = user_text(names[t["person_id"]])
        pieces.append(msg("ping.summary.offered", name=name, hours=t["hours"]) if t["hours"] else name)
    return pieces


@router.command("ping", roles={"manager"}, help_key="command.ping.help")
async def start(ctx: Context, event) -> list:
    return await ctx.forms.open(FORM, resume=False)


@router.action(AnswerPing)
async def answered(ctx: Context, event, press: AnswerPing) -> list:
    ping_id, code = press.ping, press.code
    ping = await ctx.uow.pings.get(ping_id)
    if ping is None or code not in [c for c, _ in _options(ping.options)]:
        return [say("error.button_expired")]
    if code == "hours":
        return await ctx.forms.open(HOURS_FORM, params={"p": ping_id})
    return await _record(ctx, ping, code, None)


async def _record(ctx: Context, ping, code: str, hours: int | None) -> list:
    if not await ctx.uow.pings.answer(ping.id, ctx.person.id, code, hours, ctx.now):
        return [say("ping.closed")]
    a = await ctx.uow.availability.get(ctx.person.id)
    if code == "yes":
        a = a.model_copy(update={"status": "available", "hours_this_week": None, "away_until": None})
    elif code in ("hours", "no"):
        a = a.model_copy(update={"status": "limited", "hours_this_week": hours or 0, "away_until": None})
    await ctx.uow.availability.save(a, ctx.now)
    await ctx.audit("ping.answered", ping=ping.id, answer=code, hours=hours)
    return [say("ping.thanks"),
            EditMessage(to=Target.person(ping.manager_id), ref=f"ping:{ping.id}:summary",
                        message=await summary(ctx.uow, ping.id, final=False))]


class HoursForm(BaseModel):
    hours: int = Field(ge=1, le=80)


def _hours_form(ctx: Context, params: dict) -> FormSpec:
    return FormSpec(id=HOURS_FORM, title=msg("ping.title"), confirm=False, fields=[
        FieldSpec(id="hours", kind=FieldKind.number, label=msg("ping.how_many_hours"), min=1, max=80)])


async def _hours_given(ctx: Context, form: HoursForm, session) -> list:
    ping = await ctx.uow.pings.get(int(session.params["p"]))
    if ping is None:
        return [say("error.button_expired")]
    return await _record(ctx, ping, "hours", form.hours)


router.form(FORM, model=PingForm, build=_form, on_complete=_created, field_checks=TARGET_CHECKS)
router.form(HOURS_FORM, model=HoursForm, build=_hours_form, on_complete=_hours_given)


@renders("ping")
async def _ping_reminder(uow: UnitOfWork, reminder, now):
    ping = await uow.pings.get(int(reminder.payload.get("ping", 0)))
    if ping is None or ping.closed_at is not None:
        return None
    mine = [t for t in await uow.pings.targets(ping.id) if t["person_id"] == reminder.person_id]
    if not mine or mine[0]["answer"] is not None:
        return None
    buttons = [button(label, AnswerPing(ping=ping.id, code=code)) for code, label in _options(ping.options)]
    return [text(msg("ping.reminder", at=When(at=ping.window_end))), LongText(title=msg("ping.question"), text=ping.question),
            Buttons(rows=[buttons[i:i + 2] for i in range(0, len(buttons), 2)])]


@router.tick(every=30, name="pings.close")
async def close_tick(tick: TickContext) -> int:
    uow = tick.uow
    closed = await uow.pings.close_due(tick.now)
    for ping in closed:
        final = await summary(uow, ping.id, final=True)
        final.blocks.append(File(data_b64=base64.b64encode(await _csv(uow, ping.id)).decode(),
                                 filename=f"ping-{ping.id}.csv", mime="text/csv"))
        tick.send(SendMessage(to=Target.person(ping.manager_id), message=final))
    return len(closed)


async def _csv(uow: UnitOfWork, ping_id: int) -> bytes:
    """person (display name: neutralized text), answer (text), hours (a number), answered_at, handle (the
    platform handle without its @, which a spreadsheet would read as a formula; in its own column so a sheet can
    sort by name); see `domain.csv_safety`."""
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(["person", "answer", "hours", "answered_at", "handle"])
    for t in await uow.pings.targets(ping_id):
        name, handle, platform_name = await uow.identities.naming(t["person_id"])
        writer.writerow([name or platform_name or f"#{t['person_id']}", t["answer"] or "", t["hours"] or "",
                         t["answered_at"].isoformat() if t["answered_at"] else "", handle or ""])
    return out.getvalue().encode()
