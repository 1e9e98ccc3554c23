"""/review: the next answer waiting for review (`/review PROJECT`: from that project only); approve, reject with
a reason, or send back for rework. A resubmission shows the version it replaces and the comment that sent it back,
and the expert reworking sees the same comment and their answer as it was.

Reviewers see the item and the answer under a pseudonym, never the expert's name. Every decision is one row in
the review log (a double press decides once); the expert is told in their own language which answer it was (the
item quoted, the day they answered) with a button to see that answer again.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from bot.core.actions import ActionData
from bot.core.blocks import Buttons, Heading, LongText, Span, button, text
from handlers.shared.context import Context
from bot.core.forms import FieldKind, FieldSpec, FormSpec, Option
from bot.core.router import Router
from bot.i18n.text import When, msg
from domain.pseudonyms import pseudonym
from domain.task_import import TaskItem
from handlers.shared.quality_rules import check_pause
from handlers.shared.actions import RunCommand
from handlers.shared.replies import say
from handlers.shared.task_render import issue_spans, item_blocks, item_quote, render_answer
from handlers.shared.project_names import find_project
from handlers.shared.rework_note import previous_version, rework_brief
from handlers.shared.task_screen import load_assignment, show_task
from handlers.shared.task_service import spec_of
from handlers.shared.work_access import reviewable_projects

router = Router("review")
FORM = "review"
REASONS = ("inaccurate", "vague", "guideline_not_followed", "other")


class ReviewNote(BaseModel):
    reason: str | None = None
    comment: str = Field(default="", max_length=4000)


class ReviewLater(ActionData, name="review.next"):
    after: int  # the submission put off: the next one after it
    project: int = Field(default=0, alias="p")  # /review PROJECT: stay in that project (0: every one)


class Decide(ActionData, name="review.decide"):
    submission: int = Field(alias="s")
    revision: int = Field(alias="r")
    decision: Literal["approved", "rework", "rejected"] = Field(alias="d")


class Rework(ActionData, name="task.rework"):
    submission: int = Field(alias="s")


class ShowAnswer(ActionData, name="review.answer"):
    """An outcome notice's "See my answer": the version of the answer that was decided."""

    submission: int = Field(alias="s")
    revision: int = Field(alias="r")


async def _reviewable_projects(ctx: Context) -> list[int]:
    return await reviewable_projects(ctx.uow, ctx.person.id, set(ctx.roles))


@router.command("review", roles={"reviewer"}, help_key="command.review.help")
async def next_review(ctx: Context, event) -> list:
    typed = (event.args or "").strip()
    if not typed:
        return await _next_review(ctx, after=0)
    reviewable = set(await _reviewable_projects(ctx))

    async def visible(project) -> bool:
        return project.id in reviewable

    # several matches: each button is the same queue filtered to one project (checked again when pressed)
    found = await find_project(ctx, typed, lambda p: ReviewLater(after=0, project=p.id), visible)
    return found if isinstance(found, list) else await _next_review(ctx, after=0, only=found.id)


async def _next_review(ctx: Context, after: int, only: int = 0) -> list:
    """The next answer waiting after `after`, from project `only` when the queue is filtered (0: every project
    this reviewer may review; a project they may not review is answered as an expired button: ids are untrusted)."""
    projects = await _reviewable_projects(ctx)
    if only:
        if only not in projects:
            return [say("error.button_expired")]
        projects = [only]
    submission = await ctx.uow.submissions.next_for_review(ctx.person.id, projects, after)
    if submission is None:
        if only:
            return [say("review.none_in", name=(await ctx.uow.projects.get(only)).name)]
        return [say("review.none")]
    project = await ctx.uow.projects.get(submission.project_id)
    task = await ctx.uow.tasks.get(submission.task_id)
    spec, item = spec_of(project), TaskItem.model_validate(task.item)
    s, r = submission.id, submission.revision
    blocks = [
        Heading(text=msg("review.title", name=project.name)),
        text(msg("review.by", expert=pseudonym(ctx.pseudonym_key, submission.person_id), revision=r)),
        *item_blocks(item),
        *await previous_version(ctx.uow, spec, item, submission),  # a resubmission: what it replaces, and why
        text(Span(text=msg("review.answer"), style="bold")),
        *render_answer(spec, item, submission.form_values),
        *issue_spans(item, submission.answer),  # the lines an issue in code points at, marked
    ]
    if submission.gold_passed is not None:
        blocks.append(text(msg("review.gold_passed" if submission.gold_passed else "review.gold_failed")))
    blocks.append(Buttons(rows=[
        [button(msg("review.approve"), Decide(submission=s, revision=r, decision="approved"), style="primary"),
         button(msg("review.rework"), Decide(submission=s, revision=r, decision="rework")),
         button(msg("review.reject"), Decide(submission=s, revision=r, decision="rejected"), style="danger")],
        [button(msg("review.later"), ReviewLater(after=s, project=only))],
    ]))
    return [ctx.reply(*blocks)]


@router.action(ReviewLater, roles={"reviewer"})
async def skip_to_next(ctx: Context, event, press: ReviewLater) -> list:
    return await _next_review(ctx, after=press.after, only=press.project)


async def _pending(ctx: Context, submission_id: int, revision: int):
    submission = await ctx.uow.submissions.get(submission_id)
    if (submission is None or submission.revision != revision or submission.review_state != "pending"
            or submission.person_id == ctx.person.id
            or submission.project_id not in await _reviewable_projects(ctx)):
        return None
    return submission


@router.action(Decide, roles={"reviewer"})
async def decide_pressed(ctx: Context, event, press: Decide) -> list:
    decision = press.decision
    submission = await _pending(ctx, press.submission, press.revision)
    if submission is None:
        return [say("review.already_decided")]
    if decision == "approved":
        return await _decide(ctx, submission.id, submission.revision, "approved", None, None)
    return await ctx.forms.open(FORM, params={"s": submission.id, "r": submission.revision, "d": decision},
                                resume=False)


async def _note_form(ctx: Context, params: dict) -> FormSpec:
    fields = []
    if params["d"] == "rejected":
        fields.append(FieldSpec(id="reason", kind=FieldKind.choice, label=msg("review.reason"),
                                options=[Option(value=r, label=msg(f"review.reason.{r}")) for r in REASONS]))
    fields.append(FieldSpec(id="comment", kind=FieldKind.long_text, label=msg("review.comment"),
                            help=msg("review.comment.help"), min_length=3, max_length=4000))
    title = msg("review.rework") if params["d"] == "rework" else msg("review.reject")
    return FormSpec(id=FORM, title=title, fields=fields, submit_label=msg("review.send"),
                    context=await _judged(ctx, int(params["s"]), int(params["r"])))


async def _judged(ctx: Context, submission_id: int, revision: int) -> list:
    """The item and the answer under review, for a modal (it covers the card); kept for the turn."""
    key = ("review.judged", submission_id, revision)
    if key not in ctx.extra:
        submission = await _pending(ctx, submission_id, revision)
        blocks: list = []
        if submission is not None:  # only what this reviewer may see
            project = await ctx.uow.projects.get(submission.project_id)
            task = await ctx.uow.tasks.get(submission.task_id)
            item = TaskItem.model_validate(task.item)
            blocks = [*item_blocks(item), text(Span(text=msg("review.answer"), style="bold")),
                      *render_answer(spec_of(project), item, submission.form_values),
                      *issue_spans(item, submission.answer)]
        ctx.extra[key] = blocks
    return ctx.extra[key]


async def _noted(ctx: Context, note: ReviewNote, session) -> list:
    p = session.params
    return await _decide(ctx, int(p["s"]), int(p["r"]), p["d"], note.reason, note.comment)


async def _decide(ctx: Context, submission_id: int, revision: int, decision: str, reason: str | None,
                  comment: str | None) -> list:
    submission = await _pending(ctx, submission_id, revision)
    if submission is None or not await ctx.uow.reviews.decide(submission_id, revision, ctx.person.id, decision,
                                                               reason, comment, ctx.now):
        return [say("review.already_decided")]
    await ctx.uow.submissions.set_review_state(submission_id, revision, decision)
    await ctx.audit("review.decided", submission=submission_id, revision=revision, decision=decision, reason=reason)
    project = await ctx.uow.projects.get(submission.project_id)
    task = await ctx.uow.tasks.get(submission.task_id)
    notice = [text(msg(f"review.notice.{decision}", name=project.name)),
              _which_answer(submission, TaskItem.model_validate(task.item))]
    if reason:
        notice.append(text(msg("review.reason"), " ", msg(f"review.reason.{reason}")))
    if comment:
        notice.append(LongText(title=msg("review.comment"), text=comment, filename="review-comment.txt"))
    row = [button(msg("review.show_answer"), ShowAnswer(submission=submission_id, revision=revision))]
    if decision == "rework":
        row.insert(0, button(msg("review.rework_button"), Rework(submission=submission_id), style="primary"))
    notice.append(Buttons(rows=[row]))
    from handlers.shared import money_hooks

    await check_pause(ctx, submission.person_id, project, spec_of(project))
    extra = []
    if decision == "approved":
        extra = await money_hooks.submission_accepted(ctx, submission_id)
    elif decision == "rejected":
        extra = await money_hooks.submission_rejected(ctx, submission_id)
    return [ctx.reply(text(msg("review.done")), await _more(ctx, project)),
            ctx.send_to(submission.person_id, *notice), *extra]


router.form(FORM, model=ReviewNote, build=_note_form, on_complete=_noted)


async def _more(ctx: Context, project) -> Buttons:
    """What to review next: the whole queue, and this project's alone when the reviewer has several."""
    row = [button(msg("command.review.button"), RunCommand(command="review"))]
    if len(await _reviewable_projects(ctx)) > 1:
        row.append(button(msg("review.more_from", name=project.name), ReviewLater(after=0, project=project.id)))
    return Buttons(rows=[row])


def _which_answer(submission, item: TaskItem):
    """The item quoted and the day of the answer (the reader's zone and language, at delivery)."""
    return text(msg("review.notice.item", item=item_quote(item), date=When(at=submission.submitted_at, style="date")))


@router.action(ShowAnswer)
async def show_answer(ctx: Context, event, press: ShowAnswer) -> list:
    """The answer a notice was about, to its author or a manager only; the payload is untrusted, and a button for
    a version since replaced by a rework says so rather than show another text than the notice meant."""
    submission = await ctx.uow.submissions.get(press.submission)
    if submission is None:
        return [say("error.button_expired")]
    if submission.person_id != ctx.person.id and not ctx.has_role("manager"):
        return [say("review.answer_not_yours")]
    if submission.revision != press.revision:
        return [say("review.answer_replaced")]
    project = await ctx.uow.projects.get(submission.project_id)
    task = await ctx.uow.tasks.get(submission.task_id)
    item = TaskItem.model_validate(task.item)
    return [ctx.reply(Heading(text=msg("review.answer_heading", name=project.name)), _which_answer(submission, item),
                      *render_answer(spec_of(project), item, submission.form_values),
                      *issue_spans(item, submission.answer))]


@router.action(Rework)
async def rework(ctx: Context, event, press: Rework) -> list:
    """The expert reopens an answer sent back: the form comes back filled with what they wrote."""
    submission = await ctx.uow.submissions.get(press.submission)
    if submission is None or submission.person_id != ctx.person.id or submission.review_state != "rework":
        return [say("review.rework_closed")]
    loaded = await load_assignment(ctx.uow, submission.assignment_id)
    brief = ctx.reply(Heading(text=msg("review.rework_heading", name=loaded[2].name)),
                      *await rework_brief(ctx.uow, loaded[3], loaded[4], submission))
    return [brief] + await show_task(ctx, submission.assignment_id,
                                     params={"a": submission.assignment_id, "rework": submission.id},
                                     initial=submission.form_values)
