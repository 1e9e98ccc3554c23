"""A reworked answer beside what it replaces: the reviewer of version N sees version N-1 with the comment that sent
it back, and the expert reworking sees the comment and the answer as it was. Read from the review log (the
decision for that revision) and the kept versions (`Submissions.version`)."""
from __future__ import annotations

from bot.core.blocks import LongText, Span, text
from bot.i18n.text import msg
from domain.project_spec import ProjectSpec
from domain.task_import import TaskItem
from handlers.shared.task_render import render_answer
from storage.uow import UnitOfWork


async def sent_back(uow: UnitOfWork, submission_id: int, revision: int) -> dict | None:
    """The review that sent this revision back for rework (its reason and comment), if one did."""
    for review in await uow.reviews.for_submission(submission_id):
        if review["revision"] == revision and review["decision"] == "rework":
            return review
    return None


def _comment(review: dict | None) -> list:
    if review is None:
        return []
    blocks: list = []
    if review["reason_code"]:
        blocks.append(text(msg("review.reason"), " ", msg(f"review.reason.{review['reason_code']}")))
    if review["comment"]:
        blocks.append(LongText(title=msg("review.reviewer_comment"), text=review["comment"],
                               filename="review-comment.txt"))
    return blocks


async def previous_version(uow: UnitOfWork, spec: ProjectSpec, item: TaskItem, submission) -> list:
    """For the reviewer of a resubmission: the version before it and why it was sent back (empty for a first
    version)."""
    if submission.revision < 2:
        return []
    earlier = submission.revision - 1
    kept = await uow.submissions.version(submission.id, earlier)
    blocks: list = [text(Span(text=msg("review.previous_version", revision=earlier), style="bold"))]
    blocks += render_answer(spec, item, kept["form_values"]) if kept else [text(msg("review.previous_missing"))]
    return blocks + _comment(await sent_back(uow, submission.id, earlier))


async def rework_brief(uow: UnitOfWork, spec: ProjectSpec, item: TaskItem, submission) -> list:
    """For the expert reworking an answer sent back: the reviewer's comment, then their answer as it stands (a
    reference that stays put while the form's prefilled values change)."""
    return [*_comment(await sent_back(uow, submission.id, submission.revision)),
            text(Span(text=msg("review.your_version", revision=submission.revision), style="bold")),
            *render_answer(spec, item, submission.form_values)]
