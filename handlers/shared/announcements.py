"""Telling a project's experts that new tasks are waiting (after an import), batched into one reminder."""
from __future__ import annotations

from datetime import datetime, timedelta

from domain.availability import is_away
from storage.uow import UnitOfWork


async def announce_new_tasks(uow: UnitOfWork, project_id: int, now: datetime) -> int:
    """Tell the project's available experts about new tasks, batched: one reminder per person per hour
    (the dedupe key), due in ten minutes so several imports become one message."""
    window = now.replace(minute=0, second=0, microsecond=0)
    count = 0
    for person_id in await uow.projects.members(project_id):
        if is_away(await uow.availability.get(person_id), now):
            continue
        if await uow.reminders.schedule(person_id, "new_tasks", f"new:{project_id}:{person_id}:{window.isoformat()}",
                                        now + timedelta(minutes=10), {"project": project_id}, now):
            count += 1
    return count
