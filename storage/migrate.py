"""Numbered SQL migrations (`storage/migrations/NNNN_name.sql`), applied in order, each once, per backend."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from importlib.resources import files

from storage.db import Database

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def available_migrations() -> list[tuple[int, str, str]]:
    found = []
    for entry in files("storage").joinpath("migrations").iterdir():
        m = _NAME.match(entry.name)
        if m:
            found.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


class SchemaTooNew(RuntimeError):
    """The database has migrations this code does not know: a newer Panelist wrote it. Running older code over it
    could undo or misread what the newer one relies on."""


async def schema_versions(db: Database) -> tuple[int | None, int]:
    """(the newest migration the database has, the newest this code knows)."""
    async with db.transaction() as tx:
        applied = await tx.fetchval("SELECT MAX(version) FROM schema_migrations")
    known = available_migrations()
    return applied, known[-1][0] if known else 0


async def upgrade(db: Database) -> list[str]:
    """Apply what is missing; returns the names applied. Safe to run from several processes at once. Raises
    `SchemaTooNew` (and changes nothing) over a database a newer version of Panelist has migrated."""
    async with db.transaction() as tx:
        await tx.lock("panelist:migrations")
        await tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at {ts} NOT NULL)"
        )
        newest = await tx.fetchval("SELECT MAX(version) FROM schema_migrations")
    known = available_migrations()
    if newest is not None and known and newest > known[-1][0]:
        raise SchemaTooNew(f"the database is at migration {newest}, this code knows up to {known[-1][0]}")
    applied: list[str] = []
    for version, name, sql in known:
        async with db.transaction() as tx:
            await tx.lock("panelist:migrations")
            if await tx.fetchval("SELECT 1 FROM schema_migrations WHERE version = $1", version):
                continue
            from storage.sqlite import split_statements

            for statement in split_statements(sql):
                await tx.execute(statement)
            await tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                version, name, datetime.now(timezone.utc),
            )
            applied.append(name)
    return applied
