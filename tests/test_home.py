"""The home without a chat: "this week" in the person's zone and earnings per currency (domain/home.py), and the
stale marks on both backends (storage/repos/homes.py): a write marks only homes that were opened, the staff's too
when it changes their queue, a rolled-back write marks nothing, and a stale home is claimed once."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from domain.home import by_currency, this_week
from storage.uow import UnitOfWork

NOW = datetime(2026, 12, 6, 23, 30, tzinfo=timezone.utc)  # a Sunday in UTC, already Monday in Tokyo


def test_this_week_is_the_calendar_week_in_the_persons_zone():
    week = this_week(NOW, "UTC")
    assert (week.first, week.last, week.since) == (date(2026, 11, 30), date(2026, 12, 6),
                                                   datetime(2026, 11, 30, tzinfo=timezone.utc))
    tokyo = this_week(NOW, "Asia/Tokyo")  # 08:30 on Monday 7 December there: a new week began
    assert tokyo.first == date(2026, 12, 7) and tokyo.since == datetime(2026, 12, 6, 15, tzinfo=timezone.utc)
    assert this_week(NOW, "Not/AZone").first == week.first  # an unknown zone counts in UTC


def test_earnings_are_summed_per_currency_and_zero_sums_left_out():
    totals = {(1, "EUR", "approved"): 8000, (2, "EUR", "paid"): 1050, (1, "USD", "approved"): 500,
              (3, "GBP", "approved"): 700, (3, "GBP", "paid"): -700}
    assert by_currency(totals) == {"EUR": 9050, "USD": 500}
    assert list(by_currency(totals)) == ["EUR", "USD"]


async def in_tx(db, fn):
    async with db.transaction() as tx:
        return await fn(UnitOfWork(tx))


async def stale(db, person_id: int) -> bool:
    return await in_tx(db, lambda u: u.homes.is_stale(person_id))


async def test_writes_mark_opened_homes_stale_and_a_stale_home_is_claimed_once(db):
    async def seed(uow: UnitOfWork):
        ana, meg, cy = [await uow.people.create(n, NOW) for n in ("Ana", "Meg", "Cy")]
        ids = {}
        for person in (ana, meg, cy):
            ident = await uow.identities.create(person.id, "slack", "T1", f"U{person.id}", None, None, None, NOW)
            ids[person.id] = ident.id
        await uow.roles.grant(meg.id, "manager", None, NOW)
        for person in (ana, meg):  # cy never opened a home
            await uow.homes.published(person.id, ids[person.id], NOW)
        project = await uow.projects.create("P", "law", "rewrite", "{}", None, None, NOW)
        await uow.tasks.insert_many(project, [("i1", "{}", False, 1)], NOW)
        return ana.id, meg.id, cy.id, project

    ana, meg, cy, project = await in_tx(db, seed)
    assert not await stale(db, ana) and not await stale(db, meg)

    async def hours(uow: UnitOfWork):  # a write that changes the staff's queue too
        await uow.hours.add(cy, project, NOW.date(), 60, "", "log", NOW)

    await in_tx(db, hours)
    assert await stale(db, meg) and not await stale(db, ana)  # cy has no home row: nothing to mark
    assert await in_tx(db, lambda u: u.homes.due(NOW, NOW - timedelta(seconds=30))) == []  # published just now
    later = NOW + timedelta(seconds=30)
    due = await in_tx(db, lambda u: u.homes.due(later, later - timedelta(seconds=30)))
    assert [r["person_id"] for r in due] == [meg]
    assert await in_tx(db, lambda u: u.homes.claim(meg, later)) is True
    assert await in_tx(db, lambda u: u.homes.claim(meg, later)) is False  # a second process gets nothing

    with pytest.raises(RuntimeError):  # a write that rolls back marks nothing
        async def fails(uow: UnitOfWork):
            await uow.ledger.add(ana, project, "hours", "hours:x", 100, "EUR", NOW.date(), "", None, NOW)
            raise RuntimeError("rolled back")

        await in_tx(db, fails)
    assert not await stale(db, ana)
    await in_tx(db, lambda u: u.ledger.add(ana, project, "hours", "hours:x", 100, "EUR", NOW.date(), "", None, NOW))
    assert await stale(db, ana) and not await stale(db, meg)  # a ledger line is the expert's alone
