"""A project's progress computed once for whoever shows it: /progress (handlers.progress) and the managers' home
(handlers.home). The rows come from `storage.repos.progress`, the numbers from `domain.progress`."""
from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.blocks import Paragraph, text
from bot.i18n.text import Msg, msg, user_text
from domain.progress import ACTIVE_DAYS, DAYS_SHOWN, ProgressReport, QuestionAgreement, build_report, window_start
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
