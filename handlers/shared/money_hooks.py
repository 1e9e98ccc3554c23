"""Where work meets money: every effect is one ledger line whose `source` names its cause, so a replayed
approval or a redelivered update finds the line there already and adds nothing (the UNIQUE constraint decides).

- a submission accepted (no review needed, or approved) on a per-task project: `submission:<id>`, the rate;
- a submission rejected after it had earned (not a path the review flow takes today, but safe):
  `submission-reversal:<id>`, minus what it earned, once;
- approved hours on an hourly project: `hours:<entry id>`, minutes × hourly rate, half-even, once per entry.

The rate is the person's own (`pay_rates`, their tier) when set, else the project spec's. Earned days are UTC
dates for submissions and the logged day for hours.
"""
from __future__ import annotations

from datetime import datetime, timezone

from handlers.shared.context import Context

from domain.ledger import hours_pay
from handlers.shared.task_service import spec_of
from storage.repos.hours import HoursEntry
from storage.repos.projects import ProjectRow
from storage.uow import UnitOfWork


async def rate_for(uow: UnitOfWork, project: ProjectRow, person_id: int) -> tuple[str, int, str]:
    """(kind, minor, currency): what one task or one hour pays this person on this project.

    A person's own tier rate wins; else the spec's rate for the qualification level they hold; else the spec's."""
    spec = spec_of(project)
    pay = spec.pay
    own = await uow.rates.get(project.id, person_id)
    if own is not None and own["currency"] == pay.currency:
        return pay.kind, int(own["amount_minor"]), pay.currency
    if pay.by_level:
        from handlers.shared.qualification_hooks import qualifications_of

        name = (spec.requires.qualification or spec.requires.domain) if spec.requires else spec.domain
        held = (await qualifications_of(uow, person_id, datetime.now(timezone.utc))).get(name, 0)
        return pay.kind, pay.minor_for_level(held), pay.currency
    return pay.kind, pay.minor, pay.currency


async def submission_accepted(ctx: Context, submission_id: int) -> list:
    """Returns operations to send (e.g. a note about earnings), usually none."""
    submission = await ctx.uow.submissions.get(submission_id)
    if submission is None:
        return []
    project = await ctx.uow.projects.get(submission.project_id)
    kind, minor, currency = await rate_for(ctx.uow, project, submission.person_id)
    if kind != "per_task":
        return []  # hourly projects earn through approved hours
    line = await ctx.uow.ledger.add(submission.person_id, project.id, "task", f"submission:{submission_id}", minor,
                                    currency, ctx.now.date(), "", ctx.person.id, ctx.now, quantity=1, unit_minor=minor)
    if line is not None:
        await ctx.audit("ledger.line", line=line, source=f"submission:{submission_id}", person=submission.person_id,
                        minor=minor, currency=currency)
    return []


async def submission_rejected(ctx: Context, submission_id: int) -> list:
    earned = await ctx.uow.ledger.by_source(f"submission:{submission_id}")
    if earned is None:
        return []
    source = f"submission-reversal:{submission_id}"
    line = await ctx.uow.ledger.add(earned.person_id, earned.project_id, "task_reversal", source, -earned.amount_minor,
                                    earned.currency, ctx.now.date(), "rejected", ctx.person.id, ctx.now,
                                    quantity=-1, unit_minor=earned.unit_minor)
    if line is not None:
        await ctx.audit("ledger.line", line=line, source=source, person=earned.person_id, minor=-earned.amount_minor,
                        currency=earned.currency)
    return []


async def hours_approved(ctx: Context, entry: HoursEntry) -> int | None:
    """The ledger line for approved hours (None if the project is not hourly or the line exists already)."""
    project = await ctx.uow.projects.get(entry.project_id)
    kind, rate, currency = await rate_for(ctx.uow, project, entry.person_id)
    if kind != "hourly":
        return None
    source = f"hours:{entry.id}"
    minor = hours_pay(rate, entry.minutes)
    line = await ctx.uow.ledger.add(entry.person_id, project.id, "hours", source, minor, currency, entry.work_date,
                                    "", ctx.person.id, ctx.now, quantity=entry.minutes, unit_minor=rate)
    if line is not None:
        await ctx.audit("ledger.line", line=line, source=source, person=entry.person_id, minor=minor,
                        currency=currency, minutes=entry.minutes, rate=rate)
    return line
