"""/progress tells managers how many messages to the project's people failed for good in the last week, on every
adapter and both backends (the failures are written through the outbox repository, as the runtime writes them
when a platform refuses; tests/test_delivery_resume.py makes the platforms refuse for real)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from storage.uow import UnitOfWork
from tests.flows.helpers import grant, person_id
from tests.flows.tasks_data import add_member, seed_project


async def failed_delivery(chat, user: str, days_ago: float) -> None:
    pid = await person_id(chat, user)
    when = datetime.now(timezone.utc) - timedelta(days=days_ago)
    async with chat.runtime.db.transaction() as tx:
        outbox = UnitOfWork(tx).outbox
        row = await outbox.add(None, pid, chat.platform, "{}", when)
        await outbox.mark_failed(row, when, "forbidden: bot was blocked by the user")


async def test_progress_counts_failed_deliveries_to_the_projects_people(chat):
    project_id = await seed_project(chat.runtime, "labeling_finance")
    for user in ("mia", "ana", "ben", "cy"):
        await chat.send(user, "/help")
    await grant(chat, "mia", "manager")
    for user in ("ana", "ben"):
        await add_member(chat.runtime, project_id, chat.identity(user))

    await chat.send("mia", "/progress Banking")
    assert "could not be delivered" not in chat.last("mia").text  # nothing to act on: not said

    await failed_delivery(chat, "ana", 0.1)
    await failed_delivery(chat, "ana", 10)  # too long ago
    await failed_delivery(chat, "cy", 0.1)  # not one of the project's people
    await chat.send("mia", "/progress Banking")
    assert ("1 message to this project's people could not be delivered in the last 7 days (panelist outbox lists"
            " it).") in chat.last("mia").text

    await failed_delivery(chat, "ben", 2)
    await chat.send("mia", "/progress Banking")
    assert "2 messages to this project's people could not be delivered in the last 7 days" in chat.last("mia").text
