"""An assignment on screen: the task with its answer form's first question (from /next, /drafts, a resume button or a
rework sent back by a reviewer)."""
from __future__ import annotations

from handlers.shared.context import Context
from domain.task_import import TaskItem
from bot.core.operations import OpenForm
from handlers.shared.task_render import render_opened, render_task
from handlers.shared.task_service import spec_of
from storage.uow import UnitOfWork

FORM = "task"


async def load_assignment(uow: UnitOfWork, assignment_id: int, cache: dict | None = None, fresh: bool = True):
    """The assignment with its task, project, spec and item. The task, project, spec and item are cached for the
    turn; the assignment is read fresh, unless `fresh` is False and this turn read it already (a form's check and
    completion, which nothing between them changes)."""
    key = ("task", assignment_id)
    if cache is not None and key in cache:
        assignment, loaded = cache[key]
        if fresh:
            assignment = await uow.assignments.get(assignment_id)
            if assignment is None:
                return None
            cache[key] = (assignment, loaded)
        return (assignment, *loaded)
    found = await uow.assignments.with_task(assignment_id)  # one query for the three rows
    if found is None:
        return None
    assignment, task, project = found
    loaded = (task, project, spec_of(project), TaskItem.model_validate(task.item))
    if cache is not None:
        cache[key] = (assignment, loaded)
    return (assignment, *loaded)


def remember_assignment(cache: dict, assignment, task, project) -> None:
    """An assignment this turn just wrote, with the task and project it read on the way: `load_assignment` answers
    from them instead of reading the three rows back (the assignment counts as read this turn)."""
    cache[("task", assignment.id)] = (assignment, (task, project, spec_of(project), TaskItem.model_validate(task.item)))


async def show_task(ctx: Context, assignment_id: int, with_form: bool = True, params: dict | None = None,
                    initial: dict | None = None) -> list:
    """The task message with its form's first question (resumed where it stopped, or prefilled for a rework): the
    form carries the card (handlers.tasks), so both go as one message where they fit."""
    if not with_form:
        assignment, task, project, spec, item = await load_assignment(ctx.uow, assignment_id, ctx.extra)
        return [ctx.reply(*render_task(project.name, spec, item, assignment.id, assignment.lease_expires_at))]
    form = await ctx.forms.open(FORM, params=params or {"a": assignment_id}, initial=initial,
                                at_summary=initial is not None)
    if any(isinstance(op, OpenForm) for op in form):  # the window shows the task: one line here, no duplicate
        assignment, task, project, spec, item = await load_assignment(ctx.uow, assignment_id, ctx.extra)
        return [ctx.reply(*render_opened(project.name, item, assignment.id))] + form
    return form
