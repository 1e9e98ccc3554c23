"""`panelist person export|forget`: a manager acts on a person's data rights from the shell."""
from __future__ import annotations

import asyncio
import io
import json
import zipfile

from app.cli import main
from tests.flows.console import ConsoleHarness
from storage.db import open_database
from tests.flows.helpers import onboard


async def rows(url: str, sql: str) -> list[dict]:
    async with open_database(url) as db, db.transaction() as tx:
        return await tx.fetch(sql)


async def cli(argv: list[str]) -> int:
    return await asyncio.to_thread(main, argv)


async def test_export_then_forget_from_the_shell(database_url, tmp_path, monkeypatch, capsys):
    chat = ConsoleHarness(database_url)
    async with chat:
        await onboard(chat, "qix", name="Quillon Xerb")
        await chat.send("qix", "/log 1h today")
    monkeypatch.setenv("PANELIST_DATABASE_URL", database_url)
    out = tmp_path / "qix.zip"

    assert await cli(["person", "export", chat.identity("qix"), "--out", str(out)]) == 0
    assert "written to" in capsys.readouterr().out
    person = json.loads(zipfile.ZipFile(io.BytesIO(out.read_bytes())).read("persons.json"))
    assert person[0]["display_name"] == "Quillon Xerb"
    assert await cli(["person", "export", chat.identity("qix"), "--out", str(out)]) == 1  # never over a file

    assert await cli(["person", "forget", "Quillon Xerb"]) == 2
    assert "--yes" in capsys.readouterr().err
    assert await cli(["person", "forget", "Quillon Xerb", "--yes"]) == 0
    names = await rows(database_url, "SELECT display_name FROM persons")
    assert "Quillon Xerb" not in [r["display_name"] for r in names]
    assert await rows(database_url, "SELECT COUNT(*) AS n FROM identities") == [{"n": 0}]
    actions = [r["action"] for r in await rows(database_url, "SELECT action FROM audit_log ORDER BY id")]
    assert "data.exported" in actions and actions[-1] == "person.erased"
