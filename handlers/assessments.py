"""Screening assessments: /assess lists and starts them, items come one by one as forms, the server keeps the
clock, reviewers grade written parts with /grade, and a pass grants a qualification (/qualify, /unqualify for
managers). Integrity: choice buttons carry shown positions only (the attempt stores the order), every press and
form is checked against the attempt's owner, and attempts, answers and scores are in the audit log.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from pydantic import Field

from bot.core.actions import ActionData
from bot.core.blocks import Buttons, Heading, LongText, Reply, Span, button, text
from handlers.shared.context import Context
from bot.core.forms import FieldKind, FieldSpec, FormSpec, Option
from bot.core.operations import OpenForm, SendMessage, Target
from bot.core.router import Router
from handlers.shared.context import TickContext
from bot.i18n.text import Day, Duration, When, msg, user_text
from bot.core.wizard import Problem
from domain.assessment_scoring import (
    AttemptResult, from_shown, needs_reviewer, new_shuffles, result, retake_opens, score_choice, score_numeric,
    score_task, standing,
)
from domain.assessment_spec import (
    AssessmentSpec, ChoiceItem, NumericItem, TaskSampleItem, WrittenItem,
)
from domain.task_types import AnswerInvalid, validate_answer
from handlers.shared.people_names import find_person, leading
from handlers.shared.person_labels import label_of
from handlers.shared.qualification_hooks import qualifications_of
from handlers.shared.replies import command_buttons, say
from handlers.shared.task_forms import answer_fields
from handlers.shared.task_render import item_blocks, item_text
from storage.repos.assessments import AssessmentRow, AttemptRow
from storage.uow import UnitOfWork

router = Router("assessments")
ITEM_FORM = "assess.item"
EXPIRY_NOTICE = timedelta(days=14)
MAX_LISTED = 15


class OpenAssessment(ActionData, name="assess.open"):
    assessment: int = Field(alias="a")


class StartAssessment(ActionData, name="assess.start"):
    assessment: int = Field(alias="a")


class ResumeAttempt(ActionData, name="assess.resume"):
    attempt: int = Field(alias="t")


class ShowSampleText(ActionData, name="assess.text"):
    """One text of a sample task, whole (see task_render.item_text for `part`)."""

    attempt: int = Field(alias="t")
    index: int = Field(alias="i", ge=0)
    part: str = Field(alias="p", max_length=8)


class Grade(ActionData, name="grade.set"):
    answer: int = Field(alias="n")
    points: int = Field(alias="g", ge=0)


# ---------------------------------------------------------------------------------------------- definitions


@lru_cache(maxsize=128)
def _spec(spec_json: str) -> AssessmentSpec:
    return AssessmentSpec.model_validate_json(spec_json)


def spec_of(row: AssessmentRow) -> AssessmentSpec:
    return _spec(row.spec)


# ---------------------------------------------------------------------------------------------- attempts


async def _attempt_of(uow: UnitOfWork, attempt_id: int) -> tuple[AttemptRow, AssessmentRow, AssessmentSpec] | None:
    attempt = await uow.assessments.attempt(attempt_id)
    if attempt is None:
        return None
    row = await uow.assessments.get(attempt.assessment_id)
    return attempt, row, spec_of(row)


async def _own_attempt(ctx: Context, attempt_id: Any):
    """The attempt, only when it is this person's: button payloads and form params are never trusted."""
    try:
        loaded = await _attempt_of(ctx.uow, int(attempt_id))
    except (TypeError, ValueError):
        return None
    if loaded is None or loaded[0].person_id != ctx.person.id:
        return None
    return loaded


def section_label(name: str):
    return msg(f"assess.section.{name[5:]}") if name.startswith("kind:") else name


def _fields(item, attempt: AttemptRow) -> list[FieldSpec]:
    if isinstance(item, ChoiceItem):
        order = attempt.shuffles.get(item.id, list(range(len(item.options))))
        options = [Option(value=str(pos), label=item.options[orig]) for pos, orig in enumerate(order)]
        kind = FieldKind.multi_choice if item.multiple else FieldKind.choice
        hint = msg("assess.choose_all") if item.multiple else None
        return [FieldSpec(id="choice", kind=kind, label=item.prompt, options=options, help=hint)]
    if isinstance(item, NumericItem):
        hint = msg("assess.numeric_unit", unit=item.unit) if item.unit else msg("assess.numeric_hint")
        return [FieldSpec(id="value", kind=FieldKind.number, label=item.prompt, help=hint)]
    if isinstance(item, WrittenItem):
        return [FieldSpec(id="text", kind=FieldKind.long_text, label=item.prompt, min_length=item.min_chars,
                          max_length=item.max_chars, help=msg("assess.written_hint", count=item.max_chars, min=item.min_chars,
                                                              max=item.max_chars))]
    return answer_fields(item.task, item.item)


async def _build_form(ctx: Context, params: dict) -> FormSpec:
    loaded = await _own_attempt(ctx, params.get("t"))
    if loaded is None:  # cannot happen for a session this person opened; keep the form harmless
        return FormSpec(id=ITEM_FORM, title="-", fields=[FieldSpec(id="x", kind=FieldKind.short_text, label="-")])
    attempt, row, spec = loaded
    index = int(params["i"])
    item = spec.items[index]
    title = msg("assess.item_title", n=index + 1, total=len(spec.items))
    context: list = []
    if isinstance(item, TaskSampleItem):  # what to judge, for a modal (it covers the conversation)
        context = [text(Span(text=item.prompt, style="bold")),
                   *item_blocks(item.item, lambda part: ShowSampleText(attempt=attempt.id, index=index, part=part))]
    return FormSpec(id=ITEM_FORM, title=title, fields=_fields(item, attempt), context=context,
                    confirm=isinstance(item, TaskSampleItem), submit_label=msg("assess.submit_answer"))


async def _check(ctx: Context, session) -> Problem | None:
    loaded = await _own_attempt(ctx, session.params.get("t"))
    if loaded is None:
        return Problem("", msg("assess.not_yours"))
    item = loaded[2].items[int(session.params["i"])]
    if isinstance(item, TaskSampleItem):
        try:
            validate_answer(item.task, item.item, session.values)
        except AnswerInvalid as exc:
            return Problem(exc.field_id, exc.message)
    return None


def evaluate(item, attempt: AttemptRow, values: dict) -> tuple[dict, float | None, bool]:
    """(stored answer, points now or None, needs a reviewer) for one item's form values."""
    if isinstance(item, ChoiceItem):
        shown = values.get("choice")
        shown = shown if isinstance(shown, list) else [shown]
        chosen = from_shown(item, attempt.shuffles.get(item.id, list(range(len(item.options)))), shown)
        return {"chosen": chosen}, score_choice(item, chosen), False
    if isinstance(item, NumericItem):
        value = values.get("value")
        value = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        return {"value": value}, score_numeric(item, value), False
    if isinstance(item, WrittenItem):
        return {"text": str(values.get("text") or "")}, None, True
    answer = validate_answer(item.task, item.item, values)
    stored = {"values": values, "answer": answer.model_dump()}
    points = score_task(item, answer)
    return stored, points, points is None and needs_reviewer(item)


async def _item_completed(ctx: Context, values: dict, session) -> list:
    loaded = await _own_attempt(ctx, session.params.get("t"))
    if loaded is None:
        return [say("assess.not_yours")]
    attempt, row, spec = loaded
    index = int(session.params["i"])
    if attempt.status != "active" or attempt.position != index:
        return [say("assess.already_closed")]
    item = spec.items[index]
    late = ctx.now > attempt.deadline_at
    stored, points, needs = evaluate(item, attempt, values)
    saved = await ctx.uow.assessments.save_answer(attempt.id, item.id, stored, ctx.now, late,
                                                  0.0 if late else points, float(item.points), needs and not late)
    await ctx.audit("assessment.answered", attempt=attempt.id, item=item.id, late=late,
                    points=None if late else points, saved=saved)
    if late:
        ops = [say("assess.too_late")]
        return ops + await close_attempt(ctx.uow, attempt, row, spec, ctx.now, timed_out=True)
    await ctx.uow.assessments.advance(attempt, index + 1)
    if index + 1 < len(spec.items):
        attempt.position = index + 1
        return await show_item(ctx, attempt, row, spec)
    return await close_attempt(ctx.uow, attempt, row, spec, ctx.now, timed_out=False)


router.form(ITEM_FORM, build=_build_form, on_complete=_item_completed, check=_check)


def _task_blocks(item: TaskSampleItem) -> list:
    return item_blocks(item.item)


@router.action(ShowSampleText)
async def show_sample_text(ctx: Context, event, press: ShowSampleText) -> list:
    """A sample task's text that its modal had to cut, whole, in the conversation (own attempt only)."""
    loaded = await _own_attempt(ctx, press.attempt)
    items = [] if loaded is None else loaded[2].items
    item = items[press.index] if 0 <= press.index < len(items) else None
    block = item_text(item.item, press.part) if isinstance(item, TaskSampleItem) else None
    if block is None:
        return [say("assess.not_yours")]
    return [ctx.reply(block)]


async def show_item(ctx: Context, attempt: AttemptRow, row: AssessmentRow, spec: AssessmentSpec) -> list:
    """The item's header (and, for a sample task, what to judge), then its form — resumed if it was open."""
    item = spec.items[attempt.position]
    header: list = [
        Heading(text=row.title),
        text(msg("assess.item_header", n=attempt.position + 1, total=len(spec.items)), " · ",
             section_label(item.section or f"kind:{item.type}"), " · ",
             msg("assess.time_left", until=When(at=attempt.deadline_at, style="time"))),
    ]
    if isinstance(item, TaskSampleItem):
        header.append(text(Span(text=item.prompt, style="bold")))
        header += _task_blocks(item)
    form = await ctx.forms.open(ITEM_FORM, params={"t": attempt.id, "i": attempt.position})
    if isinstance(item, TaskSampleItem) and any(isinstance(op, OpenForm) for op in form):
        header = header[:2] + [text(msg("assess.opened_in_window"))]  # the window shows the task: no duplicate
    return [ctx.reply(*header)] + form


async def _cancel_forms(uow: UnitOfWork, person_id: int, attempt_id: int, now: datetime) -> None:
    for session in await uow.forms.open_for(person_id):
        if session.form_id == ITEM_FORM and session.params.get("t") == attempt_id:
            session.status = "cancelled"
            await uow.forms.save(session, now)


async def close_attempt(uow: UnitOfWork, attempt: AttemptRow, row: AssessmentRow, spec: AssessmentSpec,
                        now: datetime, timed_out: bool) -> list:
    """No more answers: score what can be scored now; what a reviewer scores waits in the grading queue."""
    if not await uow.assessments.close(attempt.id, "grading", now, timed_out):
        return []
    await _cancel_forms(uow, attempt.person_id, attempt.id, now)
    await uow.audit.log(attempt.person_id, "assessment.submitted",
                        {"attempt": attempt.id, "assessment": row.id, "timed_out": timed_out}, now)
    pending = [a for a in await uow.assessments.answers(attempt.id) if a.needs_grading and a.graded_at is None]
    ops = []
    if timed_out:
        ops.append(_to(attempt.person_id, text(msg("assess.time_up", title=row.title))))
    if pending:
        ops.append(_to(attempt.person_id, text(msg("assess.awaiting_grading", title=row.title))))
        return ops
    return ops + await finalize(uow, attempt, row, spec, now)


def _to(person_id: int, *blocks) -> SendMessage:
    return SendMessage(to=Target.person(person_id), message=Reply(blocks=list(blocks)))


async def finalize(uow: UnitOfWork, attempt: AttemptRow, row: AssessmentRow, spec: AssessmentSpec,
                   now: datetime) -> list:
    """Every part scored: pass or fail, a qualification on a pass, and the result notice with its breakdown."""
    answers = await uow.assessments.answers(attempt.id)
    points = {a.item_id: (0.0 if a.late else a.points) for a in answers}
    outcome = result(spec, points)
    status = "passed" if outcome.passed else "failed"
    if not await uow.assessments.finish(attempt.id, status, outcome.score, outcome.breakdown(), now):
        return []
    expires = now + timedelta(days=spec.valid_days) if spec.valid_days else None
    if outcome.passed:
        await uow.qualifications.grant(attempt.person_id, spec.grants, spec.level, now, expires, "assessment",
                                       attempt_id=attempt.id)
    await uow.audit.log(attempt.person_id, "assessment.scored", {
        "attempt": attempt.id, "assessment": row.id, "score": round(outcome.score, 4), "passed": outcome.passed,
        "breakdown": outcome.breakdown()}, now)
    used = len(await uow.assessments.attempts_of(attempt.person_id, row.id))
    return [_to(attempt.person_id, *result_blocks(row, spec, outcome, now, used, expires))]


def result_blocks(row: AssessmentRow, spec: AssessmentSpec, outcome: AttemptResult, now: datetime, used: int,
                  expires: datetime | None) -> list:
    percent = round(outcome.score * 100)
    blocks: list = [Heading(text=msg("assess.result_title", title=row.title)),
                    text(msg("assess.result_score", score=percent, needed=round(spec.pass_score * 100)))]
    for s in outcome.sections:
        blocks.append(text("• ", section_label(s.name), ": ", msg("assess.section_points", count=_count(s.max_points), points=_num(s.points),
                                                                  max=_num(s.max_points))))
    if outcome.passed:
        blocks.append(text(Span(text=msg("assess.passed", name=spec.grants, level=spec.level), style="bold")))
        if expires:
            blocks.append(text(msg("assess.valid_until", day=Day(on=expires.date()))))
        blocks.append(command_buttons("projects"))
    else:
        opens = retake_opens(spec, now, used)
        if opens is None:
            blocks.append(text(Span(text=msg("assess.failed_final"), style="bold")))
        else:
            blocks.append(text(Span(text=msg("assess.failed_retry", day=Day(on=opens.date())), style="bold")))
    return blocks


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else round(x, 2)


def _count(x: float) -> int:
    """The plural count of a number of points: a fraction ("1.5 points") reads as more than one."""
    return int(x) if float(x).is_integer() else int(x) + 2


async def expire_overdue(uow: UnitOfWork, attempts: list[AttemptRow], now: datetime) -> list:
    ops = []
    for attempt in attempts:
        if attempt.deadline_at < now:
            _, row, spec = await _attempt_of(uow, attempt.id)
            ops += await close_attempt(uow, attempt, row, spec, now, timed_out=True)
    return ops


# ---------------------------------------------------------------------------------------------- /assess


@router.command("assess", help_key="command.assess.help")
async def assess(ctx: Context, event) -> list:
    ops = await expire_overdue(ctx.uow, await ctx.uow.assessments.active_for(ctx.person.id), ctx.now)
    domains = set(ctx.person.profile.get("domains", []))
    rows = [r for r in await ctx.uow.assessments.open_ones() if r.domain in domains]
    held = await ctx.uow.qualifications.valid(ctx.person.id, ctx.now)
    blocks: list = [Heading(text=msg("assess.title"))]
    if held:
        blocks.append(text(msg("assess.held"), " ", ", ".join(f"{q.name} ({q.level})" for q in held)))
    if not rows:
        blocks.append(text(msg("assess.none")))
        return ops + [ctx.reply(*blocks)]
    qualified = await qualifications_of(ctx.uow, ctx.person.id, ctx.now)
    buttons = []
    for row in rows[:MAX_LISTED]:
        spec = spec_of(row)
        attempts = await ctx.uow.assessments.attempts_of(ctx.person.id, row.id)
        st = standing(spec, [a.model_dump() for a in attempts], ctx.now)
        line = [Span(text=row.title, style="bold"), " — ", msg(f"domain.{row.domain}"), ", ",
                msg("assess.time_limit", duration=Duration(minutes=spec.time_limit_minutes)), ", ",
                msg("assess.attempts_left", count=spec.max_attempts, left=st.attempts_left, max=spec.max_attempts), " — "]
        active = next((a for a in attempts if a.status == "active"), None)
        if active is not None:
            line.append(msg("assess.state.in_progress"))
            buttons.append(button(msg("assess.continue_button", title=row.title), ResumeAttempt(attempt=active.id)))
        elif any(a.status == "grading" for a in attempts):
            line.append(msg("assess.state.grading"))
        elif st.passed and qualified.get(spec.grants, 0) >= spec.level:
            line.append(msg("assess.state.passed"))
        elif st.attempts_left == 0 and not st.passed:
            line.append(msg("assess.state.no_attempts"))
        elif st.retake_at is not None:
            line.append(msg("assess.state.retake", day=Day(on=st.retake_at.date())))
        else:
            line.append(msg("assess.state.open"))
            buttons.append(button(msg("assess.open_button", title=row.title), OpenAssessment(assessment=row.id)))
        blocks.append(text(*line))
    if buttons:
        blocks.append(Buttons(rows=[[b] for b in buttons]))
    return ops + [ctx.reply(*blocks)]


async def _startable(ctx: Context, assessment_id: int):
    row = await ctx.uow.assessments.get(assessment_id)
    if row is None or row.status != "open":
        return None, None, "error.button_expired"
    if row.domain not in ctx.person.profile.get("domains", []):
        return row, None, "assess.not_your_domain"
    spec = spec_of(row)
    attempts = await ctx.uow.assessments.attempts_of(ctx.person.id, row.id)
    st = standing(spec, [a.model_dump() for a in attempts], ctx.now)
    qualified = (await qualifications_of(ctx.uow, ctx.person.id, ctx.now)).get(spec.grants, 0) >= spec.level
    if st.in_progress:
        return row, None, "assess.in_progress"
    if st.passed and qualified:
        return row, None, "assess.already_passed"
    if st.attempts_left == 0:
        return row, None, "assess.state.no_attempts"
    if st.retake_at is not None:
        return row, None, say("assess.state.retake", day=Day(on=st.retake_at.date()))
    return row, (spec, len(attempts), st), None


@router.action(OpenAssessment)
async def open_assessment(ctx: Context, event, press: OpenAssessment) -> list:
    row, ready, problem = await _startable(ctx, press.assessment)
    if problem:
        return [problem if isinstance(problem, SendMessage) else say(problem)]
    spec, used, st = ready
    return [ctx.reply(
        Heading(text=row.title),
        LongText(title=msg("assess.instructions"), text=spec.instructions, filename="instructions.txt"),
        text(msg("assess.rules", questions=msg("common.questions_count", count=len(spec.items)),
                 duration=Duration(minutes=spec.time_limit_minutes),
                 needed=round(spec.pass_score * 100), left=st.attempts_left)),
        text(msg("assess.clock_note")),
        Buttons(rows=[[button(msg("assess.start_button"), StartAssessment(assessment=row.id), style="primary")]]),
    )]


@router.action(StartAssessment)
async def start_assessment(ctx: Context, event, press: StartAssessment) -> list:
    row, ready, problem = await _startable(ctx, press.assessment)
    if problem:
        return [problem if isinstance(problem, SendMessage) else say(problem)]
    spec, used, st = ready
    deadline = ctx.now + timedelta(minutes=spec.time_limit_minutes)
    attempt = await ctx.uow.assessments.start(row.id, ctx.person.id, used + 1, new_shuffles(spec), ctx.now, deadline)
    if attempt is None:
        return [say("assess.in_progress")]
    await ctx.audit("assessment.started", attempt=attempt.id, assessment=row.id, number=attempt.number,
                    deadline=deadline.isoformat())
    intro = ctx.reply(text(msg("assess.started", title=row.title, until=When(at=deadline, style="time"))))
    return [intro] + await show_item(ctx, attempt, row, spec)


@router.action(ResumeAttempt)
async def resume_assessment(ctx: Context, event, press: ResumeAttempt) -> list:
    loaded = await _own_attempt(ctx, press.attempt)
    if loaded is None:
        return [say("assess.not_yours")]
    attempt, row, spec = loaded
    if attempt.status != "active":
        return [say("assess.already_closed")]
    if attempt.deadline_at < ctx.now:
        return await close_attempt(ctx.uow, attempt, row, spec, ctx.now, timed_out=True)
    return await show_item(ctx, attempt, row, spec)


# ---------------------------------------------------------------------------------------------- grading


async def _grading_card(ctx: Context) -> list:
    waiting = await ctx.uow.assessments.to_grade(ctx.person.id)
    if not waiting:
        return [say("grade.none")]
    answer = waiting[0]
    attempt, row, spec = await _attempt_of(ctx.uow, answer.attempt_id)
    item = spec.item(answer.item_id)
    blocks: list = [Heading(text=msg("grade.title", title=row.title)),
                    text(section_label(item.section or f"kind:{item.type}"), " · ",
                         msg("grade.points_range", max=item.points))]
    if isinstance(item, WrittenItem):
        blocks.append(LongText(title=msg("grade.question"), text=item.prompt, filename="question.txt"))
        blocks.append(LongText(title=msg("grade.rubric"), text=item.rubric, filename="rubric.txt"))
        blocks.append(LongText(title=msg("grade.answer"), text=answer.answer.get("text", ""), filename="answer.txt"))
    elif isinstance(item, TaskSampleItem):
        from handlers.shared.task_render import render_answer

        blocks.append(text(Span(text=item.prompt, style="bold")))
        blocks += _task_blocks(item)
        if item.rubric:
            blocks.append(LongText(title=msg("grade.rubric"), text=item.rubric, filename="rubric.txt"))
        blocks.append(text(Span(text=msg("grade.answer"), style="bold")))
        blocks += render_answer(item.task, item.item, answer.answer.get("values", {}))
    scores = [button(str(n), Grade(answer=answer.id, points=n)) for n in range(0, item.points + 1)]
    blocks.append(Buttons(rows=[scores[i:i + 6] for i in range(0, len(scores), 6)]))
    return [ctx.reply(*blocks)]


@router.command("grade", roles={"reviewer"}, help_key="command.grade.help")
async def grade_command(ctx: Context, event) -> list:
    return await _grading_card(ctx)


@router.action(Grade, roles={"reviewer"})
async def grade_pressed(ctx: Context, event, press: Grade) -> list:
    answer, points = await ctx.uow.assessments.answer(press.answer), press.points
    if answer is None or not answer.needs_grading or answer.graded_at is not None:
        return [say("grade.already")]
    attempt, row, spec = await _attempt_of(ctx.uow, answer.attempt_id)
    if attempt.person_id == ctx.person.id:
        return [say("grade.own")]
    if points > answer.max_points:
        return [say("error.button_expired")]
    if not await ctx.uow.assessments.grade(answer.id, float(points), ctx.person.id, None, ctx.now):
        return [say("grade.already")]
    await ctx.audit("assessment.graded", attempt=attempt.id, item=answer.item_id, points=points)
    ops = [say("grade.saved", _count(answer.max_points), points=points, max=_num(answer.max_points))]
    left = [a for a in await ctx.uow.assessments.answers(attempt.id) if a.needs_grading and a.graded_at is None]
    if not left and attempt.status == "grading":
        ops += await finalize(ctx.uow, attempt, row, spec, ctx.now)
    return ops + await _grading_card(ctx)


# ---------------------------------------------------------------------------------------------- qualifications

_DAYS = re.compile(r"^days=(\d{1,4})$")


@router.command("qualify", roles={"manager"}, help_key="command.qualify.help")
async def qualify(ctx: Context, event) -> list:
    """/qualify PERSON NAME LEVEL [days=N] REASON…"""
    who, args = await leading(ctx, event)
    parts = [who] + args.split()
    if not who or len(parts) < 4 or not parts[2].isdigit() or not 1 <= int(parts[2]) <= 5:
        return [say("qualify.usage")]
    person_id = await _person_of(ctx, who, args)
    if isinstance(person_id, list):
        return person_id
    who = user_text(await label_of(ctx.uow, person_id))
    name, level, rest = parts[1].lower()[:40], int(parts[2]), parts[3:]
    expires = None
    if rest and _DAYS.match(rest[0]):
        expires = ctx.now + timedelta(days=max(1, int(_DAYS.match(rest[0]).group(1))))
        rest = rest[1:]
    reason = " ".join(rest)[:500]
    if not reason:
        return [say("qualify.usage")]
    await ctx.uow.qualifications.grant(person_id, name, level, ctx.now, expires, "manager", granted_by=ctx.person.id,
                                       reason=reason)
    await ctx.audit("qualification.granted", person=person_id, name=name, level=level, reason=reason,
                    expires=expires.isoformat() if expires else None)
    notice = [text(msg("qualify.notice", name=name, level=level))]
    if expires:
        notice.append(text(msg("assess.valid_until", day=Day(on=expires.date()))))
    return [say("qualify.done", name=name, level=level, identity=who),
            ctx.send_to(person_id, *notice, command_buttons("projects"))]


@router.command("unqualify", roles={"manager"}, help_key="command.unqualify.help")
async def unqualify(ctx: Context, event) -> list:
    """/unqualify PERSON NAME REASON…"""
    who, args = await leading(ctx, event)
    parts = [who] + args.split()
    if not who or len(parts) < 3:
        return [say("unqualify.usage")]
    person_id = await _person_of(ctx, who, args)
    if isinstance(person_id, list):
        return person_id
    who = user_text(await label_of(ctx.uow, person_id))
    name, reason = parts[1].lower()[:40], " ".join(parts[2:])[:500]
    revoked = await ctx.uow.qualifications.revoke(person_id, name, ctx.person.id, reason, ctx.now)
    if not revoked:
        return [say("unqualify.nothing", name=name, identity=who)]
    await ctx.audit("qualification.revoked", person=person_id, name=name, reason=reason)
    return [say("unqualify.done", name=name, identity=who),
            ctx.send_to(person_id, text(msg("unqualify.notice", name=name, reason=user_text(reason))))]


async def _person_of(ctx: Context, typed: str, rest: str) -> int | list:
    named = await find_person(ctx, typed, lambda key: f"{key} {rest}")
    return named if isinstance(named, list) else named.person_id


# ---------------------------------------------------------------------------------------------- ticks


@router.tick(every=30, name="assessments.deadlines")
async def deadline_tick(tick: TickContext) -> int:
    """Close attempts whose time is up (the person may have walked away): score them and say so."""
    ops = await expire_overdue(tick.uow, await tick.uow.assessments.overdue(tick.now), tick.now)
    tick.send(*ops)  # staged with the attempts' closing, in the same transaction
    return len(ops)


@router.tick(every=3600, name="qualifications.expiry")
async def expiry_tick(tick: TickContext) -> int:
    """Tell people, once, that a qualification lapses within two weeks."""
    uow, now = tick.uow, tick.now
    ops = []
    for q in await uow.qualifications.expiring(now, now + EXPIRY_NOTICE):
        if await uow.qualifications.mark_notified(q.id, now):
            await uow.audit.log(q.person_id, "qualification.expiry_notice", {"qualification": q.id}, now)
            ops.append(_to(q.person_id, text(msg("qualify.expiring", name=q.name, level=q.level,
                                                 day=Day(on=q.expires_at.date()))), command_buttons("assess")))
    tick.send(*ops)  # staged with the notified marks, in the same transaction
    return len(ops)
