"""What is kept, and for how long (issue 21): raw platform payloads in the inbox and outbox, and the audit log.

Each purge is one small batch (`limit` rows) so a tick never holds the write lock for long; the caller repeats
while a batch comes back full. The same SQL serves SQLite and PostgreSQL.
"""
from __future__ import annotations

from datetime import datetime

from storage.db import Tx

# Audit entries that must outlive the audit period: the record that a person's data was erased (who, when).
KEPT_AUDIT = "person.erased"


class Retention:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def clear_inbox_payloads(self, before: datetime, limit: int) -> int:
        """Processed deliveries received before `before` keep their id (deduplication) and lose their payload."""
        return await self.tx.execute(
            "UPDATE inbox SET payload = '' WHERE id IN (SELECT id FROM inbox WHERE processed_at IS NOT NULL"
            " AND received_at < $1 AND payload <> '' LIMIT $2)", before, limit)

    async def forget_inbox_ids(self, before: datetime, limit: int) -> int:
        """Processed deliveries older than any platform redelivers: gone, id and all."""
        return await self.tx.execute(
            "DELETE FROM inbox WHERE id IN (SELECT id FROM inbox WHERE processed_at IS NOT NULL AND received_at < $1"
            " LIMIT $2)", before, limit)

    async def clear_outbox_payloads(self, before: datetime, limit: int) -> int:
        """Sent or failed deliveries made before `before`: the message content goes; tagged rows stay (a broadcast's
        outcome counts), untagged ones are deleted."""
        deleted = await self.tx.execute(
            "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE (sent_at IS NOT NULL OR failed_at IS NOT NULL)"
            " AND created_at < $1 AND tag IS NULL LIMIT $2)", before, limit)
        return deleted + await self.tx.execute(
            "UPDATE outbox SET payload = '' WHERE id IN (SELECT id FROM outbox WHERE (sent_at IS NOT NULL OR"
            " failed_at IS NOT NULL) AND created_at < $1 AND payload <> '' LIMIT $2)", before, limit)

    async def purge_audit(self, before: datetime, limit: int) -> int:
        return await self.tx.execute(
            "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < $1 AND action <> $2 LIMIT $3)",
            before, KEPT_AUDIT, limit)
