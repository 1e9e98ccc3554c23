"""`panelist project pause|resume|close|deadline|edit` (issue 18, point 10): the same changes as `/project …` in
chat, resolving the project like chat does; members are told by the bot's reminder tick (one reminder each, due
now). Both backends."""
from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from storage.db import open_database
from storage.uow import UnitOfWork

DATA = Path(__file__).resolve().parent / "data"
NAME = "Medication questions — rating"


async def _fetch(url: str, sql: str, *args) -> list[dict]:
    async with open_database(url) as db:
        async with db.transaction() as tx:
            return await tx.fetch(sql, *args)


async def _member(url: str) -> int:
    async with open_database(url) as db:
        async with db.transaction() as tx:
            uow = UnitOfWork(tx)
            person = await uow.people.create("Ana", datetime.now(timezone.utc))
            project = (await uow.projects.names())[0][0]
            await uow.projects.add_member(project, person.id, None, datetime.now(timezone.utc))
            return person.id


def _news(url: str) -> list[str]:
    got = asyncio.run(_fetch(url, "SELECT payload FROM reminders WHERE kind = 'project_news' ORDER BY id"))
    return [r["payload"] for r in got]


def test_cli_pauses_resumes_moves_the_deadline_edits_and_closes(database_url, capsys, monkeypatch, tmp_path):
    from app.cli import main

    monkeypatch.setenv("PANELIST_DATABASE_URL", database_url)
    assert main(["project", "create", str(DATA / "specs" / "rating_medicine.yaml")]) == 0
    member = asyncio.run(_member(database_url))
    capsys.readouterr()

    assert main(["project", "pause", "medication"]) == 0
    assert f"'{NAME}' is paused; 1 member will be told" in capsys.readouterr().out
    assert main(["project", "pause", "medication"]) == 1
    assert "is paused already" in capsys.readouterr().err
    assert main(["project", "resume", "medication"]) == 0
    assert len(_news(database_url)) == 2 and '"resumed"' in _news(database_url)[1]

    day = date.today() + timedelta(days=30)
    assert main(["project", "deadline", "medication", day.isoformat()]) == 0
    assert f"is now {day.isoformat()}T23:59:59+00:00" in capsys.readouterr().out
    assert main(["project", "deadline", "medication", "2020-01-01"]) == 1
    assert "must be in the future" in capsys.readouterr().err

    text = tmp_path / "instructions.txt"
    text.write_text("Rate each answer; quote the passage for every low score.", encoding="utf-8")
    assert main(["project", "edit", "medication", str(text)]) == 0
    out = capsys.readouterr().out
    assert "version 2 of the instructions" in out and "  instructions" in out
    assert main(["project", "edit", "medication", str(text)]) == 1  # the same text again changes nothing
    assert "changes nothing" in capsys.readouterr().err
    spec = tmp_path / "rating.yaml"
    spec.write_bytes((DATA / "specs" / "rating_medicine.yaml").read_bytes().replace(b"overlap: 3", b"overlap: 4"))
    assert main(["project", "edit", "medication", str(spec)]) == 1
    assert "but not: overlap" in capsys.readouterr().err
    owed = asyncio.run(_fetch(database_url, "SELECT version FROM instruction_acks WHERE person_id = $1"
                                            " AND acknowledged_at IS NULL", member))
    assert [r["version"] for r in owed] == [2]

    assert main(["project", "close", "medication"]) == 0
    out = capsys.readouterr().out
    assert "is closed" in out and "items that still wanted answers: 0" in out  # no tasks were imported
    assert main(["project", "resume", "medication"]) == 1
    assert "is closed" in capsys.readouterr().err
    assert main(["project", "pause", "astrology"]) == 2
    assert "no project named 'astrology'" in capsys.readouterr().err
    assert len(_news(database_url)) == 5  # paused, resumed, deadline, edited, closed
