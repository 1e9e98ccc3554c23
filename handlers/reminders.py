"""Reminders: rows with a due time in UTC, claimed by a tick, rendered per person, sent at most once.

Each kind can be switched off per person (/reminders), respects the person's quiet hours and away time, and is
capped at one per kind per interval. A recurring reminder computes its next time in the person's zone from
*now*, so a tick missed during downtime fires once, not once per missed occurrence.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Awaitable, Callable

from bot.core.blocks import Buttons, Heading, button, text
from bot.core.context import Context
from bot.core.operations import SendMessage, Target
from bot.core.blocks import Reply
from bot.core.router import Router
from bot.core.text import msg
from bot.domain.local_time import next_allowed, next_weekly
from handlers.replies import command_buttons, say
from storage.repos.reminders import ReminderRow
from storage.uow import UnitOfWork

router = Router("reminders")
KINDS = ("draft", "deadline", "hours", "assessment", "review_queue", "digest", "back_check", "ping")
CAP = timedelta(hours=6)  # one reminder of a kind per person per interval
CLAIM = timedelta(minutes=2)

Renderer = Callable[[UnitOfWork, ReminderRow], Awaitable["list | None"]]
RENDERERS: dict[str, Renderer] = {}


def renders(kind: str):
    def register(fn: Renderer) -> Renderer:
        RENDERERS[kind] = fn
        return fn
    return register


def _hhmm(value: str | None) -> time | None:
    if not value:
        return None
    try:
        hour, minute = value.split(":")
        return time(int(hour), int(minute))
    except ValueError:
        return None


async def reminder_tick(runtime, limit: int = 500) -> int:
    """Claim due reminders, send what may be sent now, defer the rest. Safe with several processes."""
    now = runtime.clock()
    async with runtime.db.transaction() as tx:
        uow = UnitOfWork(tx)
        due = await uow.reminders.claim_due(now, CLAIM, limit)
    sent = 0
    for reminder in due:
        async with runtime.db.transaction() as tx:
            uow = UnitOfWork(tx)
            staged = await _one(runtime, uow, reminder, now)
        if staged:
            sent += len(await runtime.deliver_staged(staged))
    return sent


async def _one(runtime, uow: UnitOfWork, reminder: ReminderRow, now: datetime) -> list:
    person = await uow.people.get(reminder.person_id)
    if person is None or not await uow.reminders.enabled(reminder.person_id, reminder.kind):
        await uow.reminders.finish(reminder.id, now, sent=False, next_due=None)
        return []
    tz = person.timezone or runtime.settings.timezone
    avail = await uow.availability.get(reminder.person_id)
    if avail.status == "away" and avail.away_until and avail.away_until > now and reminder.kind != "back_check":
        await uow.reminders.defer(reminder.id, avail.away_until)
        return []
    allowed = next_allowed(now, tz, _hhmm(avail.quiet_start), _hhmm(avail.quiet_end))
    last = await uow.reminders.last_sent(reminder.person_id, reminder.kind)
    if last is not None and last + CAP > now:
        allowed = max(allowed, last + CAP)
    if allowed > now:
        await uow.reminders.defer(reminder.id, allowed)
        return []
    render = RENDERERS.get(reminder.kind)
    blocks = await render(uow, reminder) if render else None
    next_due = None
    if reminder.recurrence and reminder.recurrence.get("weekly") is not None:
        w = reminder.recurrence
        next_due = next_weekly(now, tz, int(w["weekly"]), time(int(w.get("hour", 9)), int(w.get("minute", 0))))
    if not blocks:  # nothing to say any more (the draft was submitted): done, or wait for the next occurrence
        await uow.reminders.finish(reminder.id, now, sent=False, next_due=next_due)
        return []
    await uow.reminders.record_send(reminder.person_id, reminder.kind, now)
    await uow.reminders.finish(reminder.id, now, sent=True, next_due=next_due)
    await uow.audit.log(reminder.person_id, "reminder.sent", {"kind": reminder.kind, "id": reminder.id}, now)
    op = SendMessage(to=Target.person(reminder.person_id), message=Reply(blocks=blocks))
    return await runtime.stage_in(uow, [op], now)


@renders("draft")
async def _draft(uow: UnitOfWork, reminder: ReminderRow):
    session = await uow.forms.get(int(reminder.payload.get("session", 0)))
    if session is None or session.status != "open":
        return None
    return [text(msg("reminder.draft")), command_buttons("drafts")]


@renders("back_check")
async def _back(uow: UnitOfWork, reminder: ReminderRow):
    avail = await uow.availability.get(reminder.person_id)
    if avail.status != "away":
        return None
    return [text(msg("reminder.back_check")), Buttons(rows=[[button(msg("availability.im_back"), "avail.back")]])]


@renders("hours")
async def _hours(uow: UnitOfWork, reminder: ReminderRow):
    return [text(msg("reminder.hours"))]


@renders("deadline")
async def _deadline(uow: UnitOfWork, reminder: ReminderRow):
    project = await uow.projects.get(int(reminder.payload.get("project", 0)))
    if project is None or project.status != "open":
        return None
    return [text(msg("reminder.deadline", name=project.name)), command_buttons("next")]


@router.command("reminders", help_key="command.reminders.help")
async def reminder_settings(ctx: Context, event) -> list:
    prefs = await ctx.uow.reminders.prefs(ctx.person.id)
    rows = []
    for kind in KINDS:
        on = prefs.get(kind, True)
        state = msg("reminders.on") if on else msg("reminders.off")
        rows.append([button(msg("reminders.toggle", kind=msg(f"reminders.kind.{kind}"), state=state), "rem.toggle", k=kind)])
    return [ctx.reply(Heading(text=msg("reminders.title")), text(msg("reminders.intro")), Buttons(rows=rows))]


@router.action("rem.toggle")
async def toggle(ctx: Context, event) -> list:
    kind = str(ctx.action.args.get("k", ""))
    if kind not in KINDS:
        return [say("error.button_expired")]
    now_on = not await ctx.uow.reminders.enabled(ctx.person.id, kind)
    await ctx.uow.reminders.set_enabled(ctx.person.id, kind, now_on)
    await ctx.audit("reminders.toggled", kind=kind, enabled=now_on)
    return await reminder_settings(ctx, event)


def ticks() -> list:
    return [(30, reminder_tick, "reminders.tick")]
