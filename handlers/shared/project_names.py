"""A project named by a person in chat: the candidates they may see, resolved by domain.project_names, and the
reply when the name decides nothing (not found, or one button per candidate that re-runs the same action)."""
from __future__ import annotations

from typing import Awaitable, Callable

from bot.core.actions import ActionData
from bot.core.blocks import Buttons, button, text
from bot.i18n.text import msg
from domain.project_names import Ambiguous, Exact, resolve
from handlers.shared.context import Context
from handlers.shared.replies import say
from storage.repos.projects import ProjectRow

MAX_CHOICES = 15

Visible = Callable[[ProjectRow], Awaitable[bool]]


async def _candidates(ctx: Context, visible: Visible | None) -> list[ProjectRow]:
    rows = await ctx.uow.projects.everything()
    return [p for p in rows if await visible(p)] if visible else rows


async def find_project(ctx: Context, typed: str, choice: Callable[[ProjectRow], ActionData],
                       visible: Visible | None = None) -> ProjectRow | list:
    """The one project `typed` names among those `visible` allows (all when None), or the reply to send instead:
    "not found" (the same for a project the person may not see, so its existence is not hinted), or buttons built
    by `choice` for each candidate. The handler answering `choice` must check `visible` again: button data can be
    forged."""
    candidates = await _candidates(ctx, visible)
    result = resolve(typed, [(p.id, p.name) for p in candidates])
    by_id = {p.id: p for p in candidates}
    if isinstance(result, Exact):
        return by_id[result.project_id]
    if isinstance(result, Ambiguous):
        shown = [by_id[pid] for pid in result.project_ids[:MAX_CHOICES]]
        rows = [[button(p.name, choice(p))] for p in shown]
        return [ctx.reply(text(msg("projects.choose", count=len(result.project_ids), name=typed[:80])),
                          Buttons(rows=rows))]
    return [say("projects.not_found", name=typed[:80])]


async def chosen_project(ctx: Context, project_id: int, visible: Visible | None = None) -> ProjectRow | None:
    """A pressed candidate, re-authorised: None when it is gone or the person may not see it."""
    project = await ctx.uow.projects.get(project_id)
    if project is None or (visible is not None and not await visible(project)):
        return None
    return project
