"""/progress for managers: items done / in progress / waiting, answers per day with a chart, agreement,
median time per task, experts active, and how many messages to the project's members failed for good in the
last week. The numbers come from `domain.progress`; the chart is drawn
in a worker thread by `handlers.shared.charts` with labels already in the manager's language."""
from __future__ import annotations

import base64
from datetime import timedelta

from babel.dates import format_skeleton
from pydantic import Field

from handlers.shared.charts import answers_per_day_chart
from bot.core.actions import ActionData
from bot.core.blocks import Buttons, Heading, Image, button, text
from handlers.shared.context import Context
from bot.core.router import Router
from bot.i18n.text import Duration, Msg, msg
from domain.progress import ACTIVE_DAYS, DAYS_SHOWN, ProgressReport
from bot.i18n.formatting import babel_locale, format_number
from handlers.shared.project_names import chosen_project, find_project
from handlers.shared.replies import say
from handlers.shared.progress_report import agreement_blocks, progress_report

router = Router("progress")
MAX_LISTED = 15
TEXT_DAYS = 7  # days listed in the text; the chart shows all DAYS_SHOWN
FAILED_DAYS = 7  # deliveries to the project's members that failed for good this recently are counted


class ShowProgress(ActionData, name="progress.show"):
    project: int = Field(alias="p")


@router.command("progress", roles={"manager"}, help_key="command.progress.help")
async def progress_command(ctx: Context, event) -> list:
    typed = (event.args or "").strip()
    if not typed:
        projects = await ctx.uow.projects.open_projects()
        if not projects:
            return [say("progress.no_projects")]
        rows = [[button(p.name, ShowProgress(project=p.id))] for p in projects[:MAX_LISTED]]
        return [ctx.reply(text(msg("progress.pick_project")), Buttons(rows=rows))]
    found = await find_project(ctx, typed, lambda p: ShowProgress(project=p.id))
    return found if isinstance(found, list) else await _report(ctx, found)


@router.action(ShowProgress, roles={"manager"})
async def progress_pressed(ctx: Context, event, press: ShowProgress) -> list:
    project = await chosen_project(ctx, press.project)
    if project is None:
        return [say("error.button_expired")]
    return await _report(ctx, project)


async def compute(ctx: Context, project) -> ProgressReport:
    return await progress_report(ctx.uow, project, ctx.now, ctx.tz)


def _median_line(seconds: float | None) -> Msg:
    if seconds is None:
        return msg("progress.median_none")
    if seconds < 60:
        return msg("progress.median_seconds", seconds=round(seconds))
    if seconds < 3600:
        return msg("progress.median_minutes", minutes=round(seconds / 60, 1))
    return msg("progress.median_duration", duration=Duration(minutes=round(seconds / 60)))  # never "1,050 min"


async def _report(ctx: Context, project) -> list:
    report = await compute(ctx, project)
    items = report.items
    today = report.per_day[-1][1]
    blocks: list = [
        Heading(text=msg("progress.title", name=project.name)),
        text(msg("progress.items", done=items.done, in_progress=items.in_progress, waiting=items.waiting,
                 total=items.total)),
        text(msg("progress.answering_now", count=items.answering_now)),
        text(msg("progress.answers", count=DAYS_SHOWN, answers=report.answers_shown, today=today)),
        _by_day(ctx, report),
        *agreement_blocks(report),
        text(_median_line(report.median_seconds)),
        text(msg("progress.experts_active", count=ACTIVE_DAYS, experts=report.experts_active)),
    ]
    failed = await ctx.uow.outbox.failed_to_project(project.id, ctx.now - timedelta(days=FAILED_DAYS))
    if failed:  # said only when there is something to act on (`panelist outbox`)
        blocks.append(text(msg("progress.failed_deliveries", count=failed, days=FAILED_DAYS)))
    blocks.append(await _chart(ctx, report))
    return [ctx.reply(*blocks)]


def _day_labels(ctx: Context, report: ProgressReport) -> list[str]:
    loc = babel_locale(ctx.locale)
    return [format_skeleton("MMMd", day, locale=loc) for day, _ in report.per_day]


def _by_day(ctx: Context, report: ProgressReport):
    """The last week's answers per day as text too, for anyone who cannot see the chart."""
    labels = _day_labels(ctx, report)[-TEXT_DAYS:]
    parts: list = [msg("progress.last_days", count=TEXT_DAYS), " "]
    for i, (label, (_, count)) in enumerate(zip(labels, report.per_day[-TEXT_DAYS:])):
        parts += ([", "] if i else []) + [msg("progress.day_count", day=label, count=count)]
    return text(*parts)


async def _chart(ctx: Context, report: ProgressReport) -> Image:
    """The answers-per-day bar chart, every label in the manager's language and number format."""
    png = await answers_per_day_chart(
        _day_labels(ctx, report), [n for _, n in report.per_day],
        ctx.render(msg("progress.chart_title", count=DAYS_SHOWN)),
        ctx.render(msg("progress.chart_ylabel")),
        value_labels=[format_number(n, ctx.locale) if n else "" for _, n in report.per_day],
    )
    alt = msg("progress.chart_alt", count=DAYS_SHOWN, answers=report.answers_shown)
    return Image(data_b64=base64.b64encode(png).decode(), filename="answers-per-day.png", alt=alt)
