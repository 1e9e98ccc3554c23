"""The storage contract: what every backend must do, run on SQLite and PostgreSQL alike."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from storage.migrate import available_migrations, upgrade
from storage.uow import UnitOfWork

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


async def uow_run(db, fn):
    async with db.transaction() as tx:
        return await fn(UnitOfWork(tx))


async def test_migrations_are_idempotent(db):
    assert await upgrade(db) == []
    count = await uow_run(db, lambda u: u.tx.fetchval("SELECT COUNT(*) FROM schema_migrations"))
    assert count == len(available_migrations())


async def test_person_identity_roundtrip_and_unique_identity(db):
    async def make(u):
        p = await u.people.create("Zoë 👩🏽‍⚕️ O'Brien; DROP TABLE persons;--", NOW)
        first = await u.identities.create(p.id, "telegram", "", "42", "42", "es-MX", "zoe", NOW)
        again = await u.identities.create(p.id, "telegram", "", "42", "42", None, None, NOW)
        return p, first, again

    person, first, again = await uow_run(db, make)
    assert first is not None and again is None  # the constraint decides, not a check
    loaded = await uow_run(db, lambda u: u.people.get(person.id))
    assert loaded.display_name == "Zoë 👩🏽‍⚕️ O'Brien; DROP TABLE persons;--"
    assert loaded.created_at == NOW and loaded.created_at.tzinfo is not None
    found = await uow_run(db, lambda u: u.identities.find("telegram", "", "42"))
    assert found.person_id == person.id and found.locale_hint == "es-MX"


async def test_profile_update_keeps_first_onboarding_time(db):
    p = await uow_run(db, lambda u: u.people.create("A", NOW))
    await uow_run(db, lambda u: u.people.update_profile(p.id, "A", {"years": 3}, "Europe/Berlin", NOW))
    later = NOW + timedelta(days=3)
    await uow_run(db, lambda u: u.people.update_profile(p.id, "A2", {"years": 4}, "UTC", later))
    loaded = await uow_run(db, lambda u: u.people.get(p.id))
    assert loaded.onboarded_at == NOW and loaded.profile == {"years": 4} and loaded.timezone == "UTC"


async def test_roles_grant_once_and_revoke(db):
    p = await uow_run(db, lambda u: u.people.create("A", NOW))
    assert await uow_run(db, lambda u: u.roles.grant(p.id, "manager", None, NOW)) is True
    assert await uow_run(db, lambda u: u.roles.grant(p.id, "manager", None, NOW)) is False
    assert await uow_run(db, lambda u: u.roles.of(p.id)) == {"manager"}
    assert await uow_run(db, lambda u: u.roles.revoke(p.id, "manager")) is True
    assert await uow_run(db, lambda u: u.roles.of(p.id)) == set()


async def test_inbox_records_each_delivery_once_and_claims_until_processed(db):
    async def record(u):
        return await u.inbox.record("telegram", "1001", "telegram:1", "{}", NOW)

    assert await uow_run(db, record) is True
    assert await uow_run(db, record) is False
    row = await uow_run(db, lambda u: u.inbox.claim("telegram", "1001"))
    assert row is not None and row.processed_at is None
    pending = await uow_run(db, lambda u: u.inbox.unprocessed(None, NOW))
    assert [r.delivery_id for r in pending] == ["1001"]
    await uow_run(db, lambda u: u.inbox.mark_processed(row.id, NOW))
    assert await uow_run(db, lambda u: u.inbox.claim("telegram", "1001")) is None
    assert await uow_run(db, lambda u: u.inbox.unprocessed("telegram", NOW)) == []


async def test_a_rolled_back_turn_leaves_the_inbox_row_unprocessed(db):
    await uow_run(db, lambda u: u.inbox.record("slack", "Ev1", "slack:T/U", "{}", NOW))

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with db.transaction() as tx:
            u = UnitOfWork(tx)
            row = await u.inbox.claim("slack", "Ev1")
            await u.inbox.mark_processed(row.id, NOW)
            raise Boom
    assert await uow_run(db, lambda u: u.inbox.claim("slack", "Ev1")) is not None


async def test_outbox_claims_are_exclusive_and_expire(db):
    ids = []
    for i in range(5):
        ids.append(await uow_run(db, lambda u, i=i: u.outbox.add(None, None, "telegram", f"p{i}", NOW)))
    lease = timedelta(seconds=60)
    first = await uow_run(db, lambda u: u.outbox.claim_due(["telegram"], NOW, lease, 3))
    second = await uow_run(db, lambda u: u.outbox.claim_due(["telegram"], NOW, lease, 10))
    assert len(first) == 3 and len(second) == 2
    assert not {r.id for r in first} & {r.id for r in second}
    assert await uow_run(db, lambda u: u.outbox.claim_due(["telegram"], NOW, lease, 10)) == []
    await uow_run(db, lambda u: u.outbox.mark_sent(first[0].id, NOW))
    later = NOW + timedelta(seconds=61)
    reclaimed = await uow_run(db, lambda u: u.outbox.claim_due(["telegram"], later, lease, 10))
    assert sorted(r.id for r in reclaimed) == sorted(set(ids) - {first[0].id})
    assert await uow_run(db, lambda u: u.outbox.claim_due(["slack"], later, lease, 10)) == []


async def test_concurrent_outbox_claims_never_overlap(db):
    for i in range(40):
        await uow_run(db, lambda u, i=i: u.outbox.add(None, None, "slack", f"p{i}", NOW))

    async def claim():
        return await uow_run(db, lambda u: u.outbox.claim_due(["slack"], NOW, timedelta(seconds=60), 7))

    batches = await asyncio.gather(*(claim() for _ in range(8)))
    seen = [r.id for batch in batches for r in batch]
    assert len(seen) == len(set(seen)) == 40


async def test_form_session_optimistic_versions(db):
    p = await uow_run(db, lambda u: u.people.create("A", NOW))
    s = await uow_run(db, lambda u: u.forms.create(p.id, "onboarding", {}, {"name": "A"}, NOW))
    stale = s.model_copy()
    s.values["years"] = 3
    s.step = 2
    assert await uow_run(db, lambda u: u.forms.save(s, NOW)) is True
    stale.values["years"] = 99
    assert await uow_run(db, lambda u: u.forms.save(stale, NOW)) is False  # lost the race: nothing written
    loaded = await uow_run(db, lambda u: u.forms.get(s.id))
    assert loaded.values == {"name": "A", "years": 3} and loaded.step == 2 and loaded.version == s.version
    open_ = await uow_run(db, lambda u: u.forms.open_for(p.id))
    assert [x.id for x in open_] == [s.id]


async def test_action_tokens_and_link_codes_single_use(db):
    p = await uow_run(db, lambda u: u.people.create("A", NOW))
    await uow_run(db, lambda u: u.tokens.store("~abc", '{"name":"x","args":{}}', p.id, NOW + timedelta(days=1), NOW))
    row = await uow_run(db, lambda u: u.tokens.load("~abc"))
    assert row["owner_person_id"] == p.id and row["expires_at"] == NOW + timedelta(days=1)
    assert await uow_run(db, lambda u: u.tokens.purge_expired(NOW + timedelta(days=2))) == 1
    assert await uow_run(db, lambda u: u.tokens.load("~abc")) is None

    other = await uow_run(db, lambda u: u.people.create("B", NOW))
    ident = await uow_run(db, lambda u: u.identities.create(other.id, "slack", "T1", "U1", None, None, None, NOW))
    await uow_run(db, lambda u: u.links.create("ABCDEFGH", p.id, NOW + timedelta(minutes=10)))
    assert await uow_run(db, lambda u: u.links.redeem("ABCDEFGH", ident.id, NOW + timedelta(minutes=11))) is None
    assert await uow_run(db, lambda u: u.links.redeem("ABCDEFGH", ident.id, NOW)) == p.id
    assert await uow_run(db, lambda u: u.links.redeem("ABCDEFGH", ident.id, NOW)) is None


async def test_link_requests_are_decided_once_and_failures_count_once_each(db):
    owner = await uow_run(db, lambda u: u.people.create("Owner", NOW))
    mine = await uow_run(db, lambda u: u.identities.create(owner.id, "telegram", "", "1", "1", None, None, NOW))
    other = await uow_run(db, lambda u: u.people.create("Other", NOW))
    theirs = await uow_run(db, lambda u: u.identities.create(other.id, "slack", "T1", "U1", None, None, None, NOW))
    assert (await uow_run(db, lambda u: u.identities.get(theirs.id))).user_id == "U1"
    await uow_run(db, lambda u: u.links.create("ABCDEFGH", owner.id, NOW + timedelta(minutes=10), mine.id))
    assert await uow_run(db, lambda u: u.links.peek("ABCDEFGH", NOW)) == {"person_id": owner.id, "owner_identity": mine.id}
    # nothing to decide before the code is redeemed, and only the identity that asked may decide
    assert await uow_run(db, lambda u: u.links.decide("ABCDEFGH", mine.id, "confirmed", NOW)) is None
    assert await uow_run(db, lambda u: u.links.redeem("ABCDEFGH", theirs.id, NOW)) == owner.id
    assert await uow_run(db, lambda u: u.links.peek("ABCDEFGH", NOW)) is None
    assert await uow_run(db, lambda u: u.links.decide("ABCDEFGH", theirs.id, "confirmed", NOW)) is None
    assert await uow_run(db, lambda u: u.links.decide("ABCDEFGH", mine.id, "confirmed", NOW + timedelta(minutes=11))) is None
    answers = await asyncio.gather(*(uow_run(db, lambda u: u.links.decide("ABCDEFGH", mine.id, "confirmed", NOW))
                                     for _ in range(6)))
    assert sorted(answers, key=str) == [theirs.id] + [None] * 5

    window = timedelta(hours=1)
    counts = await asyncio.gather(*(uow_run(db, lambda u: u.links.record_failure(other.id, NOW, NOW - window))
                                    for _ in range(7)))
    assert sorted(counts) == [1, 2, 3, 4, 5, 6, 7]
    tally = await uow_run(db, lambda u: u.links.failures(other.id))
    assert tally == {"window_start": NOW, "failures": 7}
    later = NOW + window
    assert await uow_run(db, lambda u: u.links.record_failure(other.id, later, later - window)) == 1  # a new window
    assert await uow_run(db, lambda u: u.links.failures(other.id)) == {"window_start": later, "failures": 1}
    assert await uow_run(db, lambda u: u.links.failures(owner.id)) is None


async def test_leases_are_held_then_taken_over(db):
    ttl = timedelta(seconds=30)
    for p in ("p1", "p2"):  # both running (a holder without a `processes` row is dead: tests/test_liveness.py)
        await uow_run(db, lambda u, p=p: u.processes.register(p, "elsewhere", "", 1, NOW, NOW))
    assert await uow_run(db, lambda u: u.leases.acquire("telegram.polling", "p1", NOW, ttl)) is True
    assert await uow_run(db, lambda u: u.leases.acquire("telegram.polling", "p2", NOW + timedelta(seconds=10), ttl)) is False
    assert await uow_run(db, lambda u: u.leases.acquire("telegram.polling", "p1", NOW + timedelta(seconds=20), ttl)) is True
    # p1 dies: its lease lapses and p2 takes over
    assert await uow_run(db, lambda u: u.leases.acquire("telegram.polling", "p2", NOW + timedelta(seconds=51), ttl)) is True
    assert await uow_run(db, lambda u: u.leases.acquire("telegram.polling", "p1", NOW + timedelta(seconds=52), ttl)) is False


async def test_audit_sent_messages_and_kv(db):
    await uow_run(db, lambda u: u.audit.log(None, "x.happened", {"n": 1, "text": "ñ"}, NOW))
    assert (await uow_run(db, lambda u: u.audit.recent()))[0]["detail"] == {"n": 1, "text": "ñ"}
    await uow_run(db, lambda u: u.sent.remember("ping:1", "telegram", "42", "7", NOW))
    await uow_run(db, lambda u: u.sent.remember("ping:1", "telegram", "42", "9", NOW))
    assert await uow_run(db, lambda u: u.sent.find("ping:1", "telegram", "42")) == "9"
    first = await uow_run(db, lambda u: u.kv.get_or_create("secret", "one"))
    second = await uow_run(db, lambda u: u.kv.get_or_create("secret", "two"))
    assert first == second == "one"


async def test_naive_datetimes_are_refused(db, backend):
    with pytest.raises(Exception):
        await uow_run(db, lambda u: u.people.create("A", datetime(2026, 1, 1)))


async def test_person_locks_serialize_transactions(db):
    """Two turns of one person never interleave: the second waits for the first to commit."""
    order: list[str] = []

    async def turn(name: str, hold: float):
        async with db.transaction() as tx:
            await tx.lock("person:1")
            order.append(f"{name}-in")
            await asyncio.sleep(hold)
            order.append(f"{name}-out")

    await asyncio.gather(turn("a", 0.2), turn("b", 0))
    assert order in (["a-in", "a-out", "b-in", "b-out"], ["b-in", "b-out", "a-in", "a-out"])
