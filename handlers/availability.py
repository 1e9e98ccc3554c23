"""/availability: available, limited (hours this week) or away until a date; working and quiet hours in the
person's own zone. Away experts get no pings and no task pushes, only an "are you back?" when the time is up."""
from __future__ import annotations

import re
from datetime import date, time
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from bot.core.actions import ActionData
from bot.core.blocks import Buttons, Heading, button, text
from handlers.shared.context import Context
from bot.core.forms import FieldKind, FieldSpec, FormSpec, Option
from bot.core.router import Router
from bot.i18n.text import Day, msg
from babel.dates import get_day_names

from domain.local_time import localize, next_weekly
from bot.i18n.formatting import babel_locale
from handlers.shared.actions import BackFromAway, RunCommand
from handlers.shared.local_today import local_today
from handlers.shared.replies import say

router = Router("availability")
FORM = "availability"


class ChangeAvailability(ActionData, name="avail.edit"):
    pass
_HHMM = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def _clock(value: object) -> object:
    if value in (None, ""):
        return None
    match = _HHMM.match(str(value).strip())
    if not match:
        raise ValueError("key:availability.error.time")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


class AvailabilityForm(BaseModel):
    status: Literal["available", "limited", "away"]
    hours_this_week: int | None = Field(default=None, ge=0, le=80)
    away_until: date | None = None
    quiet_start: str | None = None
    quiet_end: str | None = None
    hours_day: Literal["0", "1", "2", "3", "4", "5", "6"] = "4"  # when to be reminded to log hours (Mon = 0)
    hours_time: str | None = None

    _times = field_validator("quiet_start", "quiet_end", "hours_time", mode="before")(
        classmethod(lambda cls, v: _clock(v)))

    @model_validator(mode="after")
    def _consistent(self) -> "AvailabilityForm":
        if self.status == "limited" and self.hours_this_week is None:
            raise ValueError("key:availability.error.hours")
        if self.status == "away" and self.away_until is None:
            raise ValueError("key:availability.error.until")
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValueError("key:availability.error.quiet_pair")
        return self


def _form(ctx: Context, params: dict) -> FormSpec:
    return FormSpec(id=FORM, title=msg("availability.title"), submit_label=msg("availability.save"), fields=[
        FieldSpec(id="status", kind=FieldKind.choice, label=msg("availability.status"), options=[
            Option(value=v, label=msg(f"availability.status.{v}")) for v in ("available", "limited", "away")]),
        FieldSpec(id="hours_this_week", kind=FieldKind.number, label=msg("availability.hours"), min=0, max=80,
                  show_if=[("status", ["limited"])]),
        FieldSpec(id="away_until", kind=FieldKind.date, label=msg("availability.until"),
                  show_if=[("status", ["away"])]),
        FieldSpec(id="quiet_start", kind=FieldKind.short_text, label=msg("availability.quiet_start"),
                  help=msg("availability.quiet.help"), required=False, max_length=5),
        # Asked only once a start is given, and then needed (no Skip): the way to no quiet hours is to skip the start.
        FieldSpec(id="quiet_end", kind=FieldKind.short_text, label=msg("availability.quiet_end"),
                  help=msg("availability.quiet_end.help"), max_length=5, show_if=[("quiet_start", None)]),
        FieldSpec(id="hours_day", kind=FieldKind.choice, label=msg("availability.hours_day"), required=False,
                  options=[Option(value=str(d), label=name) for d, name in   # Babel's keys: 0 = Monday
                           sorted(get_day_names("wide", locale=babel_locale(ctx.locale)).items())]),
        FieldSpec(id="hours_time", kind=FieldKind.short_text, label=msg("availability.hours_time"), required=False,
                  max_length=5),
    ])


# Checked as each answer is given (and on a modal's Save), so a wrong one is fixed at its own question and the
# other answers are never lost.
def _hours_given(ctx: Context, value, values: dict, params: dict):
    return msg("availability.error.hours") if values.get("status") == "limited" and value is None else None


def _away_until(ctx: Context, value, values: dict, params: dict):
    if values.get("status") != "away":
        return None
    if value in (None, ""):
        return msg("availability.error.until")
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        return None  # the model says how to write a date
    return msg("availability.error.past") if day < local_today(ctx) else None


def _quiet_end(ctx: Context, value, values: dict, params: dict):
    return msg("availability.error.quiet_pair") if values.get("quiet_start") and value in (None, "") else None


async def _saved(ctx: Context, form: AvailabilityForm, session) -> list:
    current = await ctx.uow.availability.get(ctx.person.id)
    away_until = localize(form.away_until, time(9, 0), ctx.tz) if form.status == "away" else None
    updated = current.model_copy(update={
        "status": form.status, "hours_this_week": form.hours_this_week if form.status == "limited" else None,
        "away_until": away_until, "quiet_start": form.quiet_start, "quiet_end": form.quiet_end})
    await ctx.uow.availability.save(updated, ctx.now)
    await ctx.audit("availability.saved", status=form.status)
    if away_until is not None:
        await ctx.uow.reminders.schedule(ctx.person.id, "back_check", f"back:{ctx.person.id}:{away_until.isoformat()}",
                                         away_until, {}, ctx.now)
    # The weekly "log your hours" note, on the day and hour the expert chose, in their own zone.
    hour, minute = (int(x) for x in (form.hours_time or "16:00").split(":"))
    day = int(form.hours_day)
    await ctx.uow.reminders.cancel_kind(ctx.person.id, "hours", ctx.now)
    first = next_weekly(ctx.now, ctx.tz, day, time(hour, minute))
    await ctx.uow.reminders.schedule(ctx.person.id, "hours", f"hours:{ctx.person.id}:{first.isoformat()}",
                                     first, {}, ctx.now, recurrence={"weekly": day, "hour": hour, "minute": minute})
    return await show(ctx, None)


router.form(FORM, model=AvailabilityForm, build=_form, on_complete=_saved,
            field_checks={"hours_this_week": _hours_given, "away_until": _away_until, "quiet_end": _quiet_end})


@router.command("availability", help_key="command.availability.help")
async def show(ctx: Context, event) -> list:
    a = await ctx.uow.availability.get(ctx.person.id)
    lines = [Heading(text=msg("availability.title")), text(msg("availability.managers_see"))]
    status = msg(f"availability.status.{a.status}")
    lines.append(text(msg("availability.now", status=status)))
    if a.status == "limited" and a.hours_this_week is not None:
        lines.append(text(msg("availability.hours_now", hours=a.hours_this_week)))
    if a.status == "away" and a.away_until:
        lines.append(text(msg("availability.until_now", day=Day(on=a.away_until.date()))))
    if a.quiet_start and a.quiet_end:
        lines.append(text(msg("availability.quiet_now", start=a.quiet_start, end=a.quiet_end, zone=ctx.tz)))
    lines.append(Buttons(rows=[[button(msg("availability.change"), ChangeAvailability()),
                                button(msg("command.reminders.button"), RunCommand(command="reminders"))]]))
    return [ctx.reply(*lines)]


@router.action(ChangeAvailability)
async def edit(ctx: Context, event, press: ChangeAvailability) -> list:
    a = await ctx.uow.availability.get(ctx.person.id)
    initial = {"status": a.status, "quiet_start": a.quiet_start, "quiet_end": a.quiet_end}
    return await ctx.forms.open(FORM, initial={k: v for k, v in initial.items() if v})


@router.action(BackFromAway)
async def back(ctx: Context, event, press: BackFromAway) -> list:
    a = await ctx.uow.availability.get(ctx.person.id)
    await ctx.uow.availability.save(a.model_copy(update={"status": "available", "away_until": None}), ctx.now)
    await ctx.audit("availability.back")
    return [say("availability.welcome_back")]

