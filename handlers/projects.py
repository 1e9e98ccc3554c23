"""Projects: managers create them from a spec file and import tasks; experts list, join and read instructions
(only of projects they are in or may join: handlers.shared.project_access)."""
from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from bot.core.actions import ActionData
from bot.core.blocks import Button, Buttons, Heading, LongText, Span, button, text
from handlers.shared.context import Context, uploaded_bytes
from bot.core.router import Router
from bot.i18n.text import msg, user_text
from domain.project_spec import problem_count
from handlers.shared.announcements import announce_new_tasks
from handlers.shared.assessment_files import assessment_upload
from handlers.shared.project_lifecycle import offer_edit
from handlers.shared.project_render import project_line
from handlers.shared.project_access import join_refusals, may_read_instructions
from handlers.shared.people_names import find_person, trailing
from handlers.shared.person_labels import label_of
from handlers.shared.project_names import chosen_project, find_project
from handlers.shared.replies import command_buttons, say
from handlers.shared.reports import problem_lines
from handlers.shared.task_service import create_project, import_in_transaction, spec_of

router = Router("projects")
SPEC_SUFFIXES = (".yaml", ".yml", ".json")
TASK_SUFFIXES = (".jsonl", ".ndjson", ".zip")  # a .zip: one JSONL and the media its lines name
MAX_LISTED = 15


class ImportInto(ActionData, name="proj.import"):
    """A task file sent without naming its project: import the held upload into this one."""

    upload: int = Field(alias="u")
    project: int = Field(alias="p")
    all_or_nothing: bool = Field(alias="x")


class JoinProject(ActionData, name="proj.join"):
    project: int = Field(alias="p")


class ReadInstructions(ActionData, name="proj.instr"):
    """/instructions named several projects: this one's."""

    project: int = Field(alias="p")


class AddExpertTo(ActionData, name="proj.addexp"):
    """/addexpert named several projects: add the person (already resolved) to this one."""

    project: int = Field(alias="p")
    person: int = Field(alias="e")


@router.file(roles={"manager"})
async def manager_upload(ctx: Context, event) -> list:
    data = await uploaded_bytes(ctx, event.blob)
    if data is None:
        return [say("upload.too_big", limit=ctx.settings.max_upload_bytes // (1024 * 1024))]
    if (handled := await assessment_upload(ctx, event.filename, data)) is not None:
        return handled
    name = event.filename.lower()
    if name.endswith(SPEC_SUFFIXES):
        return await _create(ctx, data, event.filename, event.blob)
    if name.endswith(TASK_SUFFIXES):
        target = (event.caption or "").strip()
        all_or_nothing = "--all-or-nothing" in target
        target = target.replace("--all-or-nothing", "").strip()
        matches = await ctx.uow.projects.matching(target) if target else await ctx.uow.projects.open_projects()
        if len(matches) == 1 and target:
            return await _import(ctx, matches[0], data, all_or_nothing, event.filename)
        if not matches:
            # a caption that names nothing is answered as such, not as if no project were open
            return [say("projects.not_found", name=target[:80]) if target else say("import.no_project")]
        upload_id = await ctx.uow.uploads.put(ctx.person.id, event.filename[:200], event.blob, ctx.now)
        rows = [[button(p.name, ImportInto(upload=upload_id, project=p.id, all_or_nothing=all_or_nothing))]
                for p in matches[:MAX_LISTED]]
        return [ctx.reply(text(msg("import.pick_project")), Buttons(rows=rows))]
    return [say("upload.unknown_kind")]


async def _create(ctx: Context, data: bytes, filename: str, blob) -> list:
    created = await create_project(ctx.uow, data, filename, ctx.person.id, ctx.now)
    if created.errors:
        lines = "\n".join(problem_lines(ctx, created.errors[:40]))
        more = len(created.errors) - 40
        blocks = [text(msg("project.refused", count=problem_count(created.errors))), LongText(title=msg("project.errors"),
                  text=lines + (f"\n… +{more}" if more > 0 else ""), filename="spec-errors.txt")]
        return [ctx.reply(*blocks)]
    if created.exists:  # an edit of its instructions or rubric, when that is what the file changes
        offered = await offer_edit(ctx.uow, ctx.person.id, created.spec, filename, blob, ctx.now)
        return offered or [say("project.exists", name=created.spec.name)]
    return [ctx.reply(text(msg("project.created", name=created.spec.name)),
                      text(msg("project.next_import", name=created.spec.name)))]


async def _import(ctx: Context, project, data: bytes, all_or_nothing: bool, filename: str = "") -> list:
    report = await import_in_transaction(ctx.uow, project, data, all_or_nothing, ctx.now, ctx.person.id,
                                         ctx.runtime.blobs, filename)
    if report.refused:  # the whole file (a bad .zip) or the media store: nothing was imported
        return [ctx.reply(text(msg("import.file_refused", name=project.name)),
                          *[text(reason) for reason in report.refused])]
    if report.imported:
        await announce_new_tasks(ctx.uow, project.id, ctx.now)
    blocks = [text(msg("import.summary", name=project.name,
                       imported=msg("import.summary.imported", count=report.imported),
                       existing=report.unchanged_existing,
                       problems=msg("import.summary.problems", count=report.problem_count)))]
    if all_or_nothing and report.problem_count:
        blocks.insert(0, text(Span(text=msg("import.refused_all"), style="bold")))
    if report.problems:
        listing = "\n".join(problem_lines(ctx, report.problems))
        blocks.append(LongText(title=msg("import.problems"), text=listing, filename="import-problems.txt"))
    return [ctx.reply(*blocks)]


@router.action(ImportInto, roles={"manager"})
async def import_picked(ctx: Context, event, press: ImportInto) -> list:
    held = await ctx.uow.uploads.take(press.upload, ctx.person.id)
    project = await ctx.uow.projects.get(press.project)
    data = await uploaded_bytes(ctx, held[1]) if held else None
    if data is None or project is None:
        return [say("error.button_expired")]
    return await _import(ctx, project, data, press.all_or_nothing, held[0])


@router.command("projects", help_key="command.projects.help")
async def list_projects(ctx: Context, event) -> list:
    member_of = await ctx.uow.projects.member_of(ctx.person.id)
    mine = {p.id for p in member_of}
    # a member's paused project stays in the list, marked, so it does not seem to have vanished
    projects = await ctx.uow.projects.open_projects() + [p for p in member_of if p.status == "paused"]
    if not projects:
        return [say("projects.none")]
    blocks: list = [Heading(text=msg("projects.title"))]
    join_buttons: list[Button] = []
    for project in projects[:MAX_LISTED]:
        spec = spec_of(project)
        line = project_line(project, spec)
        if project.id in mine:
            state = "projects.joined_paused" if project.status == "paused" else "projects.joined"
            blocks.append(text(*line, " — ", msg(state)))
            continue
        reasons = await join_refusals(ctx, spec)
        if reasons:
            blocks.append(text(*line, " — ", msg(reasons[0])))
        else:
            blocks.append(text(*line))
            join_buttons.append(button(msg("projects.join_button", name=project.name), JoinProject(project=project.id)))
    if join_buttons:
        blocks.append(Buttons(rows=[[b] for b in join_buttons]))
    if mine:
        blocks.append(command_buttons("next"))
    return [ctx.reply(*blocks)]


@router.command("join", help_key="command.join.help")
async def join_command(ctx: Context, event) -> list:
    typed = (event.args or "").strip()
    if not typed:
        return await list_projects(ctx, event)
    found = await find_project(ctx, typed, lambda p: JoinProject(project=p.id), _joinable)
    return found if isinstance(found, list) else await _join(ctx, found)


async def _joinable(project) -> bool:
    # a closed project cannot be joined, so naming it does not need a button; _join says why when pressed anyway
    return project.status == "open"


@router.action(JoinProject)
async def join_pressed(ctx: Context, event, press: JoinProject) -> list:
    project = await ctx.uow.projects.get(press.project)
    if project is None:
        return [say("error.button_expired")]
    return await _join(ctx, project)


async def _join(ctx: Context, project) -> list:
    spec = spec_of(project)
    if project.status != "open":
        return [say("projects.closed", name=project.name)]
    if await ctx.uow.projects.is_member(project.id, ctx.person.id):
        return [say("projects.already_member", name=project.name), ]
    reasons = await join_refusals(ctx, spec)
    if reasons:
        return [ctx.reply(text(msg("projects.cannot_join", name=project.name)), *[text("• ", msg(r)) for r in reasons])]
    await ctx.uow.projects.add_member(project.id, ctx.person.id, None, ctx.now)
    await ctx.audit("project.joined", project=project.id)
    if spec.deadline is not None and spec.deadline - timedelta(hours=48) > ctx.now:
        await ctx.uow.reminders.schedule(ctx.person.id, "deadline", f"deadline:{project.id}:{ctx.person.id}",
                                         spec.deadline - timedelta(hours=48), {"project": project.id}, ctx.now)
    return [ctx.reply(text(msg("projects.joined_now", name=project.name)),
                      LongText(title=msg("task.instructions"), text=spec.instructions, filename="instructions.txt"),
                      command_buttons("next"))]


@router.command("instructions", help_key="command.instructions.help")
async def instructions(ctx: Context, event) -> list:
    typed = (event.args or "").strip()
    if typed:
        # a project this person may not read is answered as one that does not exist: no hint that it does
        found = await find_project(ctx, typed, lambda p: ReadInstructions(project=p.id), _readable(ctx))
        if isinstance(found, list):
            return found
        projects = [found]
    else:
        projects = await ctx.uow.projects.member_of(ctx.person.id)
    if not projects:
        return [say("projects.not_found", name=typed[:80])]
    return [_instructions(ctx, project) for project in projects[:3]]


def _readable(ctx: Context):
    async def visible(project) -> bool:
        return await may_read_instructions(ctx, project)
    return visible


def _instructions(ctx: Context, project):
    spec = spec_of(project)
    blocks = [Heading(text=project.name), LongText(title=msg("task.instructions"), text=spec.instructions,
                                                   filename="instructions.txt")]
    if spec.guidelines_url:
        blocks.append(Buttons(rows=[[Button(label=msg("task.guidelines"), url=str(spec.guidelines_url))]]))
    return ctx.reply(*blocks)


@router.action(ReadInstructions)
async def instructions_pressed(ctx: Context, event, press: ReadInstructions) -> list:
    project = await chosen_project(ctx, press.project, _readable(ctx))
    if project is None:
        return [say("error.button_expired")]
    return [_instructions(ctx, project)]


@router.command("addexpert", roles={"manager"}, help_key="command.addexpert.help")
async def add_expert(ctx: Context, event) -> list:
    project_words, who = await trailing(ctx, event)
    if not project_words or not who:
        return [say("addexpert.usage")]
    named = await find_person(ctx, who, lambda key: f"{project_words} {key}")
    if isinstance(named, list):
        return named
    person = named.person_id
    found = await find_project(ctx, project_words, lambda p: AddExpertTo(project=p.id, person=person))
    return found if isinstance(found, list) else await _add_expert(ctx, found, person)


@router.action(AddExpertTo, roles={"manager"})
async def add_expert_pressed(ctx: Context, event, press: AddExpertTo) -> list:
    project = await chosen_project(ctx, press.project)
    if project is None or await ctx.uow.people.get(press.person) is None:
        return [say("error.button_expired")]
    return await _add_expert(ctx, project, press.person)


async def _add_expert(ctx: Context, project, person: int) -> list:
    # add_member answers once per (project, person): a second press is told they are already a member
    if not await ctx.uow.projects.add_member(project.id, person, ctx.person.id, ctx.now):
        return [say("projects.already_member", name=project.name)]
    await ctx.audit("project.member_added", project=project.id, person=person)
    who = user_text(await label_of(ctx.uow, person))
    return [say("addexpert.done", name=project.name, identity=who),
            ctx.send_to(person, text(msg("addexpert.notice", name=project.name)), command_buttons("next"))]
