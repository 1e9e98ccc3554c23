"""`panelist audit`: who did what, when, by person and period, with everyone named; what was done to a person is
theirs too (a grant names them in its detail)."""
from __future__ import annotations

import asyncio

from app.cli import main
from tests.flows.console import ConsoleHarness


async def cli(argv: list[str]) -> int:
    """The command as an operator runs it (its own event loop, so in a thread of its own here)."""
    return await asyncio.to_thread(main, argv)


async def test_a_grant_is_told_for_the_one_who_gave_it_and_the_one_who_got_it(database_url, monkeypatch, capsys):
    chat = ConsoleHarness(database_url, admins=ConsoleHarness.identity("root"))
    async with chat:
        await chat.send("root", "/start")
        await chat.send("mia", "/start")
        await chat.send("leo", "/start")
        await chat.send("root", "/grant manager " + chat.identity("mia"))
        await chat.send("root", "/grant reviewer " + chat.identity("leo"))
    monkeypatch.setenv("PANELIST_DATABASE_URL", database_url)

    assert await cli(["audit", "--action", "role.granted"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if "role.granted" in line]
    assert len(lines) == 3, lines  # root made admin by configuration, then the two grants root gave
    assert "role=admin by=configuration" in lines[0]
    assert "role=manager to=@mia #" in lines[1] and lines[1].split("  ")[1].startswith("@root #")
    assert "role=reviewer to=@leo #" in lines[2]

    assert await cli(["audit", "--person", chat.identity("mia")]) == 0
    mine = capsys.readouterr().out.splitlines()
    assert any("role=manager" in line for line in mine)  # done to her
    assert not any("role=reviewer" in line for line in mine)  # done to someone else
    assert any("person.created" in line and line.split("  ")[1].startswith("@mia") for line in mine)

    assert await cli(["audit", "--person", "nobody-at-all"]) == 2
    assert "nobody is named" in capsys.readouterr().err
    assert await cli(["audit", "--since", "2001-01-01", "--until", "2001-01-02"]) == 0
    assert "nothing in the audit log" in capsys.readouterr().err
