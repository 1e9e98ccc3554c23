"""Retention: raw payloads go after `retention_days`, delivery ids only once no platform redelivers, old audit
entries after `audit_retention_days` (never the record of an erasure); in small batches, on both backends. A
redelivery inside the dedup window is still recognised after its payload went."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.core.retention import DEDUP_DAYS

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)


async def seed(rt, days_ago: int, n: int, processed: bool = True, tag: str | None = None, sent: bool = True):
    at = NOW - timedelta(days=days_ago)
    async with rt.db.transaction() as tx:
        uow = rt.unit_of_work(tx)
        for i in range(n):
            delivery = f"d{days_ago}-{i}-{processed}-{tag}"
            await uow.inbox.record("telegram", delivery, "telegram:1", '{"text": "private words"}', at)
            if processed:
                await tx.execute("UPDATE inbox SET processed_at = $1 WHERE delivery_id = $2", at, delivery)
            out = await uow.outbox.add(None, None, "telegram", '{"text": "a reply"}', at, tag=tag)
            if sent:
                await tx.execute("UPDATE outbox SET sent_at = $1 WHERE id = $2", at, out)
            await uow.audit.log(None, "grant", {"n": i}, at)


async def counts(rt) -> dict[str, int]:
    async with rt.db.transaction() as tx:
        q = tx.fetchval
        return {
            "inbox": await q("SELECT COUNT(*) FROM inbox"),
            "inbox_payloads": await q("SELECT COUNT(*) FROM inbox WHERE payload <> ''"),
            "outbox": await q("SELECT COUNT(*) FROM outbox"),
            "outbox_payloads": await q("SELECT COUNT(*) FROM outbox WHERE payload <> ''"),
            "audit": await q("SELECT COUNT(*) FROM audit_log WHERE action = 'grant'"),
            "erasures": await q("SELECT COUNT(*) FROM audit_log WHERE action = 'person.erased'"),
        }


async def test_old_payloads_ids_and_audit_go_in_batches(recorded_runtime):
    rt = recorded_runtime
    rt.clock = lambda: NOW
    settings = rt.settings.model_copy(update={"retention_days": 3, "audit_retention_days": 30})
    rt.settings = settings
    await seed(rt, 1, 4)  # recent: everything stays
    await seed(rt, 5, 7)  # past retention, inside the dedup window: payloads go, ids stay
    await seed(rt, DEDUP_DAYS + 2, 6)  # past both: inbox rows go
    await seed(rt, 5, 2, processed=False, sent=False)  # not done with: untouched
    await seed(rt, 5, 3, tag="ping:1")  # a broadcast's rows: kept for its counts, without content
    await seed(rt, 40, 2)  # audit past its period
    async with rt.db.transaction() as tx:
        await rt.unit_of_work(tx).audit.log(9, "person.erased", {}, NOW - timedelta(days=4000))
    before = await counts(rt)
    done = await rt.purge_old(batch=3)  # several batches each
    after = await counts(rt)

    assert after["inbox"] == before["inbox"] - 6 - 2  # 8 beyond the dedup window (6 + the 40-day ones)
    assert after["inbox_payloads"] == 4 + 2  # the recent ones and the unprocessed ones
    # payloads first (also of rows about to go), then the ids beyond the window
    assert done["inbox_payloads"] == 7 + 3 + 6 + 2 and done["inbox_ids"] == 8
    assert after["outbox"] == 4 + 2 + 3  # recent, pending, tagged (untagged done rows deleted)
    assert after["outbox_payloads"] == 4 + 2
    assert after["audit"] == before["audit"] - 2 and after["erasures"] == 1
    assert await rt.purge_old(batch=3) == {"inbox_payloads": 0, "inbox_ids": 0, "outbox_payloads": 0, "audit": 0}


async def test_a_redelivery_after_its_payload_went_is_still_recognised(recorded_runtime):
    rt = recorded_runtime
    rt.clock = lambda: NOW
    rt.settings = rt.settings.model_copy(update={"retention_days": 1})
    await seed(rt, 2, 1)
    await rt.purge_old()
    async with rt.db.transaction() as tx:
        again = await rt.unit_of_work(tx).inbox.record("telegram", "d2-0-True-None", "telegram:1", "{}", NOW)
        payload = await tx.fetchval("SELECT payload FROM inbox WHERE delivery_id = 'd2-0-True-None'")
    assert again is False and payload == ""
