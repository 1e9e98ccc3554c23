"""What people may be named by, as storage keeps it (SQLite and PostgreSQL): each identity's handle and platform
name, refreshed on every touch unless the platform sent nothing, and the directory the resolver reads."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from storage.uow import UnitOfWork

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


async def uow_run(db, fn):
    async with db.transaction() as tx:
        return await fn(UnitOfWork(tx))


async def test_handles_are_kept_refreshed_and_listed(db):
    async def make(u):
        ana = await u.people.create("Ana Pérez", NOW)
        bo = await u.people.create("Bo", NOW)
        gone = await u.people.create("Merged away", NOW)
        tg = await u.identities.create(ana.id, "telegram", "", "111", "111", None, "Ana", NOW, username="ana_p")
        sl = await u.identities.create(ana.id, "slack", "T1", "U1", None, None, "Ana P.", NOW + timedelta(minutes=1),
                                       username="ana.perez")
        await u.identities.create(bo.id, "console", "", "bo", "bo", None, None, NOW)
        await u.identities.create(gone.id, "console", "", "gone", "gone", None, None, NOW, username="gone")
        await u.people.mark_merged(gone.id, ana.id)
        return ana, tg, sl

    ana, tg, sl = await uow_run(db, make)
    assert tg.username == "ana_p" and sl.username == "ana.perez"
    # a new handle and name from the platform replace the old; a touch without them (a failed lookup) keeps them
    await uow_run(db, lambda u: u.identities.touch(tg.id, None, None, NOW + timedelta(hours=1), "Ana María",
                                                   "anamaria'; DROP TABLE identities;--"))
    await uow_run(db, lambda u: u.identities.touch(sl.id, None, None, NOW + timedelta(hours=2)))
    found = await uow_run(db, lambda u: u.identities.get(tg.id))
    assert found.username == "anamaria'; DROP TABLE identities;--" and found.display_name == "Ana María"
    kept = await uow_run(db, lambda u: u.identities.get(sl.id))
    assert kept.username == "ana.perez" and kept.display_name == "Ana P."
    rows = await uow_run(db, lambda u: u.identities.directory())
    listed = [(r["person_id"], r["platform"], r["user_id"], r["username"], r["person_name"]) for r in rows]
    # the merged person is not listed; the identity seen last comes first
    assert listed[:2] == [(ana.id, "slack", "U1", "ana.perez", "Ana Pérez"),
                          (ana.id, "telegram", "111", "anamaria'; DROP TABLE identities;--", "Ana Pérez")]
    assert {r[2] for r in listed} == {"U1", "111", "bo"}


async def test_a_person_is_named_by_profile_name_and_newest_handle(db):
    async def make(u):
        ana = await u.people.create("Ana Pérez", NOW)
        await u.identities.create(ana.id, "telegram", "", "111", "111", None, "Ana", NOW, username="old_handle")
        await u.identities.create(ana.id, "slack", "T1", "U1", None, None, "Ana P.", NOW + timedelta(hours=1),
                                  username="ana.perez")
        nobody = await u.people.create("", NOW)
        await u.identities.create(nobody.id, "console", "", "x", "x", None, None, NOW)
        return ana.id, nobody.id

    ana, nobody = await uow_run(db, make)
    assert await uow_run(db, lambda u: u.identities.naming(ana)) == ("Ana Pérez", "ana.perez", "Ana P.")
    assert await uow_run(db, lambda u: u.identities.naming(nobody)) == ("", None, None)
    assert await uow_run(db, lambda u: u.identities.naming(10**9)) == ("", None, None)
