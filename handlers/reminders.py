"""Reminders: rows with a due time in UTC, claimed by a tick, rendered per person, sent at most once.

Each kind can be switched off per person (/reminders), respects the person's quiet hours and away time, and is
capped at one per kind per interval. A recurring reminder computes its next time in the person's zone from
*now*, so a tick missed during downtime fires once, not once per missed occurrence.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Literal

from pydantic import Field

from bot.core.actions import ActionData
from bot.core.blocks import Buttons, Heading, button, text
from handlers.shared.context import Context
from bot.core.operations import EditMessage, SendMessage, Target
from bot.core.blocks import Reply
from bot.core.router import Route, Router, allowed as role_allows
from handlers.shared.context import TickContext
from bot.i18n.text import msg
from domain.local_time import next_allowed, next_weekly
from domain.reminder_times import rezoned_due, weekly_rule
from handlers.shared.reminder_renderers import RENDERERS, renders
from handlers.shared.actions import BackFromAway, ResumeTask
from handlers.shared.replies import command_buttons, say
from handlers.shared.work_access import hourly_projects, reviewable_projects, tasks_open_to
from storage.repos.reminders import ReminderRow
from storage.uow import UnitOfWork

router = Router("reminders")
KINDS = ("lease_warning", "lease_expired", "draft", "deadline", "hours", "assessment", "review_queue", "digest",
         "back_check", "ping", "new_tasks")
CAP = timedelta(hours=6)  # one reminder of a kind per person per interval…
CAPS = {"lease_warning": timedelta(minutes=5), "lease_expired": timedelta(minutes=5), "ping": timedelta(minutes=1),
        "project_news": timedelta(0)}  # each change of a project (handlers.shared.project_lifecycle) is news
# …shorter for kinds about one task or one ping at a time
CLAIM = timedelta(minutes=2)
BATCH = 100  # reminders per transaction: each batch's marks and messages commit together


# Kinds about work only some roles do; everyone else neither sees them in /reminders nor receives them.
KIND_ROLES = {"review_queue": "reviewer", "digest": "manager"}
REZONE_BATCH = 200  # reminders moved to a new zone per tick


class SetReminder(ActionData, name="rem.set"):
    """Switch one kind on or off: the button carries the state it sets, so a second tap changes nothing."""

    kind: Literal[KINDS] = Field(alias="k")  # type: ignore[valid-type]
    on: bool = Field(alias="o")


def kind_allowed(kind: str, roles: set[str]) -> bool:
    role = KIND_ROLES.get(kind)
    return role is None or role_allows(Route(handler=None, roles=frozenset({role})), roles)  # type: ignore[arg-type]


def _hhmm(value: str | None) -> time | None:
    if not value:
        return None
    try:
        hour, minute = value.split(":")
        return time(int(hour), int(minute))
    except ValueError:
        return None


@router.tick(every=30, name="reminders.tick")
async def reminder_tick(tick: TickContext, limit: int = 500) -> int:
    """Claim due reminders, send what may be sent now, defer the rest. Safe with several processes.

    One round claims and settles up to BATCH reminders in one short transaction (the runtime sends after each
    commit) and asks for another round while there may be more, up to `limit` in one run."""
    uow, now = tick.uow, tick.now
    if tick.round == 0:
        await rezone(tick)
    due = await uow.reminders.claim_due(now, CLAIM, min(BATCH, limit - tick.round * BATCH))
    sent = 0
    for reminder in due:
        sent += await _one(tick, reminder)
    if len(due) == BATCH and (tick.round + 1) * BATCH < limit:
        tick.repeat()
    return sent


async def rezone(tick: TickContext) -> int:
    """Recurring reminders of people whose time zone changed (by whatever path: profile, onboarding, the CLI)
    move to the same wall-clock time in the new zone, before they are claimed."""
    moved = 0
    for row in await tick.uow.reminders.out_of_zone(REZONE_BATCH):
        due = rezoned_due(tick.now, row["due_at"], row["last_sent_at"], row["timezone"] or tick.timezone,
                          row["recurrence"])
        moved += await tick.uow.reminders.rezone(row["id"], due, row["timezone"], tick.now)
    return moved


async def _one(tick: TickContext, reminder: ReminderRow) -> int:
    uow, now = tick.uow, tick.now
    person = await uow.people.get(reminder.person_id)
    if (person is None or not await uow.reminders.enabled(reminder.person_id, reminder.kind)
            or not kind_allowed(reminder.kind, await uow.roles.of(reminder.person_id))):  # the role may be gone
        await uow.reminders.finish(reminder.id, now, sent=False, next_due=None)
        return 0
    tz = person.timezone or tick.timezone
    avail = await uow.availability.get(reminder.person_id)
    if avail.status == "away" and avail.away_until and avail.away_until > now and reminder.kind != "back_check":
        await uow.reminders.defer(reminder.id, avail.away_until)
        return 0
    allowed = next_allowed(now, tz, _hhmm(avail.quiet_start), _hhmm(avail.quiet_end))
    last = await uow.reminders.last_sent(reminder.person_id, reminder.kind)
    cap = CAPS.get(reminder.kind, CAP)
    if last is not None and last + cap > now:
        allowed = max(allowed, last + cap)
    if allowed > now:
        await uow.reminders.defer(reminder.id, allowed)
        return 0
    render = RENDERERS.get(reminder.kind)
    blocks = await render(uow, reminder, now) if render else None
    next_due = None
    if (rule := weekly_rule(reminder.recurrence)) is not None:
        next_due = next_weekly(now, tz, *rule)
    if not blocks:  # nothing to say any more (the draft was submitted): done, or wait for the next occurrence
        await uow.reminders.finish(reminder.id, now, sent=False, next_due=next_due)
        return 0
    await uow.reminders.record_send(reminder.person_id, reminder.kind, now)
    await uow.reminders.finish(reminder.id, now, sent=True, next_due=next_due)
    await uow.audit.log(reminder.person_id, "reminder.sent", {"kind": reminder.kind, "id": reminder.id}, now)
    tick.send(SendMessage(to=Target.person(reminder.person_id), message=Reply(blocks=blocks)))
    return 1


@renders("draft")
async def _draft(uow: UnitOfWork, reminder: ReminderRow, now: datetime):
    assignment_id = int(reminder.payload.get("assignment", 0))
    open_drafts = [s for s in await uow.forms.open_for(reminder.person_id)
                   if s.form_id == "task" and s.params.get("a") == assignment_id]
    if not open_drafts:
        return None
    return [text(msg("reminder.draft")), command_buttons("drafts")]


@renders("lease_warning")
async def _lease_warning(uow: UnitOfWork, reminder: ReminderRow, now: datetime):
    assignment = await uow.assignments.get(int(reminder.payload.get("assignment", 0)))
    if assignment is None or assignment.status != "active":
        return None  # submitted, skipped or already ended: nothing to warn about
    return [text(msg("task.lease_warning")),
            Buttons(rows=[[button(msg("task.resume_button_short"), ResumeTask(assignment=assignment.id))]])]


@renders("lease_expired")
async def _lease_expired(uow: UnitOfWork, reminder: ReminderRow, now: datetime):
    assignment = await uow.assignments.get(int(reminder.payload.get("assignment", 0)))
    if assignment is None or assignment.status != "expired":
        return None
    return [text(msg("task.lease_expired")),
            Buttons(rows=[[button(msg("task.resume_button_short"), ResumeTask(assignment=assignment.id))]])]


@renders("back_check")
async def _back(uow: UnitOfWork, reminder: ReminderRow, now: datetime):
    avail = await uow.availability.get(reminder.person_id)
    if avail.status != "away":
        return None
    return [text(msg("reminder.back_check")), Buttons(rows=[[button(msg("availability.im_back"), BackFromAway())]])]


@renders("hours")
async def _hours(uow: UnitOfWork, reminder: ReminderRow, now: datetime):
    if not await hourly_projects(uow, reminder.person_id):
        return None  # nowhere to log hours: no reminder to log them (the weekly row waits for its next week)
    return [text(msg("reminder.hours")), command_buttons("log")]


async def _open_to_them(uow: UnitOfWork, reminder: ReminderRow, now: datetime):
    """(the project, how many of its items this person could still be given) for a reminder about a project."""
    project = await uow.projects.get(int(reminder.payload.get("project", 0)))
    person = await uow.people.get(reminder.person_id)
    if project is None or person is None:
        return project, 0
    return project, await tasks_open_to(uow, person, project, now)


@renders("deadline")
async def _deadline(uow: UnitOfWork, reminder: ReminderRow, now: datetime):
    project, waiting = await _open_to_them(uow, reminder, now)
    if not waiting:  # closed, or nothing left that this person could take
        return None
    return [text(msg("reminder.deadline", name=project.name)), command_buttons("next")]


def _settings(ctx: Context, prefs: dict[str, bool]) -> list:
    rows = []
    for kind in KINDS:
        if not kind_allowed(kind, ctx.roles):
            continue
        on = prefs.get(kind, True)
        state = msg("reminders.on") if on else msg("reminders.off")
        rows.append([button(msg("reminders.toggle", kind=msg(f"reminders.kind.{kind}"), state=state),
                            SetReminder(kind=kind, on=not on))])
    return [Heading(text=msg("reminders.title")), text(msg("reminders.intro")), Buttons(rows=rows)]


@router.command("reminders", help_key="command.reminders.help")
async def reminder_settings(ctx: Context, event) -> list:
    return [ctx.reply(*_settings(ctx, await ctx.uow.reminders.prefs(ctx.person.id)))]


@router.action(SetReminder)
async def set_reminder(ctx: Context, event, press: SetReminder) -> list:
    """Set the kind to the state the button names and show the list again in place. A second tap on the same
    button (or an old list's) finds it set already: nothing changes and nothing is logged twice."""
    if not kind_allowed(press.kind, ctx.roles):  # roles were read from storage for this press
        return [say("error.not_allowed")]
    if await ctx.uow.reminders.enabled(ctx.person.id, press.kind) != press.on:
        await ctx.uow.reminders.set_enabled(ctx.person.id, press.kind, press.on)
        await ctx.audit("reminders.toggled", kind=press.kind, enabled=press.on)
    reply = Reply(blocks=_settings(ctx, await ctx.uow.reminders.prefs(ctx.person.id)))
    return [EditMessage(message=reply) if ctx.capabilities.edits else SendMessage(message=reply)]


@renders("new_tasks")
async def _new_tasks(uow: UnitOfWork, reminder: ReminderRow, now: datetime):
    project, waiting = await _open_to_them(uow, reminder, now)
    if not waiting:
        return None
    return [text(msg("reminder.new_tasks", count=waiting, name=project.name)), command_buttons("next")]


@renders("review_queue")
async def _review_queue(uow: UnitOfWork, reminder: ReminderRow, now: datetime):
    projects = await reviewable_projects(uow, reminder.person_id, await uow.roles.of(reminder.person_id))
    pending = await uow.submissions.pending_review_count(excluding_person=reminder.person_id, project_ids=projects)
    if not pending:
        return None
    return [text(msg("reminder.review_queue", count=int(pending))), command_buttons("review")]


@renders("digest")
async def _digest(uow: UnitOfWork, reminder: ReminderRow, now: datetime):
    lines = [Heading(text=msg("reminder.digest.title"))]
    for project in (await uow.projects.open_projects())[:10]:
        c = await uow.tasks.counts(project.id)
        lines.append(text(msg("reminder.digest.project", name=project.name, done=c["done"],
                              items=msg("common.items_count", count=c["items"]),
                              answers=msg("common.answers_count", count=c["answers"]))))
    pending = await uow.submissions.pending_review_count()
    open_pings = await uow.pings.open_count()
    lines.append(text(msg("reminder.digest.waiting", reviews=msg("common.reviews_count", count=int(pending)),
                          pings=msg("common.open_pings_count", count=int(open_pings)))))
    return lines if len(lines) > 1 or pending or open_pings else None


@router.tick(every=3600, name="reminders.daily")
async def schedule_daily(tick: TickContext) -> int:
    """Each reviewer's queue note and each manager's digest, due at 09:00 in their own zone (once per day)."""
    from domain.local_time import next_daily

    uow, now = tick.uow, tick.now
    made = 0
    for role, kind in (("reviewer", "review_queue"), ("manager", "digest"), ("admin", "digest")):
        for person_id in await uow.roles.holders(role):
            person = await uow.people.get(person_id)
            due = next_daily(now, (person.timezone if person else None) or tick.timezone, time(9, 0))
            if await uow.reminders.schedule(person_id, kind, f"{kind}:{person_id}:{due.date().isoformat()}",
                                            due, {}, now):
                made += 1
    return made
