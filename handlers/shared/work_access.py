"""What work is open to a person, for what they are told: whether a project may give them tasks now and how many
items it could still give them, and which of their projects are paid by the hour.

`may_be_given_tasks` is the rule `/next` applies before it claims (an open project they are a member of, not
paused there, its qualification requirement met); `Tasks.open_count` counts what `Assignments.claim` picks from.
So "5 tasks are waiting" means five items `/next` could give this person, not five items of the project, and
"3 answers are waiting for review" counts what /review would offer this reviewer.
"""
from __future__ import annotations

from datetime import datetime

from domain.eligibility import ineligibility
from domain.work_refusal import work_refusal
from handlers.shared.qualification_hooks import qualifications_of
from handlers.shared.task_service import spec_of
from storage.models import Person
from storage.repos.projects import ProjectRow
from storage.uow import UnitOfWork

UNAVAILABLE = "task.refused.unavailable"  # may_be_given_tasks refused for a reason domain.work_refusal does not name


async def may_be_given_tasks(uow: UnitOfWork, person: Person, project: ProjectRow, now: datetime, *,
                             member: bool | None = None, paused: bool | None = None) -> bool:
    """`member` and `paused` are what the caller read in this transaction already (None: read them here)."""
    if project.status != "open":
        return False
    if not (member if member is not None else await uow.projects.is_member(project.id, person.id)):
        return False
    if paused if paused is not None else await uow.pauses.is_paused(project.id, person.id):
        return False
    spec = spec_of(project)
    return spec.requires is None or "projects.reason.qualification" not in ineligibility(
        person.profile, spec, await qualifications_of(uow, person.id, now))


async def why_no_tasks(uow: UnitOfWork, person: Person, project: ProjectRow, now: datetime) -> str | None:
    """Why `project` may not give this person a task now (a catalog key taking `{name}`), or None when it may:
    what `/next PROJECT` answers. `may_be_given_tasks` decides; `domain.work_refusal` names the reason."""
    if await may_be_given_tasks(uow, person, project, now):
        return None
    spec = spec_of(project)
    qualified = spec.requires is None or "projects.reason.qualification" not in ineligibility(
        person.profile, spec, await qualifications_of(uow, person.id, now))
    return work_refusal(project.status, await uow.projects.is_member(project.id, person.id),
                        await uow.pauses.is_paused(project.id, person.id), qualified) or UNAVAILABLE


async def tasks_open_to(uow: UnitOfWork, person: Person, project: ProjectRow, now: datetime) -> int:
    """Items of `project` that `/next` could still give this person: 0 when the project may not give them any."""
    if not await may_be_given_tasks(uow, person, project, now):
        return 0
    return await uow.tasks.open_count(project.id, person.id)


async def reviewable_projects(uow: UnitOfWork, person_id: int, roles: set[str]) -> list[int]:
    """The projects whose answers this reviewer may review (what /review offers): every project for a manager or
    admin (a paused or closed one's answers still await a decision, and pay), their own open or paused projects
    for a reviewer."""
    if roles & {"manager", "admin"}:
        return [p.id for p in await uow.projects.everything()]
    return [p.id for p in await uow.projects.member_of(person_id)]


async def hourly_projects(uow: UnitOfWork, person_id: int) -> list[ProjectRow]:
    """The person's open projects paid by the hour (where /log can book hours)."""
    return [p for p in await uow.projects.member_of(person_id) if spec_of(p).pay.kind == "hourly"]
