"""A project's progress computed once for whoever shows it: /progress (handlers.progress) and the managers' home
(handlers.home). The rows come from `storage.repos.progress`, the numbers from `domain.progress`.

/progress alone adds, each in its own function below: the pace against the deadline (`domain.pace`), the experts'
throughput, quality and fast answers (`domain.throughput`) and agreement week by week (`domain.agreement_weeks`)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.core.blocks import Paragraph, text
from bot.i18n.text import Msg, msg, user_text
from domain.agreement_weeks import WeekAgreement, by_week, first_monday
from domain.local_time import localize
from domain.pace import Pace, build_pace, pace_window
from domain.progress import (ACTIVE_DAYS, DAYS_SHOWN, ItemCounts, ProgressReport, QuestionAgreement, build_report,
                             local_day, window_start)
from domain.quality import QualityScore
from domain.throughput import Throughput, fast_experts, fast_threshold, throughput
from handlers.shared.quality_rules import score_for
from handlers.shared.task_service import spec_of
from storage.uow import UnitOfWork


async def progress_report(uow: UnitOfWork, project, now: datetime, tz: str) -> ProgressReport:
    repo = uow.progress
    return build_report(
        spec_of(project),
        item_rows=await repo.item_groups(project.id),
        answering_now=await repo.answering_now(project.id, now),
        submitted=await repo.submitted_since(project.id, window_start(now, tz, DAYS_SHOWN)),
        middle_seconds=await repo.middle_seconds(project.id),
        experts_active=await repo.experts_active(project.id, now - timedelta(days=ACTIVE_DAYS)),
        answers_by_item=await uow.quality.answers_by_item(project.id),
        now=now, tz=tz,
    )


def _alpha(value: float) -> float:
    return round(value, 2) or 0.0  # a tiny negative alpha rounds to -0.0, which would read "-0"


def _criterion_line(c: QuestionAgreement) -> Msg:
    """One criterion, by its label: alpha at its level and percent agreement, or why there is none."""
    label = user_text(c.label or c.criterion or "")
    level = msg(f"progress.level.{c.level}")
    if c.items == 0:
        return msg("progress.agreement_criterion_none", label=label)
    items = msg("common.items_count", count=c.items)
    percent = round((c.percent or 0) * 100)
    if c.alpha is None:
        return msg("progress.agreement_criterion_no_alpha", label=label, items=items, percent=percent)
    return msg("progress.agreement_criterion", label=label, items=items, alpha=_alpha(c.alpha), level=level,
               percent=percent)


def agreement_line(report: ProgressReport) -> Msg:
    """How far the project's experts agree, in one sentence: the project summary (a rubric's is the mean over its
    criteria), or that it is not measured / not yet. The managers' home shows this; /progress adds the criteria."""
    a = report.agreement
    if a is None:
        return msg("progress.agreement_not_measured")
    if a.items == 0:
        return msg("progress.agreement_none")
    items = msg("common.items_count", count=a.items)
    percent = round((a.percent or 0) * 100)
    level = msg(f"progress.level.{a.level}")
    if a.summary == "mean":
        if a.alpha is None:
            return msg("progress.agreement_mean_no_alpha", count=len(a.criteria), items=items, percent=percent)
        return msg("progress.agreement_mean", count=a.mean_of, items=items, alpha=_alpha(a.alpha), level=level,
                   percent=percent)
    if a.alpha is None:
        return msg("progress.agreement_no_alpha", items=items, percent=percent)
    return msg("progress.agreement", items=items, alpha=_alpha(a.alpha), level=level, percent=percent)


def agreement_blocks(report: ProgressReport) -> list[Paragraph]:
    """The agreement section of /progress: the summary, then one line per rubric criterion (by its label, at the
    level of its scale), so a criterion people disagree on is never hidden behind one they agree on."""
    criteria = report.agreement.criteria if report.agreement is not None and report.agreement.items else ()
    return [text(agreement_line(report)), *(text(_criterion_line(c)) for c in criteria)]


# ------------------------------------------------------------------ pace: items left against the deadline


async def pace_report(uow: UnitOfWork, project, items: ItemCounts, now: datetime, tz: str) -> Pace:
    """The burn-down over the report's days: items left per day and the pace needed to finish by the deadline."""
    since = window_start(now, tz, DAYS_SHOWN)
    today = local_day(now, tz)
    days = [today - timedelta(days=DAYS_SHOWN - 1 - i) for i in range(DAYS_SHOWN)]
    return build_pace(items.total - items.done, finished_at=await uow.progress.finished_since(project.id, since),
                      created_at=await uow.progress.created_since(project.id, since), days=days, now=now, tz=tz,
                      deadline=project.deadline, started=project.created_at)


# ------------------------------------------------------------------ experts: throughput, quality, fast answers


@dataclass(frozen=True)
class ExpertLine:
    work: Throughput
    quality: QualityScore


@dataclass(frozen=True)
class ExpertReport:
    lines: list[ExpertLine]  # most answers first, at most `limit`
    more: int  # experts not listed
    fast_below: int | None  # seconds; None before the project has an answer
    fast_from_spec: bool  # the threshold is the spec's `min_answer_seconds`, not derived from the median
    fast: list[Throughput]  # experts with fast answers, most first (all of them, listed or not)


async def expert_report(uow: UnitOfWork, project, median_seconds: float | None, now: datetime, tz: str,
                        limit: int = 15) -> ExpertReport:
    spec = spec_of(project)
    below = fast_threshold(spec.min_answer_seconds, median_seconds)
    first, span = pace_window(now, tz, project.created_at)
    work = throughput(await uow.progress.expert_work(project.id, localize(first, time(0), tz), below), span)
    lines = [ExpertLine(work=w, quality=(await score_for(uow, w.person_id, project))[1]) for w in work[:limit]]
    return ExpertReport(lines=lines, more=max(len(work) - limit, 0), fast_below=below,
                        fast_from_spec=spec.min_answer_seconds is not None, fast=fast_experts(work))


# ------------------------------------------------------------------ agreement week by week


async def weekly_agreement(uow: UnitOfWork, project, now: datetime, tz: str) -> list[WeekAgreement] | None:
    today = local_day(now, tz)
    since = localize(first_monday(today), time(0), tz)
    return by_week(spec_of(project), await uow.progress.compared_answers(project.id, since), tz, today)


# ------------------------------------------------------------------ /approvals: tasks done beside hours logged


async def tasks_done_in_week(uow: UnitOfWork, person, monday: date) -> int:
    """Answers `person` submitted (any project) in the week starting `monday`, in their own zone: the week their
    hours were logged in."""
    tz = person.timezone or "UTC"
    start = localize(monday, time(0), tz)
    return await uow.progress.answers_between(person.id, start, localize(monday + timedelta(days=7), time(0), tz))
