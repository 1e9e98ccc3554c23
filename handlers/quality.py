"""Quality: /stats for experts and managers, and a manager lifting a pause. The rules applied after each answer
(adaptive overlap, pauses) live in `handlers.shared.quality_rules`."""
from __future__ import annotations

from pydantic import Field

from bot.core.actions import ActionData
from bot.core.blocks import Buttons, Heading, Span, button, text
from handlers.shared.context import Context
from handlers.shared.person_labels import label_of
from bot.core.router import Router
from bot.i18n.text import msg, user_text
from domain.quality import QualityInputs, QualityScore, explain
from domain.pseudonyms import pseudonym
from handlers.shared.quality_rules import score_for
from handlers.shared.project_names import chosen_project, find_project
from handlers.shared.replies import say

router = Router("quality")


class StatsFor(ActionData, name="quality.for"):
    """/stats named several projects: this one's table."""

    project: int = Field(alias="p")


class LiftPause(ActionData, name="quality.lift"):
    project: int = Field(alias="p")
    expert: int = Field(alias="e")



def _explanation(inputs: QualityInputs, result: QualityScore) -> list:
    return [text(msg(key, **params)) for key, params in explain(result, inputs)]


@router.command("stats", help_key="command.stats.help")
async def stats(ctx: Context, event) -> list:
    typed = (event.args or "").strip()
    if typed and ctx.has_role("manager"):
        found = await find_project(ctx, typed, lambda p: StatsFor(project=p.id))
        return found if isinstance(found, list) else await _manager_table(ctx, found)
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
    secret = ctx.pseudonym_key
    blocks: list = [Heading(text=msg("stats.table_title", name=project.name))]
    lift = []
    for person_id in (await ctx.uow.quality.experts(project.id))[:50]:
        inputs, result = await score_for(ctx.uow, person_id, project)
        paused = await ctx.uow.pauses.is_paused(project.id, person_id)
        score = msg("stats.score", score=round(result.score * 100)) if result.score is not None else msg("stats.no_score")
        name = user_text(await label_of(ctx.uow, person_id, pseudonym(secret, person_id)))
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


@router.action(StatsFor, roles={"manager"})
async def stats_for(ctx: Context, event, press: StatsFor) -> list:
    project = await chosen_project(ctx, press.project)
    return [say("error.button_expired")] if project is None else await _manager_table(ctx, project)
