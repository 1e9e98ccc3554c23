"""Quality rules that follow an answer or a review: adaptive overlap, pauses when a score falls too low, and
the score itself (used by /stats, /match and the review decision)."""
from __future__ import annotations

from handlers.shared.context import Context
from domain.item_answers import comparable, item_agreement
from domain.quality import QualityInputs, QualityScore, peer_agreement, quality_score, should_pause
from handlers.shared.task_service import spec_of
from storage.uow import UnitOfWork


async def inputs_for(uow: UnitOfWork, person_id: int, project) -> QualityInputs:
    spec = spec_of(project)
    gold = await uow.submissions.gold_results(person_id, project.id)
    reviews = await uow.submissions.review_counts(person_id, project.id)
    own: dict = {}
    peers: dict = {}
    for row in await uow.quality.shared_answers(person_id, project.id):
        value = comparable(spec, row["answer"])
        if row["person_id"] == person_id:
            own[row["task_id"]] = value
        else:
            peers.setdefault(row["task_id"], []).append(value)
    rate, items = peer_agreement(own, peers)
    return QualityInputs(gold_passed=sum(gold), gold_total=len(gold), approved=reviews.get("approved", 0),
                         rework=reviews.get("rework", 0), rejected=reviews.get("rejected", 0),
                         agreement=rate, agreement_items=items)


async def score_for(uow: UnitOfWork, person_id: int, project) -> tuple[QualityInputs, QualityScore]:
    inputs = await inputs_for(uow, person_id, project)
    return inputs, quality_score(inputs)


async def on_submitted(ctx: Context, project, spec, task) -> None:
    """After every answer: offer a disputed item to more experts; pause an expert whose score fell too low."""
    if spec.agreement_threshold is not None and spec.max_overlap:
        answers = [s.answer for s in await ctx.uow.submissions.for_task(task.id)]
        agreement = item_agreement(spec, answers)
        if agreement is not None and len(answers) >= task.overlap and agreement < spec.agreement_threshold:
            if await ctx.uow.quality.raise_overlap(task.id, spec.max_overlap):
                await ctx.audit("task.overlap_raised", task=task.id, agreement=round(agreement, 3))
    await check_pause(ctx, ctx.person.id, project, spec)


async def check_pause(ctx: Context, person_id: int, project, spec) -> bool:
    if spec.quality_threshold is None or await ctx.uow.pauses.is_paused(project.id, person_id):
        return False
    if await ctx.uow.pauses.lifted_since(project.id, person_id) is not None:
        return False  # a manager lifted a pause: their call stands until they pause again
    _, result = await score_for(ctx.uow, person_id, project)
    if not should_pause(result, spec.quality_threshold):
        return False
    await ctx.uow.pauses.pause(project.id, person_id, "quality_below_threshold", result.score, ctx.now)
    await ctx.uow.audit.log(person_id, "quality.paused", {"project": project.id, "score": result.score}, ctx.now)
    return True
