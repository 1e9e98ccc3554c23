"""A project's progress computed once for whoever shows it: /progress (handlers.progress) and the managers' home
(handlers.home). The rows come from `storage.repos.progress`, the numbers from `domain.progress`."""
from __future__ import annotations

from datetime import datetime, timedelta

from bot.i18n.text import Msg, msg
from domain.progress import ACTIVE_DAYS, DAYS_SHOWN, ProgressReport, build_report, window_start
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


def agreement_line(report: ProgressReport) -> Msg:
    """How far the project's experts agree, in one sentence (or that it is not measured / not yet)."""
    a = report.agreement
    if a is None:
        return msg("progress.agreement_not_measured")
    if a.items == 0:
        return msg("progress.agreement_none")
    items = msg("common.items_count", count=a.items)
    percent = round((a.percent or 0) * 100)
    if a.alpha is None:
        return msg("progress.agreement_no_alpha", items=items, percent=percent)
    # `or 0.0`: a tiny negative alpha rounds to -0.0, which would read "-0"
    return msg("progress.agreement", items=items, alpha=round(a.alpha, 2) or 0.0, level=msg(f"progress.level.{a.level}"),
               percent=percent)
