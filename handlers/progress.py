"""/progress for managers: items done / in progress / waiting, the pace against the deadline with a burn-down chart,
answers per day, agreement overall and week by week, median time per task, each expert's throughput and quality,
implausibly fast answers, and how many messages to the project's members failed for good in the last week. Each
fact is said once. The numbers come from `domain.progress`, `domain.pace`, `domain.throughput` and
`domain.agreement_weeks`; the chart is drawn in a worker thread by `handlers.shared.charts` with labels
already in the manager's language."""
from __future__ import annotations

import base64
from datetime import timedelta

from babel.dates import format_skeleton
from pydantic import Field

from handlers.shared.charts import burn_down_chart
from bot.core.actions import ActionData
from bot.core.blocks import Buttons, Heading, Image, Span, button, text
from handlers.shared.context import Context
from bot.core.router import Router
from bot.i18n.text import Day, Duration, Msg, UserText, msg, user_text
from domain.pace import Pace
from domain.progress import ACTIVE_DAYS, ProgressReport
from domain.pseudonyms import pseudonym
from bot.i18n.formatting import babel_locale
from handlers.shared.project_names import chosen_project, find_project
from handlers.shared.replies import say
from handlers.shared.progress_report import (ExpertReport, agreement_blocks, expert_report, pace_report, progress_report,
                                             weekly_agreement)
from handlers.shared.project_render import project_button_label

router = Router("progress")
MAX_LISTED = 15
MAX_FAST = 10  # experts named in the fast-answers line
TEXT_DAYS = 7  # days listed in the text; the chart shows all DAYS_SHOWN
FAILED_DAYS = 7  # deliveries to the project's members that failed for good this recently are counted


class ShowProgress(ActionData, name="progress.show"):
    project: int = Field(alias="p")


@router.command("progress", roles={"manager"}, help_key="command.progress.help")
async def progress_command(ctx: Context, event) -> list:
    typed = (event.args or "").strip()
    if not typed:
        projects = await ctx.uow.projects.staff_projects()
        if not projects:
            return [say("progress.no_projects")]
        rows = [[button(project_button_label(p), ShowProgress(project=p.id))] for p in projects[:MAX_LISTED]]
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
    pace = await pace_report(ctx.uow, project, items, ctx.now, ctx.tz)
    experts = await expert_report(ctx.uow, project, report.median_seconds, ctx.now, ctx.tz)
    weeks = await weekly_agreement(ctx.uow, project, ctx.now, ctx.tz)
    names = await _names(ctx, [line.work.person_id for line in experts.lines]
                         + [w.person_id for w in experts.fast[:MAX_FAST]])
    blocks: list = [
        Heading(text=msg("progress.title", name=project.name)),
        text(msg("progress.items", done=items.done, in_progress=items.in_progress, waiting=items.waiting,
                 total=items.total)),
        text(msg("progress.answering_now", count=items.answering_now)),
        text(_pace_line(pace)),
        _by_day(ctx, report),
        *agreement_blocks(report),
        *_weeks_block(weeks),
        text(_median_line(report.median_seconds)),
        *_experts_blocks(report, experts, names),
        text(*_fast_line(experts, names)),
    ]
    failed = await ctx.uow.outbox.failed_to_project(project.id, ctx.now - timedelta(days=FAILED_DAYS))
    if failed:  # said only when there is something to act on (`panelist outbox`)
        blocks.append(text(msg("progress.failed_deliveries", count=failed, days=FAILED_DAYS)))
    blocks.append(await _chart(ctx, report, pace))
    return [ctx.reply(*blocks)]


def _rate(value: float) -> float:
    """A rate shown with one decimal (0.25 a day reads 0.3), two below 0.1 so a slow pace never reads 0;
    `or 0.0` keeps a rounded -0.0 from reading "-0"."""
    return round(value, 2 if 0 < value < 0.1 else 1) or 0.0


def _pace_line(pace: Pace) -> Msg:
    """Items left against the deadline in one sentence: the pace needed beside the pace kept."""
    current = _rate(pace.current_per_day)
    if pace.state == "finished":
        return msg("progress.pace_finished")
    if pace.state == "no_deadline":
        return msg("progress.pace_no_deadline", count=pace.left, pace=current)
    deadline = Day(on=pace.deadline.date())  # the UTC day, as /projects shows it (a date deadline ends that day in UTC)
    if pace.state == "passed":
        return msg("progress.pace_passed", count=pace.left, deadline=deadline, pace=current)
    return msg("progress.pace", count=pace.left, needed=_rate(pace.needed_per_day or 0), pace=current,
               deadline=deadline)


def _weeks_block(weeks) -> list:
    """Agreement week by week on one line; nothing when agreement is not measured or no week has compared items."""
    if not weeks:
        return []
    parts: list = [msg("progress.weeks")]
    for i, w in enumerate(weeks):
        percent = round((w.percent or 0) * 100)
        line = (msg("progress.week_alpha", week=Day(on=w.monday), alpha=round(w.alpha, 2) or 0.0, percent=percent,
                    count=w.items) if w.alpha is not None
                else msg("progress.week_percent", week=Day(on=w.monday), percent=percent, count=w.items))
        parts += ["; " if i else " ", line]
    return [text(*parts)]


async def _names(ctx: Context, person_ids: list[int]) -> dict[int, UserText]:
    """How each listed expert is named: their display name, else their stable pseudonym (as /stats names them)."""
    names: dict[int, UserText] = {}
    for pid in person_ids:
        if pid not in names:
            person = await ctx.uow.people.get(pid)
            names[pid] = user_text(person.display_name if person and person.display_name
                                   else pseudonym(ctx.pseudonym_key, pid))
    return names


def _experts_blocks(report: ProgressReport, experts: ExpertReport, names: dict[int, UserText]) -> list:
    blocks: list = [text(msg("progress.experts_active", count=ACTIVE_DAYS, experts=report.experts_active))]
    for line in experts.lines:
        w, q = line.work, line.quality
        quality = msg("progress.expert_quality", score=round(q.score * 100)) if q.score is not None \
            else msg("progress.expert_no_quality")
        hourly = (msg("progress.expert_per_hour", rate=_rate(w.per_hour)) if w.per_hour is not None
                  else msg("progress.expert_no_time"))
        blocks.append(text("  ", Span(text=names[w.person_id], style="bold"), " — ",
                           msg("progress.expert_work", count=w.answers, per_day=_rate(w.per_day)), ", ", hourly,
                           ", ", quality))
    if experts.more:
        blocks.append(text("  ", msg("progress.experts_more", count=experts.more)))
    return blocks


def _fast_line(experts: ExpertReport, names: dict[int, UserText]) -> list:
    """Who answered implausibly fast and how often, under which threshold (the spec's, or a third of the median)."""
    if experts.fast_below is None:
        return [msg("progress.fast_no_answers")]
    why = msg("progress.fast_why_spec" if experts.fast_from_spec else "progress.fast_why_median")
    if not experts.fast:
        return [msg("progress.fast_none", seconds=experts.fast_below, why=why)]
    total = sum(w.fast for w in experts.fast)
    parts: list = [msg("progress.fast", count=total, seconds=experts.fast_below, why=why), " "]
    for i, w in enumerate(experts.fast[:MAX_FAST]):
        parts += [", " if i else "", msg("progress.fast_expert", name=names[w.person_id], count=w.fast)]
    if len(experts.fast) > MAX_FAST:
        parts += [", ", msg("progress.experts_more", count=len(experts.fast) - MAX_FAST)]
    return parts


def _day_labels(ctx: Context, report: ProgressReport) -> list[str]:
    loc = babel_locale(ctx.locale)
    return [format_skeleton("MMMd", day, locale=loc) for day, _ in report.per_day]


def _by_day(ctx: Context, report: ProgressReport):
    """The last week's answers per day, once: the total, then each day's count (the chart shows items left)."""
    labels = _day_labels(ctx, report)[-TEXT_DAYS:]
    shown = report.per_day[-TEXT_DAYS:]
    parts: list = [msg("progress.answers_days", count=TEXT_DAYS, answers=sum(n for _, n in shown)), " "]
    for i, (label, (_, n)) in enumerate(zip(labels, shown)):
        parts += ([", "] if i else []) + [msg("progress.day", day=label, answers=n)]
    return text(*parts)


async def _chart(ctx: Context, report: ProgressReport, pace: Pace) -> Image:
    """The burn-down: items left at the end of each shown day, and the pace needed to finish by the deadline. Its
    alt text (a photo's caption on Telegram) says what the chart is, not the numbers the text already gave."""
    first, today = report.per_day[0][0], report.per_day[-1][0]
    needed = pace.needed_line(today)
    last = max([today, *(day for day, _ in needed)])
    loc = babel_locale(ctx.locale)
    labels = [format_skeleton("MMMd", first + timedelta(days=i), locale=loc) for i in range((last - first).days + 1)]
    png = await burn_down_chart(
        labels, [n for _, n in pace.remaining], [((day - first).days, y) for day, y in needed],
        ctx.render(msg("progress.burn_title")), ctx.render(msg("progress.burn_ylabel")),
        (ctx.render(msg("progress.burn_left")), ctx.render(msg("progress.burn_needed"))),
    )
    alt = msg("progress.burn_alt" if needed else "progress.burn_alt_no_pace")
    return Image(data_b64=base64.b64encode(png).decode(), filename="burn-down.png", alt=alt)
