"""/payouts for managers: close a period into statements, list them, mark one paid (issue 9).

Closing puts every approved line of the period that is on no statement (and not under an open dispute) onto
one statement per person and currency. When a person's lines in a currency sum to zero or less (an adjustment
larger than what they earned), no statement is made: the lines stay approved and are carried to the next close. `statement_lines.line_id` is UNIQUE, so a line can never be on two
statements, whatever two managers do at once; the close also holds one lock so two closes do not interleave.
Each expert gets their statement; the manager gets every statement of the close as one CSV file. Both are made
from the same `domain.statements` lines: tasks × rate, hours × rate or an amount, then the total (issue 18, 8).
"""
from __future__ import annotations

import base64
from collections import defaultdict
from datetime import date
from functools import partial
from typing import Literal

from pydantic import BaseModel, Field

from bot.core.actions import ActionData
from bot.core.blocks import Buttons, File, Heading, button, text
from handlers.shared.context import Context
from handlers.shared.person_labels import label_of
from bot.core.forms import FieldKind, FieldSpec, FormSpec
from bot.core.router import Router
from bot.i18n.text import Day, Duration, Money, msg, user_text
from domain.identity import IdentityKey
from domain.ledger import PeriodInvalid, payout_period
from domain.statements import Statement, StatementLine, statement_csv, statement_lines
from handlers.shared.local_today import local_today
from handlers.shared.replies import command_buttons, say

router = Router("payouts")
PAID_FORM = "payouts.paid"


class ClosePeriod(ActionData, name="payouts.close"):
    period: Literal["last week", "last month", "all"] = Field(alias="p")


class MarkPaid(ActionData, name="payouts.paid"):
    statement: int = Field(alias="s")


@router.command("payouts", roles={"manager"}, help_key="command.payouts.help")
async def payouts(ctx: Context, event) -> list:
    words = (getattr(event, "args", "") or "").split()
    if words and words[0].casefold() == "close":
        return await close(ctx, " ".join(words[1:]))
    if words and words[0].casefold() == "paid":
        if len(words) < 3 or not words[1].lstrip("#").isdigit():
            return [say("payouts.usage")]
        return await mark_paid(ctx, int(words[1].lstrip("#")), " ".join(words[2:]))
    if words:
        return [say("payouts.usage")]
    found = await ctx.uow.ledger.open_statements()
    closes = [button(msg(f"payouts.close_{p.replace(' ', '_')}"), ClosePeriod(period=p))
              for p in ("last week", "last month", "all")]
    if not found:
        return [ctx.reply(text(msg("payouts.none_open")), text(msg("payouts.usage")), Buttons(rows=[closes]))]
    blocks: list = [Heading(text=msg("payouts.open_title", count=len(found)))]
    rows = []
    for s in found:
        blocks.append(text(await _statement_line(ctx, s)))
        if len(rows) < 10:
            rows.append([button(msg("payouts.paid_button", id=str(s.id)), MarkPaid(statement=s.id))])
    blocks.append(text(msg("payouts.usage")))
    return [ctx.reply(*blocks, Buttons(rows=rows + [closes]))]


@router.action(ClosePeriod, roles={"manager"})
async def close_pressed(ctx: Context, event, press: ClosePeriod) -> list:
    return await close(ctx, press.period)


class PaidRef(BaseModel):
    ref: str = Field(min_length=1, max_length=200)


@router.action(MarkPaid, roles={"manager"})
async def paid_pressed(ctx: Context, event, press: MarkPaid) -> list:
    statement = await ctx.uow.ledger.statement(press.statement)
    if statement is None or statement.paid_at is not None:
        return [say("payouts.no_statement", id=str(press.statement))] if statement is None else \
            [say("payouts.already_paid", id=str(statement.id), ref=user_text(statement.paid_ref))]
    return await ctx.forms.open(PAID_FORM, params={"s": statement.id}, resume=False)


def _paid_form(ctx: Context, params: dict) -> FormSpec:
    return FormSpec(id=PAID_FORM, title=msg("payouts.paid_title", id=str(params["s"])), fields=[
        FieldSpec(id="ref", kind=FieldKind.short_text, label=msg("payouts.paid_ref"), min_length=1, max_length=200)],
        submit_label=msg("payouts.paid_send"))


async def _paid(ctx: Context, values: PaidRef, session) -> list:
    return await mark_paid(ctx, int(session.params["s"]), values.ref)


router.form(PAID_FORM, model=PaidRef, build=_paid_form, on_complete=_paid)


async def _statement_line(ctx: Context, s):
    return msg("payouts.statement_line", id=str(s.id), name=user_text(await label_of(ctx.uow, s.person_id)),
               amount=Money(minor=await ctx.uow.ledger.statement_total(s.id), currency=s.currency),
               first=Day(on=s.period_start), last=Day(on=s.period_end))


async def close(ctx: Context, period: str) -> list:
    try:
        first, last = payout_period(period, local_today(ctx))
    except PeriodInvalid as exc:
        return [say(exc.reason_key)]
    await ctx.uow.lock("payouts:close")
    groups: dict[tuple[int, str], list] = defaultdict(list)
    for line in await ctx.uow.ledger.unpaid_in(first, last):
        groups[(line.person_id, line.currency)].append(line)
    if not groups:
        return [say("payouts.nothing", first=Day(on=first), last=Day(on=last))] if first > date.min else \
            [say("payouts.nothing_at_all")]
    if first == date.min:  # `all`: the period starts with the oldest line it holds
        first = min(ln.earned_on for lines in groups.values() for ln in lines)
    ops: list = []
    statements: list[Statement] = []
    projects: dict[int, str] = {}
    carried = 0
    for (person_id, currency), lines in sorted(groups.items()):
        if sum(ln.amount_minor for ln in lines) <= 0:  # nothing to pay: the lines wait for the next close
            carried += 1
            continue
        statement_id = await ctx.uow.ledger.create_statement(person_id, currency, first, last, ctx.person.id, ctx.now)
        placed = [ln for ln in lines if await ctx.uow.ledger.put_on_statement(statement_id, ln.id)]
        if not placed:
            await ctx.uow.ledger.delete_statement(statement_id)
            continue
        for ln in placed:
            if ln.project_id and ln.project_id not in projects:
                projects[ln.project_id] = (await ctx.uow.projects.get(ln.project_id)).name
        name, identity = await _who(ctx, person_id)
        statement = Statement(statement_id, name, identity, currency, first, last, statement_lines(placed), projects)
        statements.append(statement)
        ops.append(ctx.send_to(person_id, *_statement_blocks(statement), command_buttons("earnings", "dispute")))
        await ctx.audit("payouts.statement", statement=statement_id, person=person_id, currency=currency,
                        lines=[ln.id for ln in placed], minor=statement.total_minor, first=first.isoformat(),
                        last=last.isoformat())
    if not statements:
        return [say("payouts.carried", count=carried)]
    data = base64.b64encode(statement_csv(statements)).decode()
    filename = f"statements-{first.isoformat()}-{last.isoformat()}.csv"
    reply = ctx.reply(text(msg("payouts.closed", count=len(statements), first=Day(on=first), last=Day(on=last))),
                      *[text(msg("payouts.closed_line", id=str(st.id), name=user_text(st.person), identity=st.identity,
                                 amount=Money(minor=st.total_minor, currency=st.currency))) for st in statements],
                      *([text(msg("payouts.carried", count=carried))] if carried else []),
                      File(data_b64=data, filename=filename, mime="text/csv", caption=msg("payouts.csv_caption")))
    return [reply, *ops]


async def _who(ctx: Context, person_id: int) -> tuple[str, str]:
    """(display name, precise identity): the name a person gave and their first identity as `platform:workspace/id`,
    the form every command that names a person accepts — the same on the statement, the close and the CSV."""
    person = await ctx.uow.people.get(person_id)
    identities = await ctx.uow.identities.for_person(person_id)
    identity = str(IdentityKey(identities[0].platform, identities[0].workspace, identities[0].user_id)) \
        if identities else ""
    return (person.display_name if person else "") or f"#{person_id}", identity


def _days(line: StatementLine):
    return Day(on=line.first) if line.first == line.last else \
        msg("payouts.days", first=Day(on=line.first), last=Day(on=line.last))


def _line_text(line: StatementLine, statement: Statement):
    """One statement line in words: tasks × rate, hours × rate, or an amount with its reason."""
    money = partial(Money, currency=statement.currency)
    project = statement.projects.get(line.project_id, "") if line.project_id else ""
    days, amount = _days(line), money(minor=line.amount_minor)
    if line.tasks is not None and line.rate_minor is not None:
        key = "payouts.line.reversal" if line.kind == "task_reversal" else "payouts.line.tasks"
        return msg(key, count=abs(line.tasks), days=days, project=project, rate=money(minor=line.rate_minor),
                   amount=amount)
    if line.kind == "hours" and line.minutes is not None:
        if line.rate_minor is None:
            return msg("payouts.line.hours_unrated", days=days, project=project, hours=Duration(minutes=line.minutes),
                       amount=amount)
        return msg("payouts.line.hours", days=days, project=project, hours=Duration(minutes=line.minutes),
                   rate=money(minor=line.rate_minor), amount=amount)
    return msg("payouts.line.other", days=days, kind=msg(f"payouts.kind.{line.kind}"), amount=amount)


def _statement_blocks(statement: Statement) -> list:
    """The statement an expert gets: who, the period, every line (quantity × rate = amount), the total."""
    blocks: list = [Heading(text=msg("payouts.statement_title", id=str(statement.id))),
                    text(msg("payouts.statement_for", name=user_text(statement.person), identity=statement.identity)),
                    text(msg("payouts.statement_period", first=Day(on=statement.first), last=Day(on=statement.last)))]
    for line in statement.lines:
        single, *more = line.line_ids
        ids = "" if more else f"#{single} · "  # a group of task lines is disputed line by line from /earnings
        reason = (" · ", user_text(line.reason)) if line.reason else ()
        blocks.append(text(ids, _line_text(line, statement), *reason))
    blocks.append(text(msg("payouts.statement_total", amount=Money(minor=statement.total_minor,
                                                                    currency=statement.currency))))
    return blocks


async def mark_paid(ctx: Context, statement_id: int, ref: str) -> list:
    statement = await ctx.uow.ledger.statement(statement_id)
    if statement is None:
        return [say("payouts.no_statement", id=str(statement_id))]
    ref = ref.strip()[:200]
    if not await ctx.uow.ledger.mark_paid(statement_id, ref, ctx.person.id, ctx.now):
        return [say("payouts.already_paid", id=str(statement_id), ref=user_text(statement.paid_ref))]
    total = Money(minor=await ctx.uow.ledger.statement_total(statement_id), currency=statement.currency)
    await ctx.audit("payouts.paid", statement=statement_id, ref=ref, minor=total.minor, currency=total.currency)
    return [say("payouts.marked_paid", id=str(statement_id), ref=ref, amount=total),
            ctx.send_to(statement.person_id, text(msg("payouts.paid_notice", id=str(statement_id), amount=total, ref=user_text(ref))),
                        command_buttons("earnings"))]
