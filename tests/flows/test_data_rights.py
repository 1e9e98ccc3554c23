"""/mydata and /forget on every adapter and backend: a person gets everything stored about them, then erases it.
After the erasure no table holds their name, handle, platform ids or free text; their answers and money stay,
under a pseudonym, with the same totals; a record that the erasure happened stays."""
from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta

from tests.flows.helpers import Clock, ledger, onboard, person_id, rows, setup, watch_files, files_for

NAME = "Zyxwa Qurtzel"
NOTE = "zqnote-private-detail"
CREDENTIALS = "zqcred-board-certified"


async def every_text(chat) -> str:
    """Every row of every table, as text: what a search for a person's traces has to look through."""
    dialect = chat.runtime.db.dialect.name
    sql = ("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'" if dialect == "sqlite"
           else "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()")
    out = []
    for table in [r["name"] for r in await rows(chat.runtime, sql)]:
        out += [f"{table}: {json.dumps(r, default=str, ensure_ascii=False)}"
                for r in await rows(chat.runtime, f"SELECT * FROM {table}")]
    return "\n".join(out)


async def test_my_data_then_forget_with_a_change_of_mind(open_chat):
    clock = Clock()
    chat = await open_chat(clock=clock, erasure_grace_hours=2)
    await setup(chat, "zqx")
    await onboard(chat, "zqx", name=NAME, credentials=CREDENTIALS)
    await chat.send("zqx", f"/log 2h today {NOTE}")
    await chat.send("meg", f"/bonus {chat.identity('zqx')} 12.50 EUR thanks {NAME}")
    money_before = await ledger(chat)
    pid = await person_id(chat, "zqx")
    identity = chat.identity("zqx")
    user_id = identity.rsplit("/", 1)[-1].split(":", 1)[-1]

    # /mydata: a zip with their profile, identities, hours (JSON and CSV) and ledger lines
    watch_files(chat)
    await chat.send("zqx", "/mydata")
    assert "everything Panelist stores about you" in chat.texts("zqx")
    (name, data), = [f for f in files_for(chat, "zqx") if f[0].startswith("panelist-data-")]
    archive = zipfile.ZipFile(io.BytesIO(data))
    files = set(archive.namelist())
    assert {"persons.json", "identities.json", "hours_entries.json", "hours_entries.csv", "ledger_lines.json",
            "audit_log.json", "README.txt"} <= files
    assert json.loads(archive.read("persons.json"))[0]["display_name"] == NAME
    assert NOTE in archive.read("hours_entries.csv").decode()
    assert user_id in archive.read("identities.json").decode()

    # /forget: confirm, change of mind, confirm again; the grace period passes; the tick erases
    await chat.send("zqx", "/forget")
    assert "Kept, without your name" in chat.last("zqx").text
    await chat.press("zqx", "Erase my data")
    assert "will be erased on" in chat.last("zqx").text
    await chat.send("zqx", "/forget")
    await chat.press("zqx", "Cancel the erasure")
    assert "your data stays" in chat.last("zqx").text
    clock.now += timedelta(hours=3)
    await chat.runtime.run_tick(chat.runtime.router.ticks["erasures.due"])
    assert NAME in await every_text(chat)  # cancelled: nothing happened
    await chat.send("zqx", "/forget")
    await chat.press("zqx", "Erase my data")
    clock.now += timedelta(hours=1)
    await chat.runtime.run_tick(chat.runtime.router.ticks["erasures.due"])
    assert NAME in await every_text(chat)  # not due yet
    clock.now += timedelta(hours=2)
    await chat.runtime.run_tick(chat.runtime.router.ticks["erasures.due"])

    everything = await every_text(chat)
    for trace in (NAME, NOTE, CREDENTIALS, identity):
        assert trace not in everything, trace
    # The platform's first name, as a word: a random token (a file id, a signed payload) may hold "Zqx" by chance.
    assert not re.search(r"(?<![A-Za-z0-9_-])Zqx(?![A-Za-z0-9_-])", everything), "the platform's first name"
    assert not re.search(rf"\b{re.escape(user_id)}\b", everything), "a platform id is still stored"
    assert await ledger(chat) == money_before  # same lines, same amounts
    kept = await rows(chat.runtime, "SELECT action, detail FROM audit_log WHERE person_id = $1 AND action ="
                                    " 'person.erased'", pid)
    assert kept == [{"action": "person.erased", "detail": "{}"}]
    (person,) = await rows(chat.runtime, "SELECT display_name FROM persons WHERE id = $1", pid)
    assert person["display_name"].startswith("E-")  # the pseudonym exports already use
