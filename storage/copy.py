"""`panelist db copy --from URL --to URL`: move a whole deployment between backends (SQLite ⇄ PostgreSQL).

The target is migrated first and must be empty. Tables are discovered from the source's catalog (minus
`schema_migrations`), copied parents first (foreign keys decide the order), in batches so memory stays bounded,
with their ids preserved. PostgreSQL identity sequences are then moved past the copied ids so new rows do not
collide. Row counts are compared per table before the target commits; a mismatch raises and nothing is kept.

The source is read in one transaction (one snapshot: SQLite's BEGIN IMMEDIATE, PostgreSQL REPEATABLE READ), and
the target written in one transaction, so a failed copy leaves the target migrated but empty. On SQLite that
read holds the write lock: stop the bot processes first, or they wait for the copy.

Both sides are read and written through the same `Tx` interface; the only backend-specific part is the
catalog (which tables, columns, keys and sequences exist), kept in `_Catalog` below.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

from bot.i18n.text import msg
from domain.problems import Invalid
from storage.db import Database, Tx, open_database, redact_url
from storage.migrate import upgrade

BATCH = 1000
SKIP_TABLES = {"schema_migrations"}
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class CopyError(Invalid):
    """The copy was refused or did not check out; `message` (a catalog message) says why in one line."""


def _q(name: str) -> str:
    if not _IDENT.match(name):
        raise CopyError(msg("copy.problem.unusual_name", name=repr(name)))
    return f'"{name}"'


class _Catalog:
    """What tables, columns, foreign keys and sequences a database has. One query set per backend."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self.sqlite = tx.dialect.name == "sqlite"

    async def tables(self) -> list[str]:
        if self.sqlite:
            rows = await self.tx.fetch(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        else:
            rows = await self.tx.fetch(
                "SELECT table_name AS name FROM information_schema.tables"
                " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name")
        return [r["name"] for r in rows if r["name"] not in SKIP_TABLES]

    async def columns(self, table: str) -> dict[str, str]:
        """Column name → declared type (lower case), in table order."""
        if self.sqlite:
            rows = await self.tx.fetch("SELECT name, type FROM pragma_table_info($1) ORDER BY cid", table)
        else:
            rows = await self.tx.fetch(
                "SELECT column_name AS name, data_type AS type FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position", table)
        return {r["name"]: (r["type"] or "").lower() for r in rows}

    async def primary_key(self, table: str) -> list[str]:
        if self.sqlite:
            rows = await self.tx.fetch(
                "SELECT name FROM pragma_table_info($1) WHERE pk > 0 ORDER BY pk", table)
        else:
            rows = await self.tx.fetch(
                "SELECT a.attname AS name FROM pg_index i"
                " JOIN pg_class c ON c.oid = i.indrelid"
                " JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()"
                " JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true"
                " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum"
                " WHERE c.relname = $1 AND i.indisprimary ORDER BY k.ord", table)
        return [r["name"] for r in rows]

    async def parents(self, table: str) -> set[str]:
        """Tables this table's foreign keys point at."""
        if self.sqlite:
            rows = await self.tx.fetch('SELECT DISTINCT "table" AS parent FROM pragma_foreign_key_list($1)', table)
        else:
            rows = await self.tx.fetch(
                "SELECT DISTINCT p.relname AS parent FROM pg_constraint k"
                " JOIN pg_class c ON c.oid = k.conrelid"
                " JOIN pg_class p ON p.oid = k.confrelid"
                " JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()"
                " WHERE k.contype = 'f' AND c.relname = $1", table)
        return {r["parent"] for r in rows}

    async def reset_sequences(self, table: str, columns: list[str]) -> None:
        """Move identity/serial sequences past the copied ids. SQLite's AUTOINCREMENT follows inserts by itself."""
        if self.sqlite:
            return
        for column in columns:
            seq = await self.tx.fetchval("SELECT pg_get_serial_sequence($1, $2)", _q(table), column)
            if seq is None:
                continue
            await self.tx.fetchval(
                f"SELECT setval($1::regclass, COALESCE((SELECT MAX({_q(column)}) FROM {_q(table)}), 0) + 1, false)", seq)

    async def snapshot(self) -> None:
        """Read the whole source from one consistent snapshot (SQLite's BEGIN IMMEDIATE already is one)."""
        if not self.sqlite:
            await self.tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")


def _coerce(value: Any, declared: str) -> Any:
    """SQLite is loosely typed; give the target the Python type its column expects."""
    if value is None:
        return None
    if "timestamp" in declared or declared in ("date", "datetime"):
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)  # storage times are UTC by rule
        return value
    if "int" in declared and isinstance(value, (str, float)) and not isinstance(value, bool):
        return int(value)
    if ("text" in declared or "char" in declared) and not isinstance(value, str):
        return str(value)
    return value


async def _applied(tx: Tx) -> set[int]:
    return {int(r["version"]) for r in await tx.fetch("SELECT version FROM schema_migrations")}


async def copy_database(source_url: str, target_url: str, batch: int = BATCH) -> dict[str, int]:
    """Copy every table from `source_url` into an empty, freshly migrated `target_url`; returns rows per table."""
    if source_url == target_url:
        raise CopyError(msg("copy.problem.same_database"))
    if source_url.startswith("sqlite:///"):
        path = Path(source_url.removeprefix("sqlite:///"))
        if not path.is_file():  # connecting would create an empty file (and its directories)
            raise CopyError(msg("copy.problem.no_sqlite", path=str(path)))
    source, target = open_database(source_url), open_database(target_url)
    await source.connect()
    try:
        await target.connect()
        try:
            await upgrade(target)
            return await _copy(source, target, batch)
        finally:
            await target.close()
    finally:
        await source.close()


async def _copy(source: Database, target: Database, batch: int) -> dict[str, int]:
    async with source.transaction() as stx, target.transaction() as ttx:
        scat, tcat = _Catalog(stx), _Catalog(ttx)
        await scat.snapshot()
        try:
            source_versions = await _applied(stx)
        except Exception as exc:  # no schema_migrations: not a Panelist database
            raise CopyError(msg("copy.problem.not_panelist", database=redact_url(source.url))) from exc
        target_versions = await _applied(ttx)
        if source_versions != target_versions:
            raise CopyError(msg("copy.problem.migrations_differ", source=str(sorted(source_versions)),
                                target=str(sorted(target_versions))))

        tables = await scat.tables()
        target_tables = set(await tcat.tables())
        missing = [t for t in tables if t not in target_tables]
        if missing:
            raise CopyError(msg("copy.problem.missing_tables", tables=", ".join(missing)))
        busy = [t for t in sorted(target_tables) if await ttx.fetchval(f"SELECT 1 FROM {_q(t)} LIMIT 1")]
        if busy:
            raise CopyError(msg("copy.problem.target_not_empty", database=redact_url(target.url), tables=", ".join(busy)))

        graph = {t: (await scat.parents(t)) - {t} for t in tables}
        try:
            order = list(TopologicalSorter(graph).static_order())
        except CycleError as exc:
            raise CopyError(msg("copy.problem.cycle", tables=str(exc.args[1]))) from exc
        order = [t for t in order if t in graph]

        counts: dict[str, int] = {}
        for table in order:
            counts[table] = await _copy_table(stx, ttx, scat, tcat, table, batch)

        for table in order:
            have = int(await ttx.fetchval(f"SELECT COUNT(*) FROM {_q(table)}"))
            want = int(await stx.fetchval(f"SELECT COUNT(*) FROM {_q(table)}"))
            if have != want or have != counts[table]:
                raise CopyError(msg("copy.problem.row_count", table=table, source=str(want), copied=str(counts[table]),
                                    target=str(have)))
        return counts


async def _copy_table(stx: Tx, ttx: Tx, scat: _Catalog, tcat: _Catalog, table: str, batch: int) -> int:
    source_cols = await scat.columns(table)
    target_cols = await tcat.columns(table)
    if set(source_cols) != set(target_cols):
        raise CopyError(msg("copy.problem.columns_differ", table=table, source=str(sorted(source_cols)),
                            target=str(sorted(target_cols))))
    names = list(source_cols)
    key = await scat.primary_key(table) or names
    select = (f"SELECT {', '.join(_q(c) for c in names)} FROM {_q(table)}"
              f" ORDER BY {', '.join(_q(c) for c in key)} LIMIT $1 OFFSET $2")
    insert = (f"INSERT INTO {_q(table)} ({', '.join(_q(c) for c in names)})"
              f" VALUES ({', '.join(f'${i + 1}' for i in range(len(names)))})")
    types = [target_cols[c] for c in names]
    copied = 0
    while True:
        rows = await stx.fetch(select, batch, copied)
        if not rows:
            break
        await ttx.executemany(insert, [tuple(_coerce(r[c], t) for c, t in zip(names, types)) for r in rows])
        copied += len(rows)
        if len(rows) < batch:
            break
    await tcat.reset_sequences(table, names)
    return copied
