"""Queries the handlers once ran themselves through the transaction, now repository methods on the unit of work
(no handler runs SQL): reviews waiting, pings open, a project's members, everyone, the advisory lock, the export
readers inside a turn's transaction. Both backends."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from storage.uow import UnitOfWork

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


async def in_tx(db, fn):
    async with db.transaction() as tx:
        return await fn(UnitOfWork(tx))


async def answer(uow: UnitOfWork, person_id: int, project_id: int, review_state: str) -> int:
    assignment = await uow.assignments.claim(person_id, project_id, False, NOW, timedelta(minutes=30))
    assert assignment is not None
    sid = await uow.submissions.add(assignment, "{}", 10, False, NOW, review_state=review_state)
    assert sid is not None
    return sid


async def test_pending_reviews_are_counted_with_or_without_one_persons_own(db):
    async def seed(uow: UnitOfWork):
        ana, ben, cy = [(await uow.people.create(n, NOW)).id for n in ("Ana", "Ben", "Cy")]
        project = await uow.projects.create("P", "law", "rewrite", "{}", None, None, NOW)
        await uow.tasks.insert_many(project, [(f"i{i}", "{}", False, 3) for i in range(3)], NOW)
        await answer(uow, ana, project, "pending")
        await answer(uow, ana, project, "pending")
        rework = await answer(uow, ben, project, "pending")
        await answer(uow, cy, project, "none")  # never waited for review
        await uow.submissions.set_review_state(rework, 1, "rework")  # decided: no longer waiting
        return ana, ben

    assert await in_tx(db, lambda u: u.submissions.pending_review_count()) == 0
    ana, ben = await in_tx(db, seed)
    assert await in_tx(db, lambda u: u.submissions.pending_review_count()) == 2
    assert await in_tx(db, lambda u: u.submissions.pending_review_count(excluding_person=ana)) == 0
    assert await in_tx(db, lambda u: u.submissions.pending_review_count(excluding_person=ben)) == 2


async def test_open_pings_are_counted_until_their_window_closes(db):
    async def seed(uow: UnitOfWork):
        manager = (await uow.people.create("Meg", NOW)).id
        await uow.pings.create(manager, "Next week?", {"target": "everyone"}, [], NOW + timedelta(hours=1), [], NOW)
        await uow.pings.create(manager, "Next month?", {"target": "everyone"}, [], NOW + timedelta(days=3), [], NOW)

    assert await in_tx(db, lambda u: u.pings.open_count()) == 0
    await in_tx(db, seed)
    assert await in_tx(db, lambda u: u.pings.open_count()) == 2
    closed = await in_tx(db, lambda u: u.pings.close_due(NOW + timedelta(hours=2)))
    assert len(closed) == 1
    assert await in_tx(db, lambda u: u.pings.open_count()) == 1


async def test_project_members_and_everyone(db):
    async def seed(uow: UnitOfWork):
        people = [(await uow.people.create(n, NOW)).id for n in ("Ana", "Ben", "Cy")]
        await uow.people.update_profile(people[0], "Ana", {"domains": ["law"]}, "UTC", NOW)
        await uow.people.mark_merged(people[2], people[1])  # Cy linked into Ben: one person
        project = await uow.projects.create("P", "law", "rewrite", "{}", None, None, NOW)
        other = await uow.projects.create("Q", "law", "rewrite", "{}", None, None, NOW)
        for pid in (people[1], people[0]):
            await uow.projects.add_member(project, pid, None, NOW)
        await uow.projects.add_member(other, people[2], None, NOW)
        return people, project

    (ana, ben, cy), project = await in_tx(db, seed)
    assert await in_tx(db, lambda u: u.projects.members(project)) == [ana, ben]  # ordered by id
    assert await in_tx(db, lambda u: u.projects.members(project + 100)) == []
    assert await in_tx(db, lambda u: u.people.everyone()) == [(ana, {"domains": ["law"]}), (ben, {})]


async def test_uow_lock_serializes_transactions_on_the_same_key(db):
    order: list[str] = []
    first_holds = asyncio.Event()

    async def first():
        async with db.transaction() as tx:
            await UnitOfWork(tx).lock("payouts:close")
            first_holds.set()
            await asyncio.sleep(0.2)  # holds the lock a while; the second must wait for the commit
            order.append("first done")

    async def second():
        await first_holds.wait()
        async with db.transaction() as tx:
            await UnitOfWork(tx).lock("payouts:close")
            order.append("second in")

    await asyncio.gather(first(), second())
    assert order == ["first done", "second in"]


async def test_this_transaction_reads_every_page_in_the_callers_transaction(db):
    from domain.exports import ExportFilters
    from storage.repos.exports import iter_submissions

    async def run(uow: UnitOfWork):
        person = (await uow.people.create("Ana", NOW)).id
        project = await uow.projects.create("P", "law", "rewrite", "{}", None, None, NOW)
        await uow.tasks.insert_many(project, [(f"i{i}", "{}", False, 1) for i in range(5)], NOW)
        for _ in range(5):
            await answer(uow, person, project, "none")
        # nothing is committed yet: only a reader inside this very transaction sees the answers
        return [row["id"] async for row in iter_submissions(uow.this_transaction(), project, ExportFilters(), page=2)]

    ids = await in_tx(db, run)
    assert len(ids) == 5 and ids == sorted(ids)


async def test_items_open_to_a_person_are_what_claim_would_pick_from(db):
    """Issue 16: "N tasks are waiting" counts, per person, items with a free slot they never had."""
    async def seed(uow: UnitOfWork):
        ana, ben = [(await uow.people.create(n, NOW)).id for n in ("Ana", "Ben")]
        project = await uow.projects.create("P", "law", "rewrite", "{}", None, None, NOW)
        await uow.tasks.insert_many(project, [("i0", "{}", False, 2), ("i1", "{}", True, 2), ("i2", "{}", False, 1)], NOW)
        return ana, ben, project

    ana, ben, project = await in_tx(db, seed)
    assert await in_tx(db, lambda u: u.tasks.open_count(project, ana)) == 3  # gold items count too
    await in_tx(db, lambda u: answer(u, ana, project, "none"))  # ana answers i0 (one of its two slots)
    held = await in_tx(db, lambda u: u.assignments.claim(ana, project, False, NOW, timedelta(minutes=30)))  # i2 in hand
    assert held is not None
    assert await in_tx(db, lambda u: u.tasks.open_count(project, ana)) == 1  # only the gold item is left for her
    assert await in_tx(db, lambda u: u.tasks.open_count(project, ben)) == 2  # i0 still has a slot; i2 is full
    assert await in_tx(db, lambda u: u.assignments.release(held, "skipped", NOW))
    assert await in_tx(db, lambda u: u.tasks.open_count(project, ana)) == 1  # skipped: never offered to her again
    assert await in_tx(db, lambda u: u.tasks.open_count(project, ben)) == 3


async def test_pending_reviews_in_some_projects(db):
    async def seed(uow: UnitOfWork):
        ana, rev = [(await uow.people.create(n, NOW)).id for n in ("Ana", "Rev")]
        first = await uow.projects.create("P1", "law", "rewrite", "{}", None, None, NOW)
        second = await uow.projects.create("P2", "law", "rewrite", "{}", None, None, NOW)
        for project in (first, second):
            await uow.tasks.insert_many(project, [(f"i{i}", "{}", False, 1) for i in range(2)], NOW)
        await answer(uow, ana, first, "pending")
        await answer(uow, ana, second, "pending")
        await answer(uow, ana, second, "pending")
        return rev, first, second

    rev, first, second = await in_tx(db, seed)
    count = lambda ids: in_tx(db, lambda u: u.submissions.pending_review_count(excluding_person=rev, project_ids=ids))
    assert await count([first]) == 1 and await count([second]) == 2 and await count([first, second]) == 3
    assert await count([]) == 0


async def test_recurring_reminders_out_of_their_persons_zone(db):
    async def seed(uow: UnitOfWork):
        ana = (await uow.people.create("Ana", NOW)).id
        await uow.people.update_profile(ana, "Ana", {}, "Europe/Berlin", NOW)
        await uow.reminders.schedule(ana, "hours", "weekly", NOW + timedelta(days=2), {}, NOW, {"weekly": 4})
        await uow.reminders.schedule(ana, "draft", "once", NOW + timedelta(days=2), {}, NOW)
        return ana

    ana = await in_tx(db, seed)
    assert await in_tx(db, lambda u: u.reminders.out_of_zone(10)) == []  # computed in her zone
    await in_tx(db, lambda u: u.people.update_profile(ana, "Ana", {}, "Asia/Tokyo", NOW))
    [row] = await in_tx(db, lambda u: u.reminders.out_of_zone(10))
    assert row["timezone"] == "Asia/Tokyo" and row["recurrence"] == {"weekly": 4}
    assert await in_tx(db, lambda u: u.reminders.rezone(row["id"], NOW + timedelta(days=1), "Asia/Tokyo", NOW))
    assert await in_tx(db, lambda u: u.reminders.out_of_zone(10)) == []
    due = await in_tx(db, lambda u: u.tx.fetchval("SELECT due_at FROM reminders WHERE dedupe_key = 'weekly'"))
    assert due == NOW + timedelta(days=1)
