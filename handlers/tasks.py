"""Doing the work: /next gives an item, its form saves every step as a draft, submit stores one answer.

/skip releases the slot (that item never comes back to this person, unless an Undo takes the skip back while the
item is still free: the same assignment, with its draft); "Other" asks for the reason in words. /drafts tells
unfinished work apart (which item, how far, when its time runs out) and resumes it on any platform. Leases end on a tick: a warning first, then the slot returns to the pool while the
draft stays with the expert.
"""
from __future__ import annotations

import json
from datetime import timedelta
from functools import lru_cache
from typing import get_args

from pydantic import BaseModel, Field

from bot.core.actions import ActionData
from bot.core.blocks import Buttons, LongText, button, text
from handlers.shared.context import Context
from bot.core.forms import FieldKind, FieldSpec, FormSpec
from bot.core.router import Router
from handlers.shared.context import TickContext
from bot.i18n.text import When, msg
from bot.core.wizard import Problem, at_summary
from domain.assignment import late_submit_allowed, prefer_gold
from domain.drafts import draft_progress, lease_expiry
from domain.skips import OTHER, REASON_CHARS, skip_reason, undo_refusal
from domain.feedback import check_justification
from domain.instructions import version_given_under
from domain.task_import import TaskItem
from domain.task_types import AnswerInvalid, answer_questions, justification_field, validate_answer
from handlers.shared import money_hooks
from handlers.shared.actions import ResumeTask, RunCommand, ShowInstructions, ShowTaskText, SkipReason, SkipTask
from handlers.shared.project_access import may_read_instructions
from domain.work_refusal import NOT_MEMBER, PAUSED_THERE
from handlers.shared.project_names import chosen_project, find_project
from handlers.shared.project_lifecycle import acknowledgment_owed, answer_refused, nothing_given, record_version
from handlers.shared.work_access import may_be_given_tasks, why_no_tasks
from handlers.shared.quality_rules import on_submitted
from handlers.shared.replies import command_buttons, say
from domain.scoring import expected_answer, needs_review, score_gold
from handlers.shared.task_render import as_blocks, item_quote, item_text, render_expected, render_task, task_context
from handlers.shared.task_forms import answer_fields
from handlers.shared.task_screen import FORM, load_assignment, remember_assignment, show_task
from handlers.shared.task_service import spec_from_json, spec_of

router = Router("tasks")
SKIP_REASONS = get_args(SkipReason)
SKIP_FORM = "task_skip"
SKIPPED = "skipped"  # a task form's session while its skip may be undone: out of /drafts, its answers kept


class UndoSkip(ActionData, name="task.unskip"):
    """The skip confirmation's Undo: the assignment, and the draft set aside with it (0: none)."""

    assignment: int = Field(alias="a")
    session: int = Field(default=0, alias="s")


class NextIn(ActionData, name="task.next_in"):
    """`/next PROJECT` matched several projects: this one."""

    project: int = Field(alias="p")


class SkipNote(BaseModel):
    reason: str = Field(min_length=3, max_length=REASON_CHARS)


async def _form(ctx: Context, params: dict) -> FormSpec:
    key = ("form", int(params["a"]))
    if key not in ctx.extra:  # the wizard asks for the form several times in one turn
        # the form needs the assignment's id and lease, which nothing in a turn changes before it is built
        assignment, task, project, spec, item = await load_assignment(ctx.uow, int(params["a"]), ctx.extra,
                                                                      fresh=False)
        ctx.extra[key] = task_form_shown(project.name, project.spec, json.dumps(task.item, sort_keys=True),
                                         assignment.id, assignment.lease_expires_at)
    return ctx.extra[key]


@lru_cache(maxsize=512)  # ~50 KB each (the item's texts in pydantic blocks): the tasks open at one moment
def task_form_shown(title: str, spec_json: str, item_json: str, assignment_id: int, lease_ends) -> FormSpec:
    """The task's form with its card and context, as every step of one assignment shows it: kept across turns, keyed
    by everything it is built from (name, spec and item in full, the assignment and its lease), so an edited
    project, another item or a moved lease builds it anew. It holds no person's text and nothing localized."""
    item = TaskItem.model_validate_json(item_json)
    spec = spec_from_json(spec_json)
    return task_form(title, spec_json, item_json).model_copy(update={
        "context": task_context(spec, item, assignment_id, lease_ends),
        "card": render_task(title, spec, item, assignment_id, lease_ends)})


@lru_cache(maxsize=2048)
def task_form(title: str, spec_json: str, item_json: str) -> FormSpec:
    """A task's form depends only on the project's name and spec and the item, and every step of every answer
    needs it: built once and kept. Keyed by all three in full, so it never serves a stale form (nor another
    database's, when one process opens several, as the tests do)."""
    item = TaskItem.model_validate_json(item_json)
    return FormSpec(id=FORM, title=title, fields=answer_fields(spec_from_json(spec_json), item),
                    submit_label=msg("task.submit"), keep_drafts=True, close_label=msg("form.stop"))


async def _check(ctx: Context, session) -> Problem | None:
    assignment, task, project, spec, item = await load_assignment(ctx.uow, int(session.params["a"]), ctx.extra,
                                                                  fresh=False)
    try:
        validate_answer(spec, item, session.values)
    except AnswerInvalid as exc:
        return Problem(exc.field_id, exc.message)
    if refusal := answer_refused(project, "active" if session.params.get("rework") else assignment.status):
        return Problem("", msg(refusal, name=project.name))  # paused or closed meanwhile: the draft stays
    if session.params.get("rework"):
        previous = await ctx.uow.submissions.get(int(session.params["rework"]))
        if previous is None or previous.review_state != "rework" or previous.person_id != ctx.person.id:
            return Problem("", msg("review.rework_closed"))
    elif assignment.status == "expired" and not late_submit_allowed(task.filled, task.overlap):
        return Problem("", msg("task.late_not_needed"))
    elif assignment.status not in ("active", "expired"):
        return Problem("", msg("task.not_yours_anymore"))
    field = justification_field(spec.task_type)
    if field and session.values.get(field):
        hint = check_justification(str(session.values[field]), spec, item)
        if hint is not None:
            return Problem(field, hint.hint, soft=True)
    return None


async def _submitted(ctx: Context, values: dict, session) -> list:
    assignment, task, project, spec, item = await load_assignment(ctx.uow, int(session.params["a"]), ctx.extra,
                                                                  fresh=False)
    answer = validate_answer(spec, item, values)
    if refusal := answer_refused(project, "active" if session.params.get("rework") else assignment.status):
        return [say(refusal, name=project.name)]
    if session.params.get("rework"):
        return await _resubmitted(ctx, project, int(session.params["rework"]), answer, values)
    late = assignment.status == "expired"
    if late and not await ctx.uow.assignments.retake_slot(assignment):
        return [say("task.late_not_needed")]
    seconds = max(0, int((ctx.now - assignment.assigned_at).total_seconds()))
    gold = score_gold(spec, item, answer)
    standing = await ctx.uow.submissions.standing(ctx.person.id, project.id)  # approvals and instructions: one read
    review_state = "pending" if needs_review(spec, standing.approvals) else "none"
    sid = await ctx.uow.submissions.add(
        assignment, answer.model_dump_json(), seconds, late, ctx.now, form_values=values,
        gold_passed=None if gold is None else gold.passed, gold_score=None if gold is None else gold.score,
        review_state=review_state,
        instructions_version=version_given_under(standing.current_version, standing.owed_version))  # no stamp after
    if sid is None:
        return [say("task.already_submitted")]
    await ctx.uow.assignments.mark_submitted(assignment.id, ctx.now)
    await ctx.audit("task.submitted", submission=sid, assignment=assignment.id, late=late,
                    gold=None if gold is None else gold.passed)
    ops = [ctx.reply(text(msg("task.thanks", name=project.name)), command_buttons("next", "drafts"))]
    if review_state == "none":
        ops += await money_hooks.submission_accepted(ctx, sid)
    if gold is not None and not gold.passed and spec.gold_feedback:
        explanation = spec.gold_explanation or item.metadata.get("explanation")
        blocks = [text(msg("task.gold_missed")), *render_expected(spec, expected_answer(spec, item))]
        if explanation:
            blocks.append(LongText(title=msg("task.gold_explanation"), text=str(explanation), filename="explanation.txt"))
        ops.insert(0, ctx.reply(*blocks))
    await after_submission(ctx, project, spec, task)
    return ops


async def _resubmitted(ctx: Context, project, submission_id: int, answer, values: dict) -> list:
    previous = await ctx.uow.submissions.get(submission_id)
    if previous is None or not await ctx.uow.submissions.revise(previous, answer.model_dump_json(), values,
                                                                "pending", ctx.now):
        return [say("review.rework_closed")]
    await record_version(ctx.uow, submission_id, project.id, ctx.person.id)
    await ctx.audit("task.reworked", submission=submission_id, revision=previous.revision + 1)
    return [ctx.reply(text(msg("review.rework_sent", name=project.name)), command_buttons("next"))]


async def after_submission(ctx: Context, project, spec, task) -> None:
    """Hooks that follow an answer: adaptive overlap and quality pauses (see handlers.shared.quality_rules)."""
    await on_submitted(ctx, project, spec, task)


router.form(FORM, build=_form, on_complete=_submitted, check=_check)


async def expire_own(ctx: Context) -> list:
    """Expire the person's lapsed assignments; returns those still active (read once, not again after)."""
    active = []
    for a in await ctx.uow.assignments.active_for(ctx.person.id):
        if a.lease_expires_at <= ctx.now:
            await ctx.uow.assignments.release(a, "expired", ctx.now)
        else:
            active.append(a)
    return active


@router.command("next", help_key="command.next.help")
async def next_task(ctx: Context, event) -> list:
    active = await expire_own(ctx)
    if active:  # a double press, or work already in hand: the same assignment again, never a second one
        return [say("task.continue")] + await show_task(ctx, active[0].id)
    typed = (event.args or "").strip()
    if typed:  # /next PROJECT: from that project only
        found = await find_project(ctx, typed, lambda p: NextIn(project=p.id), _may_name(ctx))
        return found if isinstance(found, list) else await _next_in(ctx, found)
    # each project with the person's pause there, the instructions they owe and what they were served: one read
    projects = await ctx.uow.projects.work_of(ctx.person.id)
    if not projects:
        return [ctx.reply(text(msg("task.no_projects")), command_buttons("projects"))]
    paused = 0
    for project, standing in projects:  # earlier deadlines first (work_of orders them)
        paused += standing.paused_there
        if standing.paused_there or not await may_be_given_tasks(ctx.uow, ctx.person, project, ctx.now,
                                                                 member=True, paused=False):
            continue  # paused there, or its requirement not met (never met, lapsed or revoked): no assignment
        if (owed := await acknowledgment_owed(ctx.uow, project, ctx.person.id,
                                              owes=standing.owed_version is not None)) is not None:
            return [ctx.reply(*owed)]  # a new instructions version is read and acknowledged first
        assignment = await _claim_in(ctx, project, (standing.gold_served, standing.served))
        if assignment is not None:
            return await show_task(ctx, assignment.id)
    return nothing_given([project for project, _ in projects], paused)


async def _claim_in(ctx: Context, project, served: tuple[int, int] | None = None):
    """An item of `project` for this person (gold mixed in at the spec's ratio), or None when none is left.
    `served`: (gold, all) served to them there, as the caller read it in this transaction (None: read here)."""
    spec = spec_of(project)
    if served is None:
        served = await ctx.uow.assignments.served_counts(ctx.person.id, project.id)
    gold, total = served
    lease = timedelta(minutes=spec.lease_minutes)
    want_gold = prefer_gold(gold, total, spec.gold_ratio)
    claimed = (await ctx.uow.assignments.claim_with_task(ctx.person.id, project.id, want_gold, ctx.now, lease)
               or await ctx.uow.assignments.claim_with_task(ctx.person.id, project.id, not want_gold, ctx.now, lease))
    assignment = None if claimed is None else claimed[0]
    if claimed is not None:
        remember_assignment(ctx.extra, assignment, claimed[1], project)  # its screen reads none of it back
        await ctx.audit("task.assigned", assignment=assignment.id, project=project.id)
        await ctx.uow.reminders.schedule(ctx.person.id, "draft", f"draft:{assignment.id}",
                                         ctx.now + timedelta(hours=12), {"assignment": assignment.id}, ctx.now)
    return assignment


def _may_name(ctx: Context):
    """The projects `/next PROJECT` resolves among: those whose instructions the person may read (members,
    managers, experts who could join). Any other is answered as unknown, as /instructions does."""
    return lambda project: may_read_instructions(ctx, project)


async def _next_in(ctx: Context, project) -> list:
    refusal = await why_no_tasks(ctx.uow, ctx.person, project, ctx.now)
    if refusal is not None:
        follow = {NOT_MEMBER: ("projects",), PAUSED_THERE: ("stats",)}.get(refusal, ())
        return [ctx.reply(text(msg(refusal, name=project.name)), *([command_buttons(*follow)] if follow else []))]
    if (owed := await acknowledgment_owed(ctx.uow, project, ctx.person.id)) is not None:
        return [ctx.reply(*owed)]
    assignment = await _claim_in(ctx, project)
    if assignment is None:
        return [say("task.none_left_in", name=project.name)]
    return await show_task(ctx, assignment.id)


@router.action(NextIn)
async def next_in(ctx: Context, event, press: NextIn) -> list:
    """A project chosen among several `/next PROJECT` matched; the id is untrusted, so it is resolved again."""
    project = await chosen_project(ctx, press.project, _may_name(ctx))
    if project is None:
        return [say("error.button_expired")]
    active = await expire_own(ctx)
    if active:
        return [say("task.continue")] + await show_task(ctx, active[0].id)
    return await _next_in(ctx, project)


async def _own_assignment(ctx: Context, assignment_id: int):
    """The pressed button's assignment, only if it is this person's: payloads are untrusted."""
    loaded = await load_assignment(ctx.uow, assignment_id)
    if loaded is None or loaded[0].person_id != ctx.person.id:
        return None
    return loaded


@router.action(ShowTaskText)
async def show_task_text(ctx: Context, event, press: ShowTaskText) -> list:
    """A text a task's modal had to cut, whole, in the conversation (split there, or sent as a file)."""
    loaded = await _own_assignment(ctx, press.assignment)  # untrusted id: only the presser's own assignment
    block = None if loaded is None else item_text(loaded[4], press.part)
    if block is None:
        return [say("error.button_expired")]
    return [ctx.reply(*as_blocks(block))]


@router.action(ShowInstructions)
async def show_instructions(ctx: Context, event, press: ShowInstructions) -> list:
    # the id is untrusted: only the presser's own assignment, in a project whose instructions they may still read
    loaded = await _own_assignment(ctx, press.assignment)
    if loaded is None or not await may_read_instructions(ctx, loaded[2]):
        return [say("error.button_expired")]
    spec = loaded[3]
    return [ctx.reply(LongText(title=msg("task.instructions"), text=spec.instructions, filename="instructions.txt"))]


@router.action(ResumeTask)
async def resume(ctx: Context, event, press: ResumeTask) -> list:
    loaded = await _own_assignment(ctx, press.assignment)
    if loaded is None:
        return [say("error.button_expired")]
    return await show_task(ctx, loaded[0].id)


@router.command("skip", help_key="command.skip.help")
async def skip_command(ctx: Context, event) -> list:
    active = await ctx.uow.assignments.active_for(ctx.person.id)
    if not active:
        return [say("task.nothing_to_skip")]
    reason = (event.args or "").strip()
    if reason:
        return await _skip(ctx, active[0].id, OTHER, reason)
    return [_reasons(ctx, active[0].id)]


@router.action(SkipTask)
async def skip_pressed(ctx: Context, event, press: SkipTask) -> list:
    loaded = await _own_assignment(ctx, press.assignment)
    if loaded is None:
        return [say("error.button_expired")]
    if loaded[0].status == SKIPPED:  # a double tap, or an old message: skipped once is enough
        return [say("task.already_skipped")]
    if loaded[0].status != "active":
        return [say("error.button_expired")]
    if press.reason is None:
        return [_reasons(ctx, loaded[0].id)]
    if press.reason == OTHER:  # the reason in their words, kept with the skip
        return await ctx.forms.open(SKIP_FORM, params={"a": loaded[0].id})
    return await _skip(ctx, loaded[0].id, press.reason, None)


def _reasons(ctx: Context, assignment_id: int):
    rows = [[button(msg(f"task.skip_reason.{r}"), SkipTask(assignment=assignment_id, reason=r))] for r in SKIP_REASONS]
    return ctx.reply(text(msg("task.skip_why")), Buttons(rows=rows))


def _skip_form(ctx: Context, params: dict) -> FormSpec:
    return FormSpec(id=SKIP_FORM, title=msg("task.skip_other.title"), confirm=False, fields=[
        FieldSpec(id="reason", kind=FieldKind.long_text, label=msg("task.skip_other.ask"), min_length=3,
                  max_length=REASON_CHARS)])


async def _skip_noted(ctx: Context, note: SkipNote, session) -> list:
    return await _skip(ctx, int(session.params["a"]), OTHER, note.reason)


router.form(SKIP_FORM, model=SkipNote, build=_skip_form, on_complete=_skip_noted)


async def _skip(ctx: Context, assignment_id: int, code: str, free_text: str | None) -> list:
    assignment = await ctx.uow.assignments.get(assignment_id)
    if assignment is None or assignment.person_id != ctx.person.id:
        return [say("error.button_expired")]
    if not await ctx.uow.assignments.release(assignment, SKIPPED, ctx.now, skip_reason(code, free_text)):
        return [say("task.already_skipped" if assignment.status == SKIPPED else "task.nothing_to_skip")]
    kept = 0
    for session in await ctx.uow.forms.open_for(ctx.person.id):
        if session.params.get("a") != assignment_id:
            continue
        if session.form_id == FORM:
            session.status = SKIPPED  # set aside, not thrown away: an Undo opens it again
            kept = session.id
        elif session.form_id == SKIP_FORM:  # skipped another way (/skip with words) while it asked: done with
            session.status = "cancelled"
        else:
            continue
        await ctx.uow.forms.save(session, ctx.now)
    await ctx.audit("task.skipped", assignment=assignment_id, reason=code)
    return [ctx.reply(text(msg("task.skipped")), Buttons(rows=[[
        button(msg("task.undo_button"), UndoSkip(assignment=assignment_id, session=kept)),
        button(msg("command.next.button"), RunCommand(command="next"), style="primary")]]))]


@router.action(UndoSkip)
async def undo_skip(ctx: Context, event, press: UndoSkip) -> list:
    """The same item back, with its draft, while its slot is still free; a second tap changes nothing."""
    assignment = await ctx.uow.assignments.get(press.assignment)
    if assignment is None or assignment.person_id != ctx.person.id:  # the payload is untrusted
        return [say("error.button_expired")]
    others = [a for a in await ctx.uow.assignments.active_for(ctx.person.id) if a.id != assignment.id]
    refusal = undo_refusal(assignment.status, assignment.lease_expires_at, ctx.now, bool(others))
    if refusal is not None:
        return [say(refusal)]
    if not await ctx.uow.assignments.unskip(assignment):
        return [say("task.undo.taken")]
    session = await ctx.uow.forms.get(press.session) if press.session else None
    if (session is not None and session.person_id == ctx.person.id and session.form_id == FORM
            and session.params.get("a") == assignment.id and session.status == SKIPPED):
        session.status = "open"
        await ctx.uow.forms.save(session, ctx.now)
    await ctx.audit("task.skip_undone", assignment=assignment.id)
    return [say("task.undo.done")] + await show_task(ctx, assignment.id)


@router.command("drafts", help_key="command.drafts.help")
async def drafts(ctx: Context, event) -> list:
    found = []
    for s in [s for s in await ctx.uow.forms.open_for(ctx.person.id) if s.form_id == FORM][:10]:
        loaded = await load_assignment(ctx.uow, int(s.params["a"]))
        if loaded is not None:
            found.append((s, loaded))
    if not found:
        return [say("task.no_drafts")]
    blocks, rows, several = [text(msg("task.drafts_title", count=len(found)))], [], len(found) > 1
    for number, (s, (assignment, task, project, spec, item)) in enumerate(found, 1):
        progress = draft_progress(answer_questions(spec, item), s.values, at_summary=at_summary(s))
        how_far = (msg("task.draft.ready") if progress.ready
                   else msg("task.draft.answered", done=progress.answered, total=progress.total))
        # numbered when there are several, so each Continue button names its line
        blocks.append(text(f"{number}. " if several else "• ", project.name, " — ", item_quote(item), "\n",
                           how_far, " · ", _time_left(ctx, assignment)))
        label = msg("task.continue_button_n", number=number) if several else msg("task.continue_button")
        rows.append([button(label, ResumeTask(assignment=assignment.id))])
    return [ctx.reply(*blocks, Buttons(rows=rows))]


def _time_left(ctx: Context, assignment):
    """When the lease ends, in the reader's zone: in minutes within the hour, else today / tomorrow / a date."""
    if assignment.status != "active":
        return msg("task.draft.lapsed")
    expiry = lease_expiry(assignment.lease_expires_at, ctx.now, ctx.tz)
    if expiry.kind == "ended":
        return msg("task.draft.lapsed")
    if expiry.kind == "minutes":
        return msg("task.draft.expires_in", count=expiry.minutes)
    at = assignment.lease_expires_at
    if expiry.kind == "today":
        return msg("task.draft.expires_today", at=When(at=at, style="time"))
    if expiry.kind == "tomorrow":
        return msg("task.draft.expires_tomorrow", at=When(at=at, style="time"))
    return msg("task.draft.expires_on", at=When(at=at, style="medium"))


@router.tick(every=30, name="tasks.leases")
async def lease_tick(tick: TickContext) -> int:
    """Warn about leases ending soon and release the ones that ended; several processes may tick at once.

    The notes themselves are reminders (kinds `lease_warning`, `lease_expired`), so a person can switch them off
    and quiet hours apply; a warning deferred past the lease's end is dropped by its renderer.
    """
    uow, now = tick.uow, tick.now
    scheduled = 0
    for a in await uow.assignments.ending_soon(now, timedelta(minutes=10)):
        scheduled += await uow.reminders.schedule(a.person_id, "lease_warning", f"lease-warn:{a.id}", now,
                                                  {"assignment": a.id}, now)
    for a in await uow.assignments.expired(now):
        if await uow.assignments.release(a, "expired", now):
            await uow.audit.log(a.person_id, "task.lease_expired", {"assignment": a.id}, now)
            scheduled += await uow.reminders.schedule(a.person_id, "lease_expired", f"lease-end:{a.id}", now,
                                                      {"assignment": a.id}, now)
    return scheduled
