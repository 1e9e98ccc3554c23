"""Retention: what the runtime keeps of platform traffic, and for how long.

After `retention_days` a processed delivery's raw payload (what the person typed or uploaded, as the platform sent
it) and a sent reply's content are cleared; the delivery id itself stays until no platform would deliver it again
(`DEDUP_DAYS`; Telegram keeps updates a day, Slack retries within minutes), so a late redelivery is still
recognised. Audit entries go after `audit_retention_days`, except the record that a person's data was erased.
Each step runs in small batches, one short transaction each, so the bot keeps answering meanwhile.
"""
from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.runtime import Runtime

DEDUP_DAYS = 7
PURGE_BATCH = 500
PURGE_BATCHES = 40  # per tick and step: a large backlog is worked off over several ticks


async def purge_old(runtime: "Runtime", batch: int = PURGE_BATCH, batches: int = PURGE_BATCHES) -> dict[str, int]:
    now = runtime.clock()
    settings = runtime.settings
    payloads = now - timedelta(days=settings.retention_days)
    ids = now - timedelta(days=max(settings.retention_days, DEDUP_DAYS))
    audit = now - timedelta(days=settings.audit_retention_days)
    steps = {
        "inbox_payloads": lambda r: r.clear_inbox_payloads(payloads, batch),
        "inbox_ids": lambda r: r.forget_inbox_ids(ids, batch),
        "outbox_payloads": lambda r: r.clear_outbox_payloads(payloads, batch),
        "audit": lambda r: r.purge_audit(audit, batch),
    }
    done: dict[str, int] = {}
    for name, purge in steps.items():
        done[name] = 0
        for _ in range(batches):
            async with runtime.db.transaction() as tx:
                changed = await purge(runtime.unit_of_work(tx).retention)
            done[name] += changed
            if changed < batch:
                break
    return done
