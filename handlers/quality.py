"""Quality: adaptive overlap and pauses after each answer, and /stats for experts and managers."""
from __future__ import annotations

from pydantic import Field

from bot.core.actions import ActionData
from bot.core.blocks import Buttons, Heading, Span, button, text
from bot.core.context import Context
from bot.core.router import Router
from bot.i18n.text import msg
from domain.item_answers import comparable, item_agreement
from domain.quality import QualityInputs, QualityScore, explain, peer_agreement, quality_score, should_pause
from domain.pseudonyms import pseudonym
from handlers.shared.replies import say
from handlers.shared.task_service import spec_of
from storage.uow import UnitOfWork

router = Router("quality")


class LiftPause(ActionData, name="quality.lift"):
    project: int = Field(alias="p")
    expert: int = Field(alias="e")


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


def _explanation(inputs: QualityInputs, result: QualityScore) -> list:
    return [text(msg(key, **params)) for key, params in explain(result, inputs)]


@router.command("stats", help_key="command.stats.help")
async def stats(ctx: Context, event) -> list:
    typed = (event.args or "").strip()
    if typed and ctx.has_role("manager"):
        matches = await ctx.uow.projects.matching(typed)
        if len(matches) != 1:
            return [say("projects.not_found" if not matches else "projects.ambiguous", name=typed[:80])]
        return await _manager_table(ctx, matches[0])
    projects = await ctx.uow.projects.member_of(ctx.person.id)
    if not projects:
        return [say("stats.nothing_yet")]
    blocks: list = [Heading(text=msg("stats.title"))]
    for project in projects[:10]:
        inputs, result = await score_for(ctx.uow, ctx.person.id, project)
        blocks.append(text(Span(text=project.name, style="bold")))
        if await ctx.uow.pauses.is_paused(project.id, ctx.person.id):
            blocks.append(text(msg("stats.paused_here")))
        blocks += _explanation(inputs, result)
    return [ctx.reply(*blocks)]


async def _manager_table(ctx: Context, project) -> list:
    secret = ctx.runtime.codec_secret
    blocks: list = [Heading(text=msg("stats.table_title", name=project.name))]
    lift = []
    for person_id in (await ctx.uow.quality.experts(project.id))[:50]:
        person = await ctx.uow.people.get(person_id)
        inputs, result = await score_for(ctx.uow, person_id, project)
        paused = await ctx.uow.pauses.is_paused(project.id, person_id)
        score = msg("stats.score", score=round(result.score * 100)) if result.score is not None else msg("stats.no_score")
        name = person.display_name if person and person.display_name else pseudonym(secret, person_id)
        blocks.append(text(Span(text=name, style="bold"), " — ", score, " — ",
                           msg("stats.parts", gold=inputs.gold_total, reviews=inputs.approved + inputs.rework + inputs.rejected,
                               shared=inputs.agreement_items),
                           *([" — ", msg("stats.paused")] if paused else [])))
        if paused:
            lift.append(button(msg("stats.lift_button", name=name), LiftPause(project=project.id, expert=person_id)))
    if len(blocks) == 1:
        blocks.append(text(msg("stats.no_answers")))
    if lift:
        blocks.append(Buttons(rows=[[b] for b in lift]))
    return [ctx.reply(*blocks)]


@router.action(LiftPause, roles={"manager"})
async def lift(ctx: Context, event, press: LiftPause) -> list:
    project = await ctx.uow.projects.get(press.project)
    person_id = press.expert
    if project is None or not await ctx.uow.pauses.lift(project.id, person_id, ctx.person.id, ctx.now):
        return [say("error.button_expired")]
    await ctx.audit("quality.pause_lifted", project=project.id, expert=person_id)
    return [say("stats.lifted"), ctx.send_to(person_id, text(msg("stats.lifted_notice", name=project.name)))]
