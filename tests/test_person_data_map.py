"""Every table that names a person is known to `storage.repos.person_data`: a new one cannot silently escape
/mydata and /forget."""
from __future__ import annotations

from storage.repos.person_data import PERSONAL

PERSON_COLUMNS = {"person_id", "owner_person_id", "reviewer_id"}
# Tables that name a person and are handled on purpose outside the map: the audit log (entries by or about them,
# matched on their detail too) and the record of an erasure (kept, it is the proof it happened).
HANDLED_APART = {"audit_log", "erasure_requests"}


async def test_every_table_with_a_person_column_is_mapped(db):
    if db.dialect.name == "sqlite":
        async with db.transaction() as tx:
            tables = [r["name"] for r in await tx.fetch(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
            columns = {t: {r["name"] for r in await tx.fetch(f"PRAGMA table_info({t})")} for t in tables}
    else:
        async with db.transaction() as tx:
            found = await tx.fetch("SELECT table_name, column_name FROM information_schema.columns"
                                   " WHERE table_schema = current_schema()")
        columns: dict[str, set[str]] = {}
        for r in found:
            columns.setdefault(r["table_name"], set()).add(r["column_name"])
    naming = {t for t, cols in columns.items() if cols & PERSON_COLUMNS}
    assert naming, "the schema has no person columns? the check would be empty"
    assert naming - HANDLED_APART <= set(PERSONAL), sorted(naming - HANDLED_APART - set(PERSONAL))
