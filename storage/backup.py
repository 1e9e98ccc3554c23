"""`panelist db backup FILE` and `panelist db restore FILE`: a consistent snapshot of a running deployment in one
SQLite file, and back.

An SQLite database is copied with SQLite's online backup API in one read transaction: under WAL the bot keeps
writing meanwhile and the copy is the database as of one moment. A PostgreSQL database is copied into the same
kind of file through `storage.copy` (one REPEATABLE READ snapshot); for PostgreSQL's own tools see the README.
A backup never overwrites a file, and is written beside its target then renamed, so a failed one leaves nothing.
Restoring goes through `storage.copy` too, which refuses a target that holds any data.
"""
from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path

from bot.i18n.text import msg
from storage.copy import CopyError, copy_database


def _sqlite_path(url: str) -> Path | None:
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


async def backup(database_url: str, target: Path) -> dict[str, int]:
    """Write a snapshot of `database_url` to the new file `target`; returns rows per table in it."""
    target = Path(target)
    if target.exists():
        raise CopyError(msg("backup.problem.exists", path=str(target)))
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        source = _sqlite_path(database_url)
        if source is not None:
            if not source.is_file():
                raise CopyError(msg("copy.problem.no_sqlite", path=str(source)))
            await asyncio.to_thread(_online_backup, source, partial)
        else:
            await copy_database(database_url, f"sqlite:///{partial}")
        counts = await asyncio.to_thread(_row_counts, partial)
        os.replace(partial, target)
        return counts
    finally:
        partial.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(f"{partial}{suffix}").unlink(missing_ok=True)


def _online_backup(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # all pages in one step: one read transaction, one moment of the database
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise CopyError(msg("backup.problem.integrity", detail=str(check)[:200]))
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        dst.close()
        src.close()


def _row_counts(path: Path) -> dict[str, int]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        if "schema_migrations" not in tables:
            raise CopyError(msg("copy.problem.not_panelist", database=str(path)))
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        db.close()


async def restore(source: Path, database_url: str) -> dict[str, int]:
    """Load a backup file into `database_url`, which must hold no data (it is migrated first)."""
    source = Path(source)
    if not source.is_file():
        raise CopyError(msg("copy.problem.no_sqlite", path=str(source)))
    await asyncio.to_thread(_row_counts, source)  # a Panelist backup, not any file
    return await copy_database(f"sqlite:///{source}", database_url)
