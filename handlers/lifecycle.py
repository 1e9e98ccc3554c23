"""Projects change while people work on them (issue 18, point 10): `/project pause|resume|close|deadline|edit
PROJECT …` for managers, and members' acknowledgment of a new instructions version.

Pause: no new tasks, held leases may finish, members told. Resume: members told. Close (after a confirmation):
no tasks, no answers; drafts kept; the manager gets what is left undone. Deadline: a day typed as other dates
are, the end of that day in the manager's zone, in the future. Edit: new instructions typed in a form, or a spec
file for the project (its wording of instructions and rubric) — a new version members must acknowledge before
their next task from it. The rules: domain.project_lifecycle, domain.instructions; storage and notices:
handlers.shared.project_lifecycle.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from bot.core.actions import ActionData
from bot.core.blocks import Buttons, LongText, button, text
from bot.core.forms import FieldKind, FieldSpec, FormSpec
from bot.core.router import Router
from bot.i18n.text import When, msg
from domain.dates import DateInvalid
from domain.instructions import with_instructions
from domain.project_lifecycle import LifecycleRefused, split_deadline
from domain.project_spec import MAX_TEXT_CHARS, SpecError, parse_project_spec, problem_count
from handlers.shared.context import Context, uploaded_bytes
from handlers.shared.project_lifecycle import (
    AckInstructions, EditFromUpload, EditRefused, change_deadline, change_lines, change_status, close_report,
    notice_blocks, publish_edit,
)
from handlers.shared.project_names import chosen_project, find_project
from handlers.shared.replies import command_buttons, say
from handlers.shared.reports import problem_lines
from handlers.shared.task_service import spec_of

router = Router("lifecycle")
EDIT_FORM = "project_edit"
Verb = Literal["pause", "resume", "close", "deadline", "edit"]
# what a manager may type for each verb: the English words and the Spanish ones
VERBS: dict[str, Verb] = {"pause": "pause", "pausar": "pause", "resume": "resume", "reanudar": "resume",
                          "close": "close", "cerrar": "close", "deadline": "deadline", "plazo": "deadline",
                          "edit": "edit", "editar": "edit"}
NEWS = {"pause": "paused", "resume": "resumed", "close": "closed"}


class ProjectChange(ActionData, name="proj.life"):
    """A /project change whose project name matched several (a button per candidate), or a close to confirm."""

    project: int = Field(alias="p")
    verb: Verb = Field(alias="v")
    confirmed: bool = Field(default=False, alias="c")
    deadline: int | None = Field(default=None, alias="d")  # UTC, seconds since the epoch


class NewInstructions(BaseModel):
    instructions: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)


@router.command("project", roles={"manager"}, help_key="command.project.help")
async def project_command(ctx: Context, event) -> list:
    words = (event.args or "").split()
    verb = VERBS.get(words[0].casefold()) if words else None
    if verb is None or len(words) < 2:
        return [say("lifecycle.usage")]
    deadline = None
    if verb == "deadline":
        try:
            name_words, deadline = split_deadline(words[1:], ctx.now, ctx.tz, ctx.locale)
        except DateInvalid as exc:
            return [say(exc.reason_key, **exc.params)]
    else:
        name_words = words[1:]
    found = await find_project(ctx, " ".join(name_words),
                               lambda p: ProjectChange(project=p.id, verb=verb,
                                                       deadline=int(deadline.timestamp()) if deadline else None))
    return found if isinstance(found, list) else await _apply(ctx, found, verb, deadline, confirmed=False)


@router.action(ProjectChange, roles={"manager"})
async def change_pressed(ctx: Context, event, press: ProjectChange) -> list:
    project = await chosen_project(ctx, press.project)
    if project is None or (press.verb == "deadline" and press.deadline is None):
        return [say("error.button_expired")]
    deadline = datetime.fromtimestamp(press.deadline, timezone.utc) if press.deadline is not None else None
    return await _apply(ctx, project, press.verb, deadline, press.confirmed)


async def _apply(ctx: Context, project, verb: str, deadline: datetime | None, confirmed: bool) -> list:
    try:
        if verb == "edit":
            if project.status == "closed":
                raise LifecycleRefused("lifecycle.refused.closed")
            return await ctx.forms.open(EDIT_FORM, params={"p": project.id})
        if verb == "deadline":
            assert deadline is not None
            await change_deadline(ctx.uow, project, deadline, ctx.person.id, ctx.now)
            project = await ctx.uow.projects.get(project.id)
            return [say("lifecycle.deadline.done", name=project.name, at=When(at=deadline, style="medium")),
                    *await _tell_members(ctx, project, "deadline")]
        if verb == "close" and not confirmed:
            return [await _confirm_close(ctx, project)]
        await change_status(ctx.uow, project, verb, ctx.person.id, ctx.now)
    except LifecycleRefused as exc:
        return [say(exc.reason_key, name=project.name)]
    project = await ctx.uow.projects.get(project.id)
    ops = [say(f"lifecycle.{NEWS[verb]}.done", name=project.name)]
    if verb == "close":
        items, held = await close_report(ctx.uow, project, ctx.now)
        ops = [ctx.reply(text(msg("lifecycle.closed.done", name=project.name)),
                         text(msg("lifecycle.closed.items_left", count=items)),
                         text(msg("lifecycle.closed.held", count=held)))]
    return ops + await _tell_members(ctx, project, NEWS[verb])


async def _confirm_close(ctx: Context, project):
    items, held = await ctx.uow.lifecycle.remaining(project.id)
    if project.status == "closed":
        raise LifecycleRefused("lifecycle.refused.closed")
    return ctx.reply(text(msg("lifecycle.close.confirm", name=project.name)),
                     text(msg("lifecycle.closed.items_left", count=items)),
                     text(msg("lifecycle.closed.held", count=held)),
                     Buttons(rows=[[button(msg("lifecycle.close.button", name=project.name),
                                           ProjectChange(project=project.id, verb="close", confirmed=True),
                                           style="danger")]]))


async def _tell_members(ctx: Context, project, what: str, version: int = 0, found=None) -> list:
    return [ctx.send_to(person_id, *notice_blocks(project, what, version, found))
            for person_id in await ctx.uow.projects.members(project.id) if person_id != ctx.person.id]


# ---------------------------------------------------------------- edits


async def _edit_form(ctx: Context, params: dict) -> FormSpec:
    project = await ctx.uow.projects.get(int(params["p"]))
    current = spec_of(project).instructions if project is not None else ""
    return FormSpec(id=EDIT_FORM, title=msg("lifecycle.edit.title"), confirm=False, fields=[
        FieldSpec(id="instructions", kind=FieldKind.long_text, label=msg("lifecycle.edit.ask"),
                  help=msg("lifecycle.edit.help"), max_length=MAX_TEXT_CHARS, prefill=current)])


async def _edit_typed(ctx: Context, typed: NewInstructions, session) -> list:
    project = await ctx.uow.projects.get(int(session.params["p"]))
    if project is None or not ctx.has_role("manager"):  # roles are read again for this turn
        return [say("error.button_expired")]
    try:
        new = with_instructions(spec_of(project), typed.instructions)
    except ValidationError:
        return [say("lifecycle.edit.invalid")]
    return await _publish(ctx, project, new)


router.form(EDIT_FORM, model=NewInstructions, build=_edit_form, on_complete=_edit_typed)


@router.action(EditFromUpload, roles={"manager"})
async def edit_from_upload(ctx: Context, event, press: EditFromUpload) -> list:
    held = await ctx.uow.uploads.take(press.upload, ctx.person.id)
    project = await chosen_project(ctx, press.project)
    data = await uploaded_bytes(ctx, held[1]) if held else None
    if data is None or project is None:
        return [say("error.button_expired")]
    try:
        new = parse_project_spec(data, held[0])
    except (SpecError, ValueError) as exc:
        errors = getattr(exc, "errors", [])
        return [ctx.reply(text(msg("project.refused", count=problem_count(errors))),
                          LongText(title=msg("project.errors"), text="\n".join(problem_lines(ctx, errors[:40])),
                                   filename="spec-errors.txt"))]
    return await _publish(ctx, project, new)


async def _publish(ctx: Context, project, new) -> list:
    try:
        version, found = await publish_edit(ctx.uow, project, new, ctx.person.id, ctx.now)
    except LifecycleRefused as exc:
        return [say(exc.reason_key, name=project.name)]
    except EditRefused as exc:
        if not exc.fields:
            return [say("lifecycle.edit.unchanged", name=project.name)]
        return [say("lifecycle.edit.fixed", name=project.name, fields=", ".join(exc.fields))]
    project = await ctx.uow.projects.get(project.id)
    members = await ctx.uow.projects.members(project.id)
    done = ctx.reply(text(msg("lifecycle.edit.done", name=project.name, version=version,
                              members=msg("lifecycle.edit.members", count=len(members)))),
                     *change_lines(spec_of(project), found))
    return [done, *await _tell_members(ctx, project, "edited", version, found)]


# ---------------------------------------------------------------- acknowledgment


@router.action(AckInstructions)
async def acknowledge(ctx: Context, event, press: AckInstructions) -> list:
    project = await ctx.uow.projects.get(press.project)
    if project is None or not await ctx.uow.projects.is_member(project.id, ctx.person.id):
        return [say("error.button_expired")]  # the payload is untrusted: only a member acknowledges
    if press.version > await ctx.uow.instructions.current(project.id):
        return [say("error.button_expired")]
    settled = await ctx.uow.instructions.acknowledge(project.id, ctx.person.id, press.version, ctx.now)
    if settled:
        await ctx.audit("instructions.acknowledged", project=project.id, version=press.version)
    still = await ctx.uow.instructions.first_unacknowledged(project.id, ctx.person.id)
    key = "lifecycle.ack.newer" if still is not None else "lifecycle.ack.done"
    return [ctx.reply(text(msg(key, name=project.name, version=press.version)), command_buttons("next"))]
