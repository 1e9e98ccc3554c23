"""Who may see what of a project: the one join rule (/projects, /join, invitations) and who may read its
instructions (members, experts who may join it, managers and admins)."""
from __future__ import annotations

from domain.eligibility import ineligibility
from handlers.shared.context import Context
from handlers.shared.qualification_hooks import qualifications_of
from handlers.shared.task_service import spec_of


async def join_refusals(ctx: Context, spec) -> list[str]:
    """Why this person may not join a project with this spec (catalog keys); empty when they may."""
    return ineligibility(ctx.person.profile, spec, await qualifications_of(ctx.uow, ctx.person.id, ctx.now))


async def may_read_instructions(ctx: Context, project) -> bool:
    """Members, managers and admins, and experts who could join it now (open, and the join rule allows)."""
    if ctx.has_role("manager") or await ctx.uow.projects.is_member(project.id, ctx.person.id):
        return True
    return project.status == "open" and not await join_refusals(ctx, spec_of(project))
