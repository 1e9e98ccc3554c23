"""`panelist db backup FILE` / `panelist db restore FILE`: a snapshot of a database the bot is writing to, taken as
of one moment; restored row for row into an empty database, refused into one with data; never over a file."""
from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime, timezone

import pytest

from app.cli import main
from storage.backup import backup, restore
from storage.copy import CopyError
from storage.db import open_database
from storage.migrate import upgrade
from tests.backends import drop_schema, new_database_url

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)


async def people_count(url: str) -> int:
    async with open_database(url) as db, db.transaction() as tx:
        return await tx.fetchval("SELECT COUNT(*) FROM persons")


async def add_people(url: str, count: int, stop: asyncio.Event | None = None) -> int:
    """Write people one transaction at a time (until `stop`, when given); returns how many were written."""
    written = 0
    async with open_database(url) as db:
        from storage.uow import UnitOfWork

        while written < count and not (stop is not None and stop.is_set()):
            async with db.transaction() as tx:
                await UnitOfWork(tx).people.create(f"Person {written}", NOW)
            written += 1
            await asyncio.sleep(0)
    return written


async def test_a_backup_taken_while_the_bot_writes_is_one_moment_and_restores(database_url, tmp_path, backend):
    async with open_database(database_url) as db:
        await upgrade(db)
    await add_people(database_url, 50)
    stop = asyncio.Event()
    writer = asyncio.create_task(add_people(database_url, 10_000, stop))
    await asyncio.sleep(0.05)
    target = tmp_path / "backup.db"
    counts = await backup(database_url, target)
    stop.set()
    await writer
    # the file holds a committed state: every person whole, as many as some moment had
    copy = sqlite3.connect(target)
    in_copy = copy.execute("SELECT COUNT(*) FROM persons").fetchone()[0]
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT COUNT(*) FROM persons WHERE display_name IS NULL").fetchone()[0] == 0
    copy.close()
    assert counts["persons"] == in_copy and 50 <= in_copy <= await people_count(database_url)
    assert not list(tmp_path.glob(".backup.db.partial*"))

    # restored into an empty database of either kind, row for row
    fresh, schema = new_database_url(backend, tmp_path / "fresh")
    (tmp_path / "fresh").mkdir(exist_ok=True)
    try:
        restored = await restore(target, fresh)
        assert restored["persons"] == in_copy == await people_count(fresh)
        with pytest.raises(CopyError) as refused:  # a database with data is never written over
            await restore(target, fresh)
        assert refused.value.message.key == "copy.problem.target_not_empty"
    finally:
        if schema:
            await drop_schema(schema)


async def test_a_backup_never_overwrites_and_a_foreign_file_is_not_restored(tmp_path):
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    async with open_database(url) as db:
        await upgrade(db)
    (tmp_path / "taken.db").write_text("mine")
    with pytest.raises(CopyError) as exists:
        await backup(url, tmp_path / "taken.db")
    assert exists.value.message.key == "backup.problem.exists"
    assert (tmp_path / "taken.db").read_text() == "mine"
    foreign = sqlite3.connect(tmp_path / "foreign.db")
    foreign.execute("CREATE TABLE notes (x TEXT)")
    foreign.commit()
    foreign.close()
    with pytest.raises(CopyError) as not_ours:
        await restore(tmp_path / "foreign.db", f"sqlite:///{tmp_path / 'empty.db'}")
    assert not_ours.value.message.key == "copy.problem.not_panelist"


def test_the_cli_backs_up_and_restores(tmp_path, monkeypatch, capsys):
    source = tmp_path / "bot.db"
    monkeypatch.setenv("PANELIST_DATABASE_URL", f"sqlite:///{source}")
    asyncio.run(_migrated_with_people(f"sqlite:///{source}", 3))
    assert main(["db", "backup", str(tmp_path / "b.db")]) == 0
    assert "backed up to" in capsys.readouterr().out
    assert main(["db", "backup", str(tmp_path / "b.db")]) == 1
    assert "never overwrites" in capsys.readouterr().err
    monkeypatch.setenv("PANELIST_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    assert main(["db", "restore", str(tmp_path / "b.db")]) == 0
    assert "restored from" in capsys.readouterr().out
    assert asyncio.run(people_count(f"sqlite:///{tmp_path / 'new.db'}")) == 3
    assert main(["db", "restore", str(tmp_path / "b.db")]) == 1
    assert "refused" in capsys.readouterr().err


async def _migrated_with_people(url: str, count: int) -> None:
    async with open_database(url) as db:
        await upgrade(db)
    await add_people(url, count)
