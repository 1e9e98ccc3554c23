"""/log, /timer, /timesheet for experts; /approvals for managers (issue 9).

Rules live in `domain.timesheet` (what arguments mean, limits) and `handlers.shared.money_hooks` (what approved
hours earn). Every button names only ids: the presser's ownership or role is checked again against storage.
"""
from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from bot.core.actions import ActionData
from bot.core.blocks import Buttons, Heading, Reply, Span, button, text
from handlers.shared.context import Context
from handlers.shared.person_labels import label_of
from bot.core.forms import FieldKind, FieldSpec, FormSpec
from bot.core.operations import EditMessage, SendMessage, Target
from bot.core.router import Router
from handlers.shared.context import TickContext
from bot.i18n.text import Day, Duration, Msg, msg, user_text
from bot.core.wizard import Problem
from domain.dates import DateInvalid, parse_log_date, parse_week, week_bounds
from domain.typed_words import timer_op
from domain.durations import DurationInvalid, format_minutes, parse_duration
from domain.timesheet import (
    LOCK_DAYS, TIMER_DAILY_CAP_MINUTES, TIMER_IDLE_NUDGE_MINUTES, LogInvalid, check_day, check_day_cap,
    match_projects, parse_log_args, timer_minutes,
)
from handlers.shared import money_hooks
from handlers.shared.local_today import local_today
from handlers.shared.progress_report import tasks_done_in_week
from handlers.shared.replies import command_buttons, say
from handlers.shared.work_access import hourly_projects as hourly_projects_of

router = Router("hours")
EDIT_FORM, REJECT_FORM = "hours.edit", "hours.reject"
MAX_LISTED = 12


class LogFor(ActionData, name="hours.pick"):
    """/log named several projects: this one, with what was typed."""

    project: int = Field(alias="p")
    minutes: int = Field(alias="m", gt=0, le=24 * 60)
    day: date = Field(alias="d")
    note: str = Field(default="", alias="n", max_length=60)
    # One key for the whole picker: its hours are booked once, whichever project button is pressed how often.
    once: str = Field(default="", alias="t", max_length=16)


class TimerDo(ActionData, name="timer.do"):
    op: Literal["start", "pause", "stop"]
    project: int | None = Field(default=None, alias="p")


class OtherWeek(ActionData, name="hours.week"):
    week: date = Field(alias="w")  # a day of the week to show


class EditEntry(ActionData, name="hours.edit"):
    entry: int = Field(alias="e")


class DeleteEntry(ActionData, name="hours.delete"):
    """Asks first (ConfirmDelete deletes)."""

    entry: int = Field(alias="e")


class ConfirmDelete(ActionData, name="hours.delete_yes"):
    entry: int = Field(alias="e")
    week: date = Field(alias="w")  # the Monday of the sheet to show afterwards (the entry is gone by then)


class ApproveWeek(ActionData, name="hours.approve"):
    person: int = Field(alias="p")
    week: date = Field(alias="w")  # its Monday


class ApproveAll(ActionData, name="hours.approve_all"):
    pass


class RejectWeek(ActionData, name="hours.reject"):
    person: int = Field(alias="p")
    week: date = Field(alias="w")  # its Monday


def _local_date(at: datetime, tz: str) -> date:
    try:
        return at.astimezone(ZoneInfo(tz)).date()
    except Exception:
        return at.date()


async def hourly_projects(ctx: Context) -> list:
    return await hourly_projects_of(ctx.uow, ctx.person.id)


def _refusal(exc: Exception) -> SendMessage:
    params = dict(exc.params)  # type: ignore[attr-defined]
    if "left_minutes" in params:  # time left on a day: hours and minutes, never "1,050 minutes"
        params["left"] = Duration(minutes=params.pop("left_minutes"))
    if "word" in params:  # a word the person typed, quoted back: isolated like any user text
        params["word"] = user_text(params["word"])
    return say(exc.reason_key, **params)  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------------------------ /log
@router.command("log", help_key="command.log.help")
async def log_hours(ctx: Context, event) -> list:
    projects = await hourly_projects(ctx)
    if not projects:
        return [say("hours.no_projects")]
    today = local_today(ctx)
    try:
        request = parse_log_args(getattr(event, "args", "") or "", today, [(p.id, p.name) for p in projects],
                                 locale=ctx.locale)
    except LogInvalid as exc:  # no arguments: say how, and offer the button paths
        return [ctx.reply(text(msg(exc.reason_key)), command_buttons("timer", "timesheet"))]
    except (DurationInvalid, DateInvalid) as exc:
        return [_refusal(exc)]
    if len(request.project_ids) == 1:
        project = next(p for p in projects if p.id == request.project_ids[0])
        return await record(ctx, project, request.minutes, request.day, request.note, "log")
    candidates = [p for p in projects if p.id in request.project_ids] or projects
    once = secrets.token_urlsafe(9)
    rows = [[button(p.name, LogFor(project=p.id, minutes=request.minutes, day=request.day, note=request.note[:60],
                                   once=once))] for p in candidates[:MAX_LISTED]]
    return [ctx.reply(text(msg("hours.pick_project", duration=Duration(minutes=request.minutes))), Buttons(rows=rows))]


@router.action(LogFor)
async def project_picked(ctx: Context, event, press: LogFor) -> list:
    project = next((p for p in await hourly_projects(ctx) if p.id == press.project), None)
    if project is None:
        return [say("error.button_expired")]
    return await record(ctx, project, press.minutes, press.day, press.note, "log",
                        origin=f"pick:{press.once}" if press.once else None)


async def record(ctx: Context, project, minutes: int, day: date, note: str, source: str,
                 origin: str | None = None) -> list:
    """Write one entry after every check; reply with what was recorded and the week's total. With `origin`, at
    most one entry comes from it (the unique index decides; asked first so a second tap is not told the day is
    full by its own first tap)."""
    today = local_today(ctx)
    await ctx.uow.lock(f"hours:{ctx.person.id}")
    if origin and await ctx.uow.hours.from_origin(ctx.person.id, origin) is not None:
        return _already_recorded(ctx, minutes, day)
    try:
        check_day(day, today, LOCK_DAYS)
        check_day_cap(await ctx.uow.hours.minutes_on(ctx.person.id, day), minutes)
    except (LogInvalid, DateInvalid) as exc:
        return [_refusal(exc)]
    entry_id = await ctx.uow.hours.add(ctx.person.id, project.id, day, minutes, note, source, ctx.now, origin=origin)
    if entry_id is None:  # this picker's hours are booked already (a double tap, or another project's button)
        return _already_recorded(ctx, minutes, day)
    await ctx.audit("hours.logged", entry=entry_id, project=project.id, day=day.isoformat(), minutes=minutes,
                    source=source)
    first, last = week_bounds(day)
    week = sum(e.minutes for e in await ctx.uow.hours.between(ctx.person.id, first, last) if e.state != "rejected")
    return [ctx.reply(text(msg("hours.logged", duration=Duration(minutes=minutes), name=project.name, day=Day(on=day))),
                      text(msg("hours.week_total", total=Duration(minutes=week), first=Day(on=first))),
                      command_buttons("timesheet"))]


def _already_recorded(ctx: Context, minutes: int, day: date) -> list:
    return [ctx.reply(text(msg("hours.already_recorded", duration=Duration(minutes=minutes), day=Day(on=day))),
                      command_buttons("timesheet"))]


# ------------------------------------------------------------------------------------------------ /timer
def _timer_buttons(running: bool) -> Buttons:
    first = button(msg("timer.pause_button"), TimerDo(op="pause")) if running else \
        button(msg("timer.resume_button"), TimerDo(op="start"))
    return Buttons(rows=[[first, button(msg("timer.stop_button"), TimerDo(op="stop"))]])


@router.command("timer", help_key="command.timer.help")
async def timer(ctx: Context, event) -> list:
    words = (getattr(event, "args", "") or "").split()
    op = timer_op(words[0]) if words else None  # "start", "iniciar", "démarrer", "starten"…
    if op == "start":
        return await timer_start(ctx, " ".join(words[1:]))
    if op == "pause":
        return await timer_pause(ctx)
    if op == "stop":
        return await timer_stop(ctx)
    current = await ctx.uow.timers.get(ctx.person.id)
    if current is None:
        return [ctx.reply(text(msg("timer.usage")),
                          Buttons(rows=[[button(msg("timer.start_button"), TimerDo(op="start"))]]))]
    project = await ctx.uow.projects.get(current.project_id)
    state = "timer.status_running" if current.running_since else "timer.status_paused"
    elapsed = Duration(minutes=max(1, current.seconds(ctx.now) // 60))
    return [ctx.reply(text(msg(state, name=project.name, elapsed=elapsed)),
                      _timer_buttons(current.running_since is not None))]


@router.action(TimerDo)
async def timer_pressed(ctx: Context, event, press: TimerDo) -> list:
    if press.op == "start":
        return await timer_start(ctx, "", project_id=press.project or 0)
    if press.op == "pause":
        return await timer_pause(ctx)
    return await timer_stop(ctx)


async def timer_start(ctx: Context, words: str, project_id: int = 0) -> list:
    current = await ctx.uow.timers.get(ctx.person.id)
    if current is not None:
        project = await ctx.uow.projects.get(current.project_id)
        if current.running_since is None and await ctx.uow.timers.resume(ctx.person.id, ctx.now):
            await ctx.audit("timer.resumed", project=project.id)
            return [ctx.reply(text(msg("timer.resumed", name=project.name)), _timer_buttons(True))]
        return [ctx.reply(text(msg("timer.already_running", name=project.name)), _timer_buttons(True))]
    projects = await hourly_projects(ctx)
    if not projects:
        return [say("hours.no_projects")]
    if project_id:
        chosen = [p.id for p in projects if p.id == project_id]
    elif words:
        chosen = match_projects(words, [(p.id, p.name) for p in projects])
    else:
        chosen = [p.id for p in projects] if len(projects) == 1 else []
    if len(chosen) != 1:
        candidates = [p for p in projects if p.id in chosen] or projects
        rows = [[button(p.name, TimerDo(op="start", project=p.id))] for p in candidates[:MAX_LISTED]]
        return [ctx.reply(text(msg("timer.pick_project")), Buttons(rows=rows))]
    project = next(p for p in projects if p.id == chosen[0])
    if not await ctx.uow.timers.start(ctx.person.id, project.id, ctx.now):
        return [say("timer.already_running", name=project.name)]
    await ctx.audit("timer.started", project=project.id)
    return [ctx.reply(text(msg("timer.started", name=project.name, after=Duration(minutes=TIMER_IDLE_NUDGE_MINUTES))),
                      _timer_buttons(True))]


async def timer_pause(ctx: Context) -> list:
    if not await ctx.uow.timers.pause(ctx.person.id, ctx.now):
        return [say("timer.not_running")]
    current = await ctx.uow.timers.get(ctx.person.id)
    await ctx.audit("timer.paused", seconds=current.seconds_banked)
    return [ctx.reply(text(msg("timer.paused", elapsed=Duration(minutes=max(1, current.seconds_banked // 60)))),
                      _timer_buttons(False))]


async def timer_stop(ctx: Context) -> list:
    current = await ctx.uow.timers.take(ctx.person.id)
    if current is None:
        return [say("timer.not_running")]
    project = await ctx.uow.projects.get(current.project_id)
    minutes = timer_minutes(current.seconds(ctx.now))
    await ctx.audit("timer.stopped", project=project.id, minutes=minutes, flagged=current.flagged_at is not None)
    if current.flagged_at is not None or minutes > TIMER_DAILY_CAP_MINUTES:
        return [say("timer.flagged_not_billed", elapsed=Duration(minutes=minutes), cap=TIMER_DAILY_CAP_MINUTES // 60)]
    if minutes < 1:
        return [say("timer.too_short")]
    return await record(ctx, project, minutes, _local_date(current.started_at, ctx.tz), "", "timer")


@router.tick(every=60, name="hours.timers")
async def timer_tick(tick: TickContext) -> int:
    """Nudge timers left running, flag the ones past the daily cap (never billed). Any process may tick."""
    uow, now = tick.uow, tick.now
    messages = []
    for t in await uow.timers.running():
        minutes = t.seconds(now) // 60
        if minutes >= TIMER_DAILY_CAP_MINUTES and t.flagged_at is None:
            if await uow.timers.mark_flagged(t.person_id, now):
                await uow.audit.log(t.person_id, "timer.flagged", {"minutes": minutes}, now)
                blocks = [text(msg("timer.flagged", elapsed=Duration(minutes=minutes),
                                   cap=TIMER_DAILY_CAP_MINUTES // 60)), _timer_buttons(True)]
                messages.append(SendMessage(to=Target.person(t.person_id), message=Reply(blocks=blocks)))
        elif minutes >= TIMER_IDLE_NUDGE_MINUTES and t.nudged_at is None:
            if await uow.timers.mark_nudged(t.person_id, now):
                blocks = [text(msg("timer.nudge", elapsed=Duration(minutes=minutes))), _timer_buttons(True)]
                messages.append(SendMessage(to=Target.person(t.person_id), message=Reply(blocks=blocks)))
    tick.send(*messages)  # staged with the marks above, in the same transaction
    return len(messages)


# ------------------------------------------------------------------------------------------------ /timesheet
async def _entry_state(ctx: Context, entry) -> Msg:
    if entry.state == "approved":
        line = await ctx.uow.ledger.by_source(f"hours:{entry.id}")
        if line is not None and line.status == "paid":
            return msg("hours.state.paid")
        return msg("hours.state.approved")
    if entry.state == "rejected":
        return msg("hours.state.rejected_because", reason=user_text(entry.reason))  # the manager's words
    return msg("hours.state.logged")


@router.command("timesheet", help_key="command.timesheet.help")
async def timesheet(ctx: Context, event) -> list:
    return await _timesheet(ctx, getattr(event, "args", "") or "")


def _in_place(ctx: Context, *blocks) -> SendMessage | EditMessage:
    """The pressed message becomes `blocks` where the platform can edit; a new message elsewhere."""
    reply = Reply(blocks=list(blocks))
    return EditMessage(message=reply) if ctx.capabilities.edits else SendMessage(message=reply)


async def _timesheet(ctx: Context, wanted: str, edit: bool = False, above: tuple = ()) -> list:
    """The week's sheet; `edit` replaces the pressed message (a button on the sheet), `above` goes before it."""
    try:
        first, last = parse_week(wanted, local_today(ctx))
    except DateInvalid as exc:
        return [_refusal(exc)]
    blocks = [*above, *await _sheet_blocks(ctx, first, last)]
    if edit:
        return [_in_place(ctx, *blocks)]
    return [SendMessage(message=Reply(blocks=blocks), ref=_sheet_ref(ctx, first))]


def _sheet_ref(ctx: Context, monday: date) -> str:
    """The name a week's sheet is sent under, so a change made in a form afterwards can update it in place."""
    return f"timesheet:{ctx.person.id}:{monday.isoformat()}"


async def _sheet_blocks(ctx: Context, first: date, last: date) -> list:
    entries = await ctx.uow.hours.between(ctx.person.id, first, last)
    names = {p.id: p.name for p in await ctx.uow.projects.member_of(ctx.person.id)}
    blocks: list = [Heading(text=msg("timesheet.title", first=Day(on=first), last=Day(on=last)))]
    if not entries:
        blocks.append(text(msg("timesheet.empty")))
    by_day: dict[date, list] = defaultdict(list)
    for e in entries:
        by_day[e.work_date].append(e)
    rows = []
    total = 0
    for day in sorted(by_day):
        blocks.append(text(Span(text=msg("timesheet.day", day=Day(on=day, style="full")), style="bold")))
        for e in by_day[day]:
            if e.project_id not in names:
                project = await ctx.uow.projects.get(e.project_id)
                names[e.project_id] = project.name if project else "?"
            if e.state != "rejected":
                total += e.minutes
            blocks.append(text(msg("timesheet.entry", id=str(e.id), project=names[e.project_id],
                                   duration=Duration(minutes=e.minutes), state=await _entry_state(ctx, e)),
                               *((" · " + e.note,) if e.note else ())))
            if e.state != "approved" and len(rows) < MAX_LISTED:
                rows.append([button(msg("timesheet.edit_button", id=str(e.id)), EditEntry(entry=e.id)),
                             button(msg("timesheet.delete_button", id=str(e.id)), DeleteEntry(entry=e.id),
                                    style="danger")])
    blocks.append(text(msg("timesheet.total", total=Duration(minutes=total))))
    rows.append([button(msg("timesheet.previous_week"), OtherWeek(week=first - timedelta(days=7)))])
    blocks.append(Buttons(rows=rows))
    return blocks


@router.action(OtherWeek)
async def other_week(ctx: Context, event, press: OtherWeek) -> list:
    return await _timesheet(ctx, press.week.isoformat(), edit=True)


async def _changeable(ctx: Context, entry_id: int) -> tuple[object | None, list]:
    """(the entry, []) when this person may still change it, else (None, what to say): an entry deleted already
    (a double tap, or a second device) says so, and is never called approved or someone else's."""
    entry = await ctx.uow.hours.get(entry_id)
    if entry is None:
        return None, [ctx.notice(msg("hours.already_deleted", id=str(entry_id)))]
    if entry.person_id != ctx.person.id:
        return None, [say("hours.not_yours")]
    if entry.state == "approved":
        return None, [say("hours.not_editable")]
    return entry, []


@router.action(DeleteEntry)
async def delete_entry(ctx: Context, event, press: DeleteEntry) -> list:
    """Ask first, on the sheet itself: Yes deletes, Keep shows the sheet again."""
    entry, refusal = await _changeable(ctx, press.entry)
    if entry is None:
        return refusal
    week = week_bounds(entry.work_date)[0]
    project = await ctx.uow.projects.get(entry.project_id)
    return [_in_place(ctx, text(msg("hours.delete_confirm", duration=Duration(minutes=entry.minutes),
                                    day=Day(on=entry.work_date, style="full"), name=project.name if project else "?")),
                      Buttons(rows=[[button(msg("hours.delete_yes"), ConfirmDelete(entry=entry.id, week=week),
                                            style="danger"),
                                     button(msg("hours.delete_keep"), OtherWeek(week=week))]]))]


@router.action(ConfirmDelete)
async def delete_confirmed(ctx: Context, event, press: ConfirmDelete) -> list:
    entry, refusal = await _changeable(ctx, press.entry)
    if entry is None:
        return refusal
    if not await ctx.uow.hours.delete(entry.id, ctx.person.id):  # approved meanwhile (the row is locked now)
        return [say("hours.not_editable")]
    await ctx.audit("hours.deleted", entry=entry.id, minutes=entry.minutes, day=entry.work_date.isoformat())
    done = text(msg("hours.deleted_entry", duration=Duration(minutes=entry.minutes), day=Day(on=entry.work_date)))
    return await _timesheet(ctx, press.week.isoformat(), edit=True, above=(done,))


class EntryEdit(BaseModel):
    duration: str = Field(max_length=64)
    day: str | None = Field(default=None, max_length=40)
    note: str | None = Field(default=None, max_length=500)


@router.action(EditEntry)
async def edit_entry(ctx: Context, event, press: EditEntry) -> list:
    entry, refusal = await _changeable(ctx, press.entry)
    if entry is None:
        return refusal
    return await ctx.forms.open(EDIT_FORM, params={"e": entry.id},
                                initial={"duration": format_minutes(entry.minutes), "day": entry.work_date.isoformat()},
                                resume=False)


def _edit_form(ctx: Context, params: dict) -> FormSpec:
    return FormSpec(id=EDIT_FORM, title=msg("hours.edit_title", id=str(params["e"])), fields=[
        FieldSpec(id="duration", kind=FieldKind.short_text, label=msg("hours.edit_duration"), max_length=64),
        FieldSpec(id="day", kind=FieldKind.short_text, label=msg("hours.edit_day"), required=False, max_length=40),
        FieldSpec(id="note", kind=FieldKind.short_text, label=msg("hours.edit_note"), required=False, max_length=500),
    ], submit_label=msg("hours.edit_save"))


def _edited_day(ctx: Context, typed: str | None, was: date) -> date:
    """The entry's new day: kept when the field is left empty or as shown, else read like a /log date (same
    refusals, so a day past the lock can be kept but not chosen)."""
    if not (typed or "").strip() or typed.strip() == was.isoformat():
        return was
    return parse_log_date(typed, local_today(ctx), lock_days=LOCK_DAYS, locale=ctx.locale)


# The same two rules, checked as each answer is typed, so a wrong one is fixed at its own question.
def _duration_entered(ctx: Context, value, values: dict, params: dict):
    try:
        parse_duration(str(value or ""))
    except DurationInvalid as exc:
        return msg(exc.reason_key, **exc.params)
    return None


async def _day_entered(ctx: Context, value, values: dict, params: dict):
    entry = await ctx.uow.hours.get(int(params["e"]))
    try:
        _edited_day(ctx, value, entry.work_date if entry else local_today(ctx))
    except DateInvalid as exc:
        return msg(exc.reason_key, **exc.params)
    return None


async def _check_edit(ctx: Context, session) -> Problem | None:
    try:
        parse_duration(str(session.values.get("duration", "")))
    except DurationInvalid as exc:
        return Problem("duration", msg(exc.reason_key, **exc.params))
    entry = await ctx.uow.hours.get(int(session.params["e"]))
    try:
        _edited_day(ctx, session.values.get("day"), entry.work_date if entry else local_today(ctx))
    except DateInvalid as exc:
        return Problem("day", msg(exc.reason_key, **exc.params))
    return None


async def _edited(ctx: Context, values: EntryEdit, session) -> list:
    entry, refusal = await _changeable(ctx, int(session.params["e"]))
    if entry is None:
        return refusal
    try:
        minutes = parse_duration(values.duration)
        day = _edited_day(ctx, values.day, entry.work_date)
        check_day_cap(await ctx.uow.hours.minutes_on(ctx.person.id, day, except_id=entry.id), minutes)
    except (DurationInvalid, DateInvalid, LogInvalid) as exc:
        return [_refusal(exc)]
    note = entry.note if values.note is None else values.note
    if not await ctx.uow.hours.update(entry.id, ctx.person.id, minutes, note, ctx.now, day=day):
        return [say("hours.not_editable")]
    await ctx.audit("hours.edited", entry=entry.id, minutes=minutes, was=entry.minutes, day=day.isoformat(),
                    was_day=entry.work_date.isoformat())
    ops: list = []
    if ctx.capabilities.edits:  # the sheet the Edit button was on shows the entry as it is now
        first, last = week_bounds(entry.work_date)
        ops.append(EditMessage(ref=_sheet_ref(ctx, first), message=Reply(blocks=await _sheet_blocks(ctx, first, last))))
    return [*ops, ctx.reply(text(msg("hours.edited", id=str(entry.id), duration=Duration(minutes=minutes), day=Day(on=day))),
                      command_buttons("timesheet"))]


# ------------------------------------------------------------------------------------------------ /approvals
def _groups(entries) -> dict[tuple[int, date], list]:
    groups: dict[tuple[int, date], list] = defaultdict(list)
    for e in entries:
        groups[(e.person_id, week_bounds(e.work_date)[0])].append(e)
    return groups


@router.command("approvals", roles={"manager"}, help_key="command.approvals.help")
async def approvals(ctx: Context, event) -> list:
    groups = _groups(await ctx.uow.hours.pending(exclude_person=ctx.person.id))
    if not groups:
        return [say("approvals.none")]
    blocks: list = [Heading(text=msg("approvals.title", count=len(groups)))]
    rows = [[button(msg("approvals.approve_all"), ApproveAll(), style="primary")]]
    projects: dict[int, str] = {}
    for (person_id, monday), entries in sorted(groups.items())[:MAX_LISTED]:
        name = await label_of(ctx.uow, person_id)
        person = await ctx.uow.people.get(person_id)
        total = sum(e.minutes for e in entries)
        done = await tasks_done_in_week(ctx.uow, person, monday) if person else 0
        blocks.append(text(Span(text=user_text(name), style="bold"), " — ",
                           msg("approvals.week", first=Day(on=monday), total=Duration(minutes=total)), " · ",
                           msg("approvals.tasks_done", count=done)))
        for e in entries:
            if e.project_id not in projects:
                projects[e.project_id] = (await ctx.uow.projects.get(e.project_id)).name
            blocks.append(text("  ", msg("approvals.entry", day=Day(on=e.work_date), project=projects[e.project_id],
                                         duration=Duration(minutes=e.minutes)),
                               *((" · ", user_text(e.note)) if e.note else ())))
        rows.append([button(msg("approvals.approve", name=user_text(name[:30])), ApproveWeek(person=person_id, week=monday),
                            style="primary"),
                     button(msg("approvals.reject", name=user_text(name[:30])), RejectWeek(person=person_id, week=monday),
                            style="danger")])
    blocks.append(Buttons(rows=rows))
    return [ctx.reply(*blocks)]


async def _pending_group(ctx: Context, person_id: int, monday: date) -> list:
    return [e for e in await ctx.uow.hours.pending(exclude_person=ctx.person.id)
            if e.person_id == person_id and week_bounds(e.work_date)[0] == monday]


async def approve_entries(ctx: Context, entries) -> tuple[int, list]:
    """Approve each entry still logged and write its ledger line; a second approval changes nothing."""
    approved, ops = 0, []
    by_person: dict[int, list] = defaultdict(list)
    for e in entries:
        if e.person_id == ctx.person.id or not await ctx.uow.hours.decide(e.id, "approved", None, ctx.person.id, ctx.now):
            continue
        await money_hooks.hours_approved(ctx, e)
        await ctx.audit("hours.approved", entry=e.id, person=e.person_id, minutes=e.minutes)
        approved += 1
        by_person[e.person_id].append(e)
    for person_id, done in by_person.items():
        ops.append(ctx.send_to(person_id, text(msg("hours.notice.approved", count=len(done),
                                                    total=Duration(minutes=sum(e.minutes for e in done)))),
                               command_buttons("timesheet", "earnings")))
    return approved, ops


@router.action(ApproveWeek, roles={"manager"})
async def approve_pressed(ctx: Context, event, press: ApproveWeek) -> list:
    count, ops = await approve_entries(ctx, await _pending_group(ctx, press.person, press.week))
    return [say("approvals.done", count=count) if count else say("approvals.nothing"), *ops]


@router.action(ApproveAll, roles={"manager"})
async def approve_all_pressed(ctx: Context, event, press: ApproveAll) -> list:
    count, ops = await approve_entries(ctx, await ctx.uow.hours.pending(exclude_person=ctx.person.id))
    return [say("approvals.done", count=count) if count else say("approvals.nothing"), *ops]


class RejectNote(BaseModel):
    reason: str = Field(min_length=3, max_length=1000)


@router.action(RejectWeek, roles={"manager"})
async def reject_pressed(ctx: Context, event, press: RejectWeek) -> list:
    if not await _pending_group(ctx, press.person, press.week):
        return [say("approvals.nothing")]
    return await ctx.forms.open(REJECT_FORM, params={"p": press.person, "w": press.week.isoformat()}, resume=False)


def _reject_form(ctx: Context, params: dict) -> FormSpec:
    return FormSpec(id=REJECT_FORM, title=msg("approvals.reject_title"), fields=[
        FieldSpec(id="reason", kind=FieldKind.long_text, label=msg("approvals.reject_reason"), min_length=3,
                  max_length=1000)], submit_label=msg("approvals.reject_send"))


async def _rejected(ctx: Context, note: RejectNote, session) -> list:
    entries = await _pending_group(ctx, int(session.params["p"]), date.fromisoformat(session.params["w"]))
    done = [e for e in entries if await ctx.uow.hours.decide(e.id, "rejected", note.reason, ctx.person.id, ctx.now)]
    if not done:
        return [say("approvals.nothing")]
    for e in done:
        await ctx.audit("hours.rejected", entry=e.id, person=e.person_id, reason=note.reason)
    notice = ctx.send_to(done[0].person_id,
                         text(msg("hours.notice.rejected", count=len(done),
                                  total=Duration(minutes=sum(e.minutes for e in done)), reason=user_text(note.reason))),
                         command_buttons("timesheet"))
    return [say("approvals.rejected", count=len(done)), notice]


router.form(EDIT_FORM, model=EntryEdit, build=_edit_form, on_complete=_edited, check=_check_edit,
            field_checks={"duration": _duration_entered, "day": _day_entered})
router.form(REJECT_FORM, model=RejectNote, build=_reject_form, on_complete=_rejected)
