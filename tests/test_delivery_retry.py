"""Bounded, classified retries: the backoff policy (pure), the outbox's parts/attempts/failed/listing/retry on both
backends, and `panelist outbox` (list and retry) on both backends."""
from __future__ import annotations

import random
from argparse import Namespace
from datetime import datetime, timedelta, timezone

from app.outbox_cli import run as run_outbox
from app.settings import Settings
from bot.core.retry import CAP, next_try
from storage.uow import UnitOfWork

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


async def uow_run(db, fn):
    async with db.transaction() as tx:
        return await fn(UnitOfWork(tx))


# the policy -----------------------------------------------------------------------------------------------------
def test_backoff_doubles_with_jitter_and_stops_at_the_bound():
    rand = random.Random(7)
    for attempts in range(1, 8):
        ceiling = min(CAP.total_seconds(), 10 * 2 ** (attempts - 1))
        waits = [next_try(attempts, max_attempts=8, base=10, rand=rand).total_seconds() for _ in range(200)]
        assert all(ceiling / 2 <= w <= ceiling for w in waits), attempts
        assert len(set(waits)) > 100  # jittered: rows that failed together do not come back together
    assert next_try(8, max_attempts=8, base=10) is None
    assert next_try(1, max_attempts=1, base=10) is None
    assert next_try(30, max_attempts=99, base=10) <= CAP


def test_a_platforms_retry_after_is_a_floor():
    assert next_try(1, max_attempts=8, base=1, retry_after=45).total_seconds() == 45
    assert next_try(6, max_attempts=8, base=10, retry_after=1, rand=random.Random(1)).total_seconds() >= 160


# storage, both backends ------------------------------------------------------------------------------------------
async def test_parts_attempts_failure_listing_and_retry(db):
    async def stage(u):
        person = await u.people.create("Ana", NOW)
        ids = [await u.outbox.add(None, person.id, "telegram", f'{{"n": {i}}}', NOW) for i in range(4)]
        return person.id, ids

    pid, (multi, failing, old, fresh) = await uow_run(db, stage)
    assert (await uow_run(db, lambda u: u.outbox.progress([multi])))[multi].parts_done == 0

    await uow_run(db, lambda u: u.outbox.record_part(multi, 1, "41"))
    await uow_run(db, lambda u: u.outbox.record_part(multi, 2, None))  # a part without a message keeps the id
    state = (await uow_run(db, lambda u: u.outbox.progress([multi, fresh])))
    assert (state[multi].parts_done, state[multi].message_id) == (2, "41") and state[fresh].parts_done == 0

    await uow_run(db, lambda u: u.outbox.retry_later(multi, NOW + timedelta(seconds=20), "TimedOut"))
    assert await uow_run(db, lambda u: u.outbox.attempts(multi)) == 1
    await uow_run(db, lambda u: u.outbox.mark_failed(failing, NOW, "forbidden: bot was blocked by the user"))
    assert await uow_run(db, lambda u: u.outbox.attempts(failing)) == 1
    await uow_run(db, lambda u: u.outbox.mark_sent(fresh, NOW))

    # nothing is stuck yet but the retried row and the failed one; `old` becomes stuck once it is old enough
    listed = await uow_run(db, lambda u: u.outbox.troubled(NOW - timedelta(minutes=5)))
    assert [(r.id, r.failed_at is not None, r.attempts, r.parts_done) for r in listed] == [
        (multi, False, 1, 2), (failing, True, 1, 0)]
    assert listed[1].error == "forbidden: bot was blocked by the user" and listed[1].person_id == pid
    later = await uow_run(db, lambda u: u.outbox.troubled(NOW + timedelta(minutes=1)))
    assert [r.id for r in later] == [multi, failing, old]  # the sent row is never listed

    assert await uow_run(db, lambda u: u.outbox.failed_ids()) == [failing]
    due = NOW + timedelta(hours=1)
    assert await uow_run(db, lambda u: u.outbox.retry([failing, fresh, 999_999], due)) == [failing]
    claimed = await uow_run(db, lambda u: u.outbox.claim_due(["telegram"], due, timedelta(seconds=60)))
    assert {r.id for r in claimed} == {multi, failing, old}
    after = await uow_run(db, lambda u: u.outbox.progress([failing, multi]))
    assert after[failing].attempts == 0 and after[multi].parts_done == 2  # delivered parts stay delivered


async def test_failed_deliveries_counted_per_project_and_window(db):
    async def seed(u):
        member = await u.people.create("Member", NOW)
        outsider = await u.people.create("Outsider", NOW)
        project = await u.tx.fetchval("INSERT INTO projects (name, domain, task_type, spec, created_at) VALUES"
                                      " ('P', 'medicine', 'rating', '{}', $1) RETURNING id", NOW)
        await u.tx.execute("INSERT INTO project_members (project_id, person_id, joined_at) VALUES ($1, $2, $3)",
                           project, member.id, NOW)
        for who, when in ((member.id, NOW), (member.id, NOW - timedelta(days=3)), (member.id, NOW - timedelta(days=9)),
                          (outsider.id, NOW)):
            row = await u.outbox.add(None, who, "slack", "{}", when)
            await u.outbox.mark_failed(row, when, "account_inactive")
        await u.outbox.add(None, member.id, "slack", "{}", NOW)  # pending: not a failure
        return project

    project = await uow_run(db, seed)
    assert await uow_run(db, lambda u: u.outbox.failed_to_project(project, NOW - timedelta(days=7))) == 2


# the CLI, both backends --------------------------------------------------------------------------------------------
async def test_panelist_outbox_lists_and_retries(database_url, capsys):
    from storage.db import open_database
    from storage.migrate import upgrade

    settings = Settings(database_url=database_url)
    assert await run_outbox(settings, Namespace(outbox_command=None), now=NOW) == 0
    assert capsys.readouterr().out.strip() == "No failed or stuck deliveries."

    async with open_database(database_url) as db:
        await upgrade(db)

        async def stage(u):
            person = await u.people.create("Ana", NOW)
            a = await u.outbox.add(None, person.id, "telegram", "{}", NOW - timedelta(hours=2))
            b = await u.outbox.add(None, person.id, "slack", "{}", NOW - timedelta(hours=1))
            c = await u.outbox.add(None, person.id, "slack", "{}", NOW - timedelta(hours=1))
            d = await u.outbox.add(None, person.id, "slack", "{}", NOW)
            await u.outbox.mark_failed(a, NOW, "forbidden: bot was blocked by the user")
            await u.outbox.record_part(b, 1, "D1:1.0")
            await u.outbox.retry_later(b, NOW + timedelta(minutes=1), "internal_error (HTTP 500)")
            await u.outbox.mark_sent(c, NOW)
            return a, b, c, d

        a, b, c, d = await uow_run(db, stage)

    assert await run_outbox(settings, Namespace(outbox_command=None), now=NOW) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2  # the sent row and the fresh one are not listed
    assert lines[0].startswith(f"{a}  failed  telegram") and "attempts 1" in lines[0]
    assert "bot was blocked by the user" in lines[0]
    assert lines[1].startswith(f"{b}  stuck  slack") and "parts delivered 1" in lines[1]
    assert "internal_error (HTTP 500)" in lines[1]

    assert await run_outbox(settings, Namespace(outbox_command="retry", ids=[c], failed=False), now=NOW) == 1
    assert "Nothing to retry" in capsys.readouterr().err
    assert await run_outbox(settings, Namespace(outbox_command="retry", ids=[b], failed=True), now=NOW) == 0
    assert capsys.readouterr().out.strip() == f"2 deliveries will be sent again by the running bot: {a} {b}"
    async with open_database(database_url) as db:
        rows = await uow_run(db, lambda u: u.tx.fetch(
            "SELECT id, failed_at, attempts, parts_done, not_before FROM outbox ORDER BY id"))
    by_id = {r["id"]: r for r in rows}
    assert by_id[a]["failed_at"] is None and by_id[a]["attempts"] == 0 and by_id[a]["not_before"] == NOW
    assert by_id[b]["parts_done"] == 1  # its first part is not sent again


def test_panelist_outbox_is_a_cli_verb(database_url, capsys, monkeypatch):
    from app.cli import main

    monkeypatch.setenv("PANELIST_DATABASE_URL", database_url)
    assert main(["outbox"]) == 0
    assert "No failed or stuck deliveries." in capsys.readouterr().out
    assert main(["outbox", "retry", "--failed"]) == 1
    assert "Nothing to retry" in capsys.readouterr().err
