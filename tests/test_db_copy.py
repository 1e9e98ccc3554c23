"""`panelist db copy`: a SQLite deployment seeded by real conversations moves to PostgreSQL (and back), row for row,
and the bot carries on there: half-finished forms continue, old buttons still work, new ids do not collide."""
from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

from bot.core.events import Actor, ButtonPressed, Conversation
from storage.copy import CopyError, _Catalog, copy_database
from storage.db import open_database
from tests.backends import drop_schema, new_database_url, require_postgres
from tests.flows.console import ConsoleHarness

ROOT = Path(__file__).resolve().parent.parent


def answers(name: str, years: int, hours: int) -> dict:
    return {
        "name": name,
        "domains": ["Medicine", "Law"],
        "years": str(years),
        "credentials": "MD, board-certified internist",
        "languages": "Spanish, English",
        "timezone": "Europe/Madrid",
        "weekly_hours": str(hours),
    }


async def seed(url: str) -> dict:
    """The demo data, and a few people through the real runtime: two onboarded, one waiting on the summary,
    one mid-form."""
    chat = ConsoleHarness(url)
    await chat.start()
    payloads: dict[str, str] = {}

    def remember_save(d) -> None:  # the Save button's payload, as the platform would keep it on the message
        from bot.adapters.console.render import render_reply

        message = getattr(d.op, "message", None)
        if message is not None:
            for b in render_reply(message)[1]:
                if str(b.label).startswith("Save") and b.payload:
                    payloads[d.chat_id] = b.payload

    chat.runtime.on_delivered.append(remember_save)
    try:
        from app.demo import seed as demo_seed

        await demo_seed(chat.runtime)  # demo manager and expert, a project of every task type with its tasks
        await chat.send("expert", "/next")  # an assignment, a lease
        for user, name, years in (("ana", "Ana Pérez", 12), ("ben", "Ben Ósk 👋🏽", 3)):
            await chat.send(user, "/start")
            await chat.fill_form(user, answers(name, years, 10 + years))
            assert "your profile is saved" in chat.last(user).text
        await chat.send("bo", "/start")
        await chat.fill_form("bo", answers("Bo", 8, 20), confirm=False)
        assert "Please check your answers" in chat.last("bo").text
        save_payload = payloads["bo"]
        await chat.send("cy", "/start")
        await chat.send("cy", "Cy")
        await chat.press("cy", "Finance")
        await chat.press("cy", "Done")
        await chat.send("ana", "/language")
        await chat.send("ana", "x" * 3000)  # something long and JSON-unfriendly in the inbox payloads
    finally:
        await chat.stop()
    return {"save_payload": save_payload}


async def dump(url: str) -> dict[str, list[dict]]:
    """Every table (but schema_migrations), every row, in primary-key order."""
    out = {}
    async with open_database(url) as db:
        async with db.transaction() as tx:
            cat = _Catalog(tx)
            for table in await cat.tables():
                key = await cat.primary_key(table) or list(await cat.columns(table))
                out[table] = await tx.fetch(f'SELECT * FROM "{table}" ORDER BY {", ".join(key)}')
    return out


def assert_same(a: dict[str, list[dict]], b: dict[str, list[dict]]) -> None:
    assert sorted(a) == sorted(b)
    for table in a:
        assert len(a[table]) == len(b[table]), table
        for left, right in zip(a[table], b[table]):
            assert left == right, f"{table}: {left} != {right}"


@pytest.fixture
async def pg_url(tmp_path):
    require_postgres()
    urls = []

    def make() -> str:
        url, schema = new_database_url("postgres", tmp_path)
        urls.append(schema)
        return url

    yield make
    for schema in urls:
        await drop_schema(schema)


async def test_sqlite_to_postgres_and_back_row_for_row_then_the_bot_carries_on(tmp_path, pg_url):
    source = f"sqlite:///{tmp_path / 'source.db'}"
    seeded = await seed(source)
    before = await dump(source)
    from app.demo import DEMO_PEOPLE

    people = len(DEMO_PEOPLE) + 4  # ana, ben, bo, cy
    assert len(before["persons"]) == people and len(before["inbox"]) > 20 and before["kv"]
    assert before["projects"] and before["tasks"] and before["assignments"]

    target = pg_url()
    counts = await copy_database(source, target, batch=7)  # several batches per table
    assert counts["persons"] == people and counts["inbox"] == len(before["inbox"])
    assert set(counts) == set(before)
    copied = await dump(target)
    assert_same(before, copied)
    ts = copied["inbox"][0]["received_at"]
    assert ts.tzinfo is not None and ts.utcoffset().total_seconds() == 0
    assert json.loads(copied["form_sessions"][-1]["vals"]) == json.loads(before["form_sessions"][-1]["vals"])

    # Back to a fresh SQLite file through the same code path: still identical.
    back = f"sqlite:///{tmp_path / 'back.db'}"
    await copy_database(target, back)
    assert_same(before, await dump(back))

    # The bot runs on the copy.
    chat = ConsoleHarness(target)
    await chat.start()
    try:
        # A button from a message sent before the move (token signed with the copied secret, form version copied).
        base = chat.adapter._base()
        await chat.runtime.handle(ButtonPressed(
            payload=seeded["save_payload"], delivery_id=base["delivery_id"],
            actor=Actor(platform="console", user_id="bo"), conversation=Conversation(platform="console", chat_id="bo")))
        assert "your profile is saved" in chat.last("bo").text
        # Cy continues the half-finished form at the step where it stopped.
        for line in ("12", "CFA", "English", "America/New_York", "9"):
            await chat.send("cy", line)
        assert "Please check your answers" in chat.last("cy").text
        await chat.press("cy", "Save")
        assert "your profile is saved" in chat.last("cy").text
        # Someone new: new rows in every identity-keyed table, ids past the copied ones.
        await chat.send("zed", "/start")
        await chat.fill_form("zed", answers("Zed", 1, 1))
        assert "your profile is saved" in chat.last("zed").text
    finally:
        await chat.stop()
    after = await dump(target)
    assert "handler failed" not in json.dumps([r["error"] for r in after["inbox"]])
    persons = {r["display_name"]: r for r in after["persons"]}
    assert len(after["persons"]) == people + 1 and persons["Bo"]["onboarded_at"] and persons["Cy"]["onboarded_at"]
    assert persons["Zed"]["id"] > max(r["id"] for r in before["persons"])
    for table in ("inbox", "outbox", "form_sessions", "identities", "audit_log"):
        old_ids = {r["id"] for r in before[table]}
        new_rows = [r for r in after[table] if r["id"] not in old_ids]
        assert new_rows, table
        assert min(r["id"] for r in new_rows) > max(old_ids), table


async def test_sqlite_to_any_backend(tmp_path, database_url):
    """The copy on each target backend (the SQLite half runs without PostgreSQL)."""
    source = f"sqlite:///{tmp_path / 'source.db'}"
    await seed(source)
    counts = await copy_database(source, database_url)
    before, after = await dump(source), await dump(database_url)
    assert_same(before, after)
    assert counts == {t: len(rows) for t, rows in before.items()}


async def test_a_target_with_rows_is_refused_and_left_alone(tmp_path, database_url):
    source = f"sqlite:///{tmp_path / 'source.db'}"
    await seed(source)
    await copy_database(source, database_url)
    before = await dump(database_url)
    with pytest.raises(CopyError, match="already has rows"):
        await copy_database(source, database_url)
    assert_same(before, await dump(database_url))


async def test_a_source_behind_on_migrations_is_refused(tmp_path, database_url):
    source = f"sqlite:///{tmp_path / 'source.db'}"
    await seed(source)
    async with open_database(source) as db:
        async with db.transaction() as tx:
            await tx.execute("DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)")
    with pytest.raises(CopyError, match="panelist db upgrade"):
        await copy_database(source, database_url)


async def test_a_missing_or_foreign_source_is_refused(tmp_path, database_url):
    missing = tmp_path / "nowhere" / "old.db"
    with pytest.raises(CopyError, match="no SQLite database"):
        await copy_database(f"sqlite:///{missing}", database_url)
    assert not missing.parent.exists()
    foreign = tmp_path / "foreign.db"
    import sqlite3

    sqlite3.connect(foreign).execute("CREATE TABLE t (x INTEGER)").connection.close()
    with pytest.raises(CopyError, match="not a Panelist database"):
        await copy_database(f"sqlite:///{foreign}", database_url)


async def run_cli(*args: str) -> tuple[int, str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app.cli", *args, cwd=str(ROOT), env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    return proc.returncode, out.decode(), err.decode()


async def test_cli_copies_and_prints_the_counts(tmp_path, pg_url):
    source = f"sqlite:///{tmp_path / 'source.db'}"
    await seed(source)
    target = pg_url()
    code, out, err = await run_cli("db", "copy", "--from", source, "--to", target)
    assert code == 0, err
    before = await dump(source)
    for table, rows in before.items():
        assert f"{table}: {len(rows)} {'row' if len(rows) == 1 else 'rows'}" in out.splitlines()
    assert_same(before, await dump(target))

    code, out, err = await run_cli("db", "copy", "--from", source, "--to", target)
    assert code != 0
    assert "already has rows" in err
