"""/earnings for experts; /bonus, /adjust, /rate for managers; /dispute and its resolution (issue 9).

Every amount shown is summed from the ledger when asked, per project and per currency: amounts in different
currencies are listed side by side, never added. `pending` is an estimate of work not decided yet (logged hours,
answers waiting for review) at today's rate; it is not in the ledger until approved.
"""
from __future__ import annotations

import base64
from datetime import date, datetime, time, timedelta, timezone
from typing import Literal

from babel.dates import format_skeleton
from pydantic import BaseModel, Field

from handlers.shared.charts_earnings import weekly_earnings_chart
from bot.core.actions import ActionData
from bot.core.blocks import Buttons, Heading, Image, Span, button, text
from handlers.shared.context import Context
from bot.core.forms import FieldKind, FieldSpec, FormSpec, Option
from bot.core.router import Router
from bot.i18n.text import Day, Money, msg, user_text
from bot.core.wizard import Problem
from domain.ledger import PeriodInvalid, earnings_period, hours_pay, summarize, weekly_series
from domain.money import MoneyError, normalize_currency, parse_amount
from bot.i18n.formatting import babel_locale
from handlers.shared.money_hooks import rate_for
from handlers.shared.local_today import local_today
from handlers.shared.people_names import find_person, leading
from handlers.shared.replies import command_buttons, say

router = Router("earnings")
DISPUTE_FORM, RESOLVE_FORM = "ledger.dispute", "ledger.resolve"
CHART_WEEKS = 8


class ShowEarnings(ActionData, name="earnings.show"):
    period: Literal["this week", "last week", "month", "all"] = Field(alias="a")


class OpenDispute(ActionData, name="dispute.open"):
    line: int = Field(alias="l")


class ResolveDispute(ActionData, name="dispute.resolve"):
    dispute: int = Field(alias="d")


def _day_start(day: date | None, default: datetime) -> datetime:
    return default if day is None else datetime.combine(day, time.min, tzinfo=timezone.utc)


async def _pending(ctx: Context, first: date | None, last: date | None) -> list[tuple[int, str, int]]:
    """(project, currency, minor) for logged hours and answers waiting for review, at the current rate."""
    out = []
    projects = {}
    for entry in await ctx.uow.hours.logged_of(ctx.person.id):
        if (first and entry.work_date < first) or (last and entry.work_date > last):
            continue
        project = projects.get(entry.project_id) or await ctx.uow.projects.get(entry.project_id)
        projects[entry.project_id] = project
        kind, rate, currency = await rate_for(ctx.uow, project, ctx.person.id)
        if kind == "hourly":
            out.append((project.id, currency, hours_pay(rate, entry.minutes)))
    since = _day_start(first, datetime(1970, 1, 1, tzinfo=timezone.utc))
    until = _day_start(last + timedelta(days=1) if last else None, datetime(9999, 1, 1, tzinfo=timezone.utc))
    for project_id, count in (await ctx.uow.ledger.pending_submissions(ctx.person.id, since, until)).items():
        project = await ctx.uow.projects.get(project_id)
        kind, rate, currency = await rate_for(ctx.uow, project, ctx.person.id)
        if kind == "per_task":
            out.append((project_id, currency, rate * count))
    return out


def _amounts(bucket: dict[str, int], currency: str) -> list:
    parts: list = []
    for status in ("pending", "approved", "on_statement", "paid"):
        if bucket.get(status):
            parts += ([" · "] if parts else []) + [msg(f"earnings.status.{status}",
                                                       amount=Money(minor=bucket[status], currency=currency))]
    return parts or [msg("earnings.nothing_yet")]


@router.command("earnings", help_key="command.earnings.help")
async def earnings(ctx: Context, event) -> list:
    today = local_today(ctx)
    try:
        first, last, name = earnings_period(getattr(event, "args", "") or "", today)
    except PeriodInvalid as exc:
        return [say(exc.reason_key)]
    summary = summarize(await ctx.uow.ledger.totals(ctx.person.id, first, last), await _pending(ctx, first, last))
    title = msg("earnings.title_all") if name == "all" else msg("earnings.title", first=Day(on=first), last=Day(on=last))
    blocks: list = [Heading(text=title)]
    if not summary.rows:
        blocks.append(text(msg("earnings.none")))
    for (project_id, currency), bucket in sorted(summary.rows.items(), key=lambda kv: (kv[0][0] or 0, kv[0][1])):
        project = await ctx.uow.projects.get(project_id) if project_id else None
        label = project.name if project else msg("earnings.no_project")
        blocks.append(text(Span(text=label, style="bold"), ": ", *_amounts(bucket, currency)))
    for currency, bucket in sorted(summary.totals().items()):
        blocks.append(text(Span(text=msg("earnings.total", currency=currency), style="bold"), ": ",
                           *_amounts(bucket, currency)))
    blocks += await _dispute_lines(ctx, first, last)
    blocks.append(await _chart(ctx, today))
    blocks.append(Buttons(rows=[[button(msg("earnings.this_week"), ShowEarnings(period="this week")),
                                 button(msg("earnings.last_week"), ShowEarnings(period="last week")),
                                 button(msg("earnings.month"), ShowEarnings(period="month")),
                                 button(msg("earnings.all"), ShowEarnings(period="all"))]]))
    return [ctx.reply(*blocks)]


@router.action(ShowEarnings)
async def earnings_pressed(ctx: Context, event, press: ShowEarnings) -> list:
    from bot.core.events import CommandEvent

    synthetic = CommandEvent(delivery_id=event.delivery_id, actor=event.actor, conversation=event.conversation,
                             reply_context=event.reply_context, name="earnings", args=press.period)
    return await earnings(ctx, synthetic)


async def _dispute_lines(ctx: Context, first: date | None, last: date | None) -> list:
    out = []
    for line in await ctx.uow.ledger.lines(ctx.person.id, first, last):
        if line.dispute_id is None:
            continue
        out.append(text(msg(f"earnings.dispute.{line.dispute_state}", id=str(line.id),
                            amount=Money(minor=line.amount_minor, currency=line.currency)),
                        *((" — ", line.dispute_resolution) if line.dispute_resolution else ())))
    return out


async def _chart(ctx: Context, today: date) -> Image:
    points = await ctx.uow.ledger.weekly(ctx.person.id, today - timedelta(weeks=CHART_WEEKS))
    starts, series = weekly_series(points, today, CHART_WEEKS)
    loc = babel_locale(ctx.locale)
    labels = [format_skeleton("MMMd", d, locale=loc) for d in starts]
    png = await weekly_earnings_chart(labels, series,
                                      ctx.render(msg("earnings.chart_title", count=CHART_WEEKS, weeks=CHART_WEEKS)))
    alt = msg("earnings.chart_alt", count=CHART_WEEKS, weeks=CHART_WEEKS)
    return Image(data_b64=base64.b64encode(png).decode(), filename="earnings.png", alt=alt)


# ------------------------------------------------------------------------------------------------ manager money
async def _extra(ctx: Context, event, kind: str) -> list:
    who, rest = await leading(ctx, event)
    parts = rest.split(maxsplit=2)
    if not who or len(parts) < 3:
        return [say(f"{kind}.usage")]
    amount, currency, reason = parts
    named = await find_person(ctx, who, lambda key: f"{key} {rest}")
    if isinstance(named, list):
        return named
    person_id, who = named.person_id, named.label
    try:
        code = normalize_currency(currency)
        minor = parse_amount(amount, code, allow_negative=(kind == "adjust"))
    except MoneyError:
        return [say("ledger.bad_amount", amount=amount[:40], currency=currency[:10])]
    if minor == 0:
        return [say("ledger.bad_amount", amount=amount[:40], currency=currency[:10])]
    # The inbound delivery names the line: a redelivered /bonus finds its line and adds nothing.
    source = f"{kind}:{event.actor.platform}:{event.actor.workspace}:{event.delivery_id}"
    line = await ctx.uow.ledger.add(person_id, None, "bonus" if kind == "bonus" else "adjustment", source, minor, code,
                                    local_today(ctx), reason[:500], ctx.person.id, ctx.now)
    if line is None:
        return [say("ledger.already_recorded")]
    await ctx.audit(f"ledger.{kind}", line=line, person=person_id, minor=minor, currency=code, reason=reason[:500])
    amount_shown = Money(minor=minor, currency=code)
    return [say(f"{kind}.done", amount=amount_shown, identity=user_text(who)),
            ctx.send_to(person_id, text(msg(f"{kind}.notice", amount=amount_shown)), text(user_text(reason[:500])),
                        command_buttons("earnings"))]


@router.command("bonus", roles={"manager"}, help_key="command.bonus.help")
async def bonus(ctx: Context, event) -> list:
    return await _extra(ctx, event, "bonus")


@router.command("adjust", roles={"manager"}, help_key="command.adjust.help")
async def adjust(ctx: Context, event) -> list:
    return await _extra(ctx, event, "adjust")


@router.command("rate", roles={"manager"}, help_key="command.rate.help")
async def set_rate(ctx: Context, event) -> list:
    """/rate PERSON TIER AMOUNT PROJECT — this person's own rate on a project (their tier), in its currency."""
    who, rest = await leading(ctx, event)
    parts = rest.split(maxsplit=2)
    if not who or len(parts) < 3:
        return [say("rate.usage")]
    tier, amount, project_words = parts
    named = await find_person(ctx, who, lambda key: f"{key} {rest}")
    if isinstance(named, list):
        return named
    person_id, who = named.person_id, named.label
    matches = await ctx.uow.projects.matching(project_words.strip())
    if len(matches) != 1:
        return [say("projects.not_found" if not matches else "projects.ambiguous", name=project_words[:80])]
    project = matches[0]
    _, _, currency = await rate_for(ctx.uow, project, person_id)
    try:
        minor = parse_amount(amount, currency)
    except MoneyError:
        return [say("ledger.bad_amount", amount=amount[:40], currency=currency)]
    await ctx.uow.rates.set(project.id, person_id, tier[:40], minor, currency, ctx.person.id, ctx.now)
    await ctx.audit("ledger.rate_set", project=project.id, person=person_id, tier=tier[:40], minor=minor,
                    currency=currency)
    return [say("rate.done", identity=user_text(who), tier=tier[:40], amount=Money(minor=minor, currency=currency),
                name=project.name)]


# ------------------------------------------------------------------------------------------------ disputes
class DisputeNote(BaseModel):
    comment: str = Field(min_length=3, max_length=2000)


@router.command("dispute", help_key="command.dispute.help")
async def dispute(ctx: Context, event) -> list:
    words = (getattr(event, "args", "") or "").split(maxsplit=1)
    if words and words[0].lstrip("#").isdigit():
        line = await ctx.uow.ledger.line(int(words[0].lstrip("#")))
        if line is None or line.person_id != ctx.person.id:
            return [say("dispute.no_line")]
        if len(words) == 2 and len(words[1].strip()) >= 3:
            return await _open_dispute(ctx, line.id, words[1].strip())
        return await ctx.forms.open(DISPUTE_FORM, params={"l": line.id}, resume=False)
    lines = [ln for ln in await ctx.uow.ledger.lines(ctx.person.id) if ln.dispute_id is None][-10:]
    if not lines:
        return [say("dispute.nothing")]
    blocks: list = [text(msg("dispute.choose"))]
    rows = []
    for ln in lines:
        project = await ctx.uow.projects.get(ln.project_id) if ln.project_id else None
        blocks.append(text(f"#{ln.id} · ", msg("dispute.line", day=Day(on=ln.earned_on),
                                                  amount=Money(minor=ln.amount_minor, currency=ln.currency)),
                           " · ", project.name if project else msg("earnings.no_project")))
        rows.append([button(msg("dispute.button", id=str(ln.id)), OpenDispute(line=ln.id))])
    blocks.append(Buttons(rows=rows))
    return [ctx.reply(*blocks)]


@router.action(OpenDispute)
async def dispute_pressed(ctx: Context, event, press: OpenDispute) -> list:
    line = await ctx.uow.ledger.line(press.line)
    if line is None or line.person_id != ctx.person.id or line.dispute_id is not None:
        return [say("dispute.no_line")]
    return await ctx.forms.open(DISPUTE_FORM, params={"l": line.id}, resume=False)


def _dispute_form(ctx: Context, params: dict) -> FormSpec:
    return FormSpec(id=DISPUTE_FORM, title=msg("dispute.title", id=str(params["l"])), fields=[
        FieldSpec(id="comment", kind=FieldKind.long_text, label=msg("dispute.comment"), min_length=3,
                  max_length=2000)], submit_label=msg("dispute.send"))


async def _disputed(ctx: Context, note: DisputeNote, session) -> list:
    line = await ctx.uow.ledger.line(int(session.params["l"]))
    if line is None or line.person_id != ctx.person.id:
        return [say("dispute.no_line")]
    return await _open_dispute(ctx, line.id, note.comment)


async def _open_dispute(ctx: Context, line_id: int, comment: str) -> list:
    dispute_id = await ctx.uow.ledger.open_dispute(line_id, ctx.person.id, comment[:2000], ctx.now)
    if dispute_id is None:
        return [say("dispute.exists")]
    await ctx.audit("ledger.disputed", dispute=dispute_id, line=line_id)
    line = await ctx.uow.ledger.line(line_id)
    ops = [say("dispute.opened", id=str(line_id))]
    for manager in set(await ctx.uow.roles.holders("manager")) | set(await ctx.uow.roles.holders("admin")):
        if manager == ctx.person.id:
            continue
        ops.append(ctx.send_to(manager, text(msg("dispute.manager_notice", id=str(line_id),
                                                  amount=Money(minor=line.amount_minor, currency=line.currency))),
                               text(user_text(comment[:2000])),
                               Buttons(rows=[[button(msg("dispute.resolve_button", id=str(line_id)),
                                                     ResolveDispute(dispute=dispute_id))]])))
    return ops


@router.command("disputes", roles={"manager"}, help_key="command.disputes.help")
async def open_disputes(ctx: Context, event) -> list:
    found = await ctx.uow.ledger.open_disputes()
    if not found:
        return [say("dispute.none_open")]
    blocks: list = []
    rows = []
    for d in found:
        line = await ctx.uow.ledger.line(d.line_id)
        blocks.append(text(f"#{d.line_id} · ", msg("dispute.line", day=Day(on=line.earned_on),
                                                      amount=Money(minor=line.amount_minor, currency=line.currency)),
                           " · ", user_text(d.comment[:300])))
        rows.append([button(msg("dispute.resolve_button", id=str(d.line_id)), ResolveDispute(dispute=d.id))])
    return [ctx.reply(*blocks, Buttons(rows=rows))]


class Resolution(BaseModel):
    outcome: str
    amount: str | None = Field(default=None, max_length=40)
    comment: str = Field(min_length=3, max_length=2000)


@router.action(ResolveDispute, roles={"manager"})
async def resolve_pressed(ctx: Context, event, press: ResolveDispute) -> list:
    found = await ctx.uow.ledger.dispute(press.dispute)
    if found is None or found.state != "open":
        return [say("dispute.already_resolved")]
    return await ctx.forms.open(RESOLVE_FORM, params={"d": found.id}, resume=False)


def _resolve_form(ctx: Context, params: dict) -> FormSpec:
    return FormSpec(id=RESOLVE_FORM, title=msg("dispute.resolve_title"), fields=[
        FieldSpec(id="outcome", kind=FieldKind.choice, label=msg("dispute.outcome"), options=[
            Option(value="upheld", label=msg("dispute.outcome.upheld")),
            Option(value="dismissed", label=msg("dispute.outcome.dismissed"))]),
        FieldSpec(id="amount", kind=FieldKind.short_text, label=msg("dispute.amount"), help=msg("dispute.amount_help"),
                  required=False, max_length=40),
        FieldSpec(id="comment", kind=FieldKind.long_text, label=msg("dispute.resolution"), min_length=3,
                  max_length=2000)], submit_label=msg("dispute.resolve_send"))


async def _amount_entered(ctx: Context, raw, values: dict, params: dict):
    """Checked as the amount is typed (and again before resolving), so it is fixed at its own question."""
    if raw in (None, ""):
        return None
    found = await ctx.uow.ledger.dispute(int(params["d"]))
    line = await ctx.uow.ledger.line(found.line_id) if found else None
    try:
        parse_amount(str(raw), line.currency if line else "EUR", allow_negative=True)
    except MoneyError:
        return msg("dispute.amount_invalid")
    return None


async def _check_resolution(ctx: Context, session) -> Problem | None:
    problem = await _amount_entered(ctx, session.values.get("amount"), session.values, session.params)
    return None if problem is None else Problem("amount", problem)


async def _resolved(ctx: Context, values: Resolution, session) -> list:
    found = await ctx.uow.ledger.dispute(int(session.params["d"]))
    if found is None or values.outcome not in ("upheld", "dismissed"):
        return [say("dispute.already_resolved")]
    line = await ctx.uow.ledger.line(found.line_id)
    minor = 0
    if values.outcome == "upheld" and values.amount:
        try:
            minor = parse_amount(values.amount, line.currency, allow_negative=True)
        except MoneyError:
            return [say("dispute.amount_invalid")]
    if not await ctx.uow.ledger.resolve_dispute(found.id, values.outcome, values.comment, ctx.person.id, ctx.now):
        return [say("dispute.already_resolved")]
    if minor:
        await ctx.uow.ledger.add(line.person_id, line.project_id, "dispute", f"dispute:{found.id}", minor,
                                 line.currency, ctx.now.date(), values.comment[:500], ctx.person.id, ctx.now)
    await ctx.audit("ledger.dispute_resolved", dispute=found.id, line=line.id, outcome=values.outcome, minor=minor)
    amount = Money(minor=minor, currency=line.currency)
    notice = [text(msg(f"dispute.notice.{values.outcome}", id=str(line.id)))]
    if minor:
        notice.append(text(msg("dispute.notice.adjusted", amount=amount)))
    notice.append(text(user_text(values.comment)))
    return [say("dispute.resolved", id=str(line.id)),
            ctx.send_to(found.person_id, *notice, command_buttons("earnings"))]


router.form(DISPUTE_FORM, model=DisputeNote, build=_dispute_form, on_complete=_disputed)
router.form(RESOLVE_FORM, model=Resolution, build=_resolve_form, on_complete=_resolved, check=_check_resolution,
            field_checks={"amount": _amount_entered})
