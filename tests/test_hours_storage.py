"""Storage contract for hours, timers, rates, the ledger, statements and disputes — SQLite and PostgreSQL.

The guarantees are the constraints': one ledger line per source, one statement per line, one dispute per line,
one timer per person, one decision per hours entry. Each is checked by trying to break it.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from storage.uow import UnitOfWork

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
DAY = date(2026, 11, 20)


async def seed(db) -> tuple[int, int, int]:
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        a = (await uow.people.create("Ana", NOW)).id
        b = (await uow.people.create("Bo", NOW)).id
        project = await uow.projects.create("Hourly", "finance", "rewrite", "{}", None, None, NOW)
        return a, b, project


async def test_hours_entries_decide_once_and_lock_after_approval(db):
    a, b, project = await seed(db)
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        e1 = await uow.hours.add(a, project, DAY, 90, "n", "log", NOW)
        e2 = await uow.hours.add(a, project, DAY, 30, "", "timer", NOW)
        await uow.hours.add(a, project, DAY + timedelta(days=1), 60, "", "log", NOW)
        assert await uow.hours.minutes_on(a, DAY) == 120
        assert await uow.hours.minutes_on(a, DAY, except_id=e1) == 30
        assert await uow.hours.decide(e1, "approved", None, b, NOW)
        assert not await uow.hours.decide(e1, "approved", None, b, NOW)  # a double approval decides nothing
        assert not await uow.hours.decide(e1, "rejected", "x", b, NOW)
        assert not await uow.hours.update(e1, a, 10, "", NOW)  # approved: frozen
        assert not await uow.hours.delete(e1, a)
        assert not await uow.hours.update(e2, b, 10, "", NOW)  # not Bo's
        assert await uow.hours.decide(e2, "rejected", "meeting", b, NOW)
        assert await uow.hours.minutes_on(a, DAY) == 90  # rejected does not count toward the day cap
        assert await uow.hours.update(e2, a, 45, "fixed", NOW)  # a rejected entry can be fixed …
        fixed = await uow.hours.get(e2)
        assert (fixed.state, fixed.reason, fixed.minutes) == ("logged", None, 45)  # … and is logged again
        assert [e.id for e in await uow.hours.pending()] == [e2, e2 + 1]
        assert [e.id for e in await uow.hours.pending(exclude_person=a)] == []
        assert len(await uow.hours.between(a, DAY, DAY)) == 2
        assert await uow.hours.update(e2, a, 45, "fixed", NOW, day=DAY - timedelta(days=2))  # the edit form's day
        assert (await uow.hours.get(e2)).work_date == DAY - timedelta(days=2)
        assert await uow.hours.update(e2, a, 50, "fixed", NOW)  # no day given: the day stays
        assert (await uow.hours.get(e2)).work_date == DAY - timedelta(days=2)


async def test_hours_refuse_impossible_minutes(db):
    a, _, project = await seed(db)
    for minutes in (0, -5, 24 * 60 + 1):
        with pytest.raises(Exception):
            async with db.transaction() as tx:
                await UnitOfWork(tx).hours.add(a, project, DAY, minutes, "", "log", NOW)


async def test_one_timer_per_person_and_one_stop(db):
    a, _, project = await seed(db)
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        assert await uow.timers.start(a, project, NOW)
        assert not await uow.timers.start(a, project, NOW)
        assert await uow.timers.pause(a, NOW + timedelta(minutes=10))
        assert not await uow.timers.pause(a, NOW + timedelta(minutes=11))
        t = await uow.timers.get(a)
        assert t.seconds(NOW + timedelta(hours=5)) == 600  # paused time does not count
        assert await uow.timers.resume(a, NOW + timedelta(hours=1))
        assert [x.person_id for x in await uow.timers.running()] == [a]
        assert await uow.timers.mark_nudged(a, NOW) and not await uow.timers.mark_nudged(a, NOW)
        assert await uow.timers.mark_flagged(a, NOW) and not await uow.timers.mark_flagged(a, NOW)
        taken = await uow.timers.take(a)
        assert taken.seconds(NOW + timedelta(hours=1, minutes=5)) == 900 and taken.flagged_at is not None
        assert await uow.timers.take(a) is None


async def test_one_ledger_line_per_source(db):
    a, b, project = await seed(db)
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        first = await uow.ledger.add(a, project, "hours", "hours:1", 4000, "EUR", DAY, "", b, NOW)
        assert first is not None
        assert await uow.ledger.add(a, project, "hours", "hours:1", 9999, "USD", DAY, "", b, NOW) is None
        await uow.ledger.add(a, None, "bonus", "bonus:x", 250, "EUR", DAY, "good", b, NOW)
        await uow.ledger.add(a, project, "hours", "hours:2", 5500, "USD", DAY, "", b, NOW)
        assert await uow.ledger.currency_totals(a) == {"EUR": 4250, "USD": 5500}
        assert await uow.ledger.totals(a) == {(project, "EUR", "approved"): 4000, (None, "EUR", "approved"): 250,
                                              (project, "USD", "approved"): 5500}
        with pytest.raises(TypeError):
            await uow.ledger.add(a, None, "bonus", "bonus:f", 2.5, "EUR", DAY, "", b, NOW)  # type: ignore[arg-type]
    with pytest.raises(Exception):  # the constraint itself, not only ON CONFLICT in the repository
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO ledger_lines (person_id, kind, source, amount_minor, currency, earned_on,"
                             " created_at) VALUES ($1, 'bonus', 'hours:1', 1, 'EUR', '2026-11-20', $2)", a, NOW)


async def test_a_line_is_never_on_two_statements(db):
    a, b, project = await seed(db)
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        line = await uow.ledger.add(a, project, "hours", "hours:1", 4000, "EUR", DAY, "", b, NOW)
        later = await uow.ledger.add(a, project, "hours", "hours:2", 100, "EUR", DAY + timedelta(days=40), "", b, NOW)
        assert [x.id for x in await uow.ledger.unpaid_in(DAY, DAY)] == [line]
        s1 = await uow.ledger.create_statement(a, "EUR", DAY, DAY, b, NOW)
        s2 = await uow.ledger.create_statement(a, "EUR", DAY, DAY, b, NOW)
        assert await uow.ledger.put_on_statement(s1, line)
        assert not await uow.ledger.put_on_statement(s2, line)
        assert await uow.ledger.unpaid_in(DAY, DAY) == []
        assert await uow.ledger.statement_total(s1) == 4000 and await uow.ledger.statement_total(s2) == 0
        assert (await uow.ledger.line(line)).status == "on_statement"
        assert await uow.ledger.mark_paid(s1, "REF-1", b, NOW)
        assert not await uow.ledger.mark_paid(s1, "REF-2", b, NOW)
        assert (await uow.ledger.statement(s1)).paid_ref == "REF-1"
        assert (await uow.ledger.line(line)).status == "paid"
        assert (await uow.ledger.line(later)).status == "approved"
        assert await uow.ledger.totals(a) == {(project, "EUR", "paid"): 4000, (project, "EUR", "approved"): 100}
    with pytest.raises(Exception):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO statement_lines (statement_id, line_id) VALUES ($1, $2)", s2, line)


async def test_one_dispute_per_line_and_resolved_once(db):
    a, b, project = await seed(db)
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        line = await uow.ledger.add(a, project, "hours", "hours:1", 4000, "EUR", DAY, "", b, NOW)
        d = await uow.ledger.open_dispute(line, a, "too little", NOW)
        assert d is not None and await uow.ledger.open_dispute(line, a, "again", NOW) is None
        assert await uow.ledger.unpaid_in(DAY, DAY) == []  # an open dispute holds the line back from payouts
        assert [x.id for x in await uow.ledger.open_disputes()] == [d]
        assert await uow.ledger.resolve_dispute(d, "upheld", "ok", b, NOW)
        assert not await uow.ledger.resolve_dispute(d, "dismissed", "no", b, NOW)
        shown = await uow.ledger.line(line)
        assert (shown.dispute_state, shown.dispute_resolution) == ("upheld", "ok")
        assert [x.id for x in await uow.ledger.unpaid_in(DAY, DAY)] == [line]


async def test_pay_rates_upsert(db):
    a, b, project = await seed(db)
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        assert await uow.rates.get(project, a) is None
        await uow.rates.set(project, a, "senior", 6000, "EUR", b, NOW)
        await uow.rates.set(project, a, "lead", 7000, "EUR", b, NOW)
        got = await uow.rates.get(project, a)
        assert (got["tier"], int(got["amount_minor"]), got["currency"]) == ("lead", 7000, "EUR")


async def test_concurrent_closes_and_approvals_write_once(db):
    """Two managers at once (two transactions racing; real concurrency on PostgreSQL, serialized on SQLite):
    a line lands on one statement, an entry is approved once, a source is written once."""
    import asyncio

    a, b, project = await seed(db)
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        line = await uow.ledger.add(a, project, "hours", "hours:0", 4000, "EUR", DAY, "", b, NOW)
        entry = await uow.hours.add(a, project, DAY, 60, "", "log", NOW)

    async def manager() -> tuple[bool, bool, bool]:
        async with db.transaction() as tx:
            uow = UnitOfWork(tx)
            statement = await uow.ledger.create_statement(a, "EUR", DAY, DAY, b, NOW)
            placed = await uow.ledger.put_on_statement(statement, line)
            decided = await uow.hours.decide(entry, "approved", None, b, NOW)
            wrote = await uow.ledger.add(a, project, "hours", f"hours:{entry}", 4000, "EUR", DAY, "", b, NOW)
            await asyncio.sleep(0.05)  # hold the transaction open while the other one runs
            return placed, decided, wrote is not None

    results = await asyncio.gather(*(manager() for _ in range(4)))
    assert [sum(r[i] for r in results) for i in range(3)] == [1, 1, 1]
    async with db.transaction() as tx:
        assert await tx.fetchval("SELECT COUNT(*) FROM statement_lines") == 1
        assert await tx.fetchval("SELECT COUNT(*) FROM ledger_lines") == 2


async def test_lines_keep_what_they_count_and_migration_0024_fills_in_older_lines(db):
    """A statement shows minutes or tasks × rate: the line keeps both (issue 18, point 8). Lines written before
    migration 0024 get what can be known exactly, by the migration's own UPDATEs, on both backends."""
    from storage.migrate import available_migrations
    from storage.sqlite import split_statements

    a, b, project = await seed(db)
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        entry = await uow.hours.add(a, project, DAY, 25, "", "log", NOW)
        counted = await uow.ledger.add(a, project, "hours", "hours:x", 1667, "EUR", DAY, "", b, NOW,
                                       quantity=25, unit_minor=4000)
        line = await uow.ledger.line(counted)
        assert (line.quantity, line.unit_minor) == (25, 4000)
        old_hours = await uow.ledger.add(a, project, "hours", f"hours:{entry}", 1667, "EUR", DAY, "", b, NOW)
        old_task = await uow.ledger.add(a, project, "task", "submission:9", 450, "EUR", DAY, "", b, NOW)
        old_reversal = await uow.ledger.add(a, project, "task_reversal", "submission-reversal:9", -450, "EUR", DAY,
                                            "rejected", b, NOW)
        bonus = await uow.ledger.add(a, None, "bonus", "bonus:1", 500, "EUR", DAY, "thanks", b, NOW)
        sql = next(text for version, _, text in available_migrations() if version == 24)
        for statement in split_statements(sql):
            if statement.startswith("UPDATE"):
                await tx.execute(statement)
        got = {i: (ln.quantity, ln.unit_minor) for i in (old_hours, old_task, old_reversal, bonus)
               for ln in [await uow.ledger.line(i)]}
        assert got == {old_hours: (25, None), old_task: (1, 450), old_reversal: (-1, 450), bonus: (None, None)}
