"""A person's name or answer holding a RIGHT-TO-LEFT OVERRIDE reaches a manager and a reviewer inside a Unicode
isolate (FSI … PDI) with the override closed, so the bot's words after it stay outside — every adapter."""
from __future__ import annotations

import csv
import io
import re

import pytest

from tests.flows.helpers import answer_one, files_for, grant, line_with, name_person, setup, watch_files
from tests.flows.tasks_data import ANSWERS, add_member

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

FSI, PDI, RLO, PDF = "\u2068", "\u2069", "\u202e", "\u202c"
EVIL = RLO + "evil"
SHOWN = FSI + RLO + "evil" + PDF + " (@ana)" + PDI  # the name, closed, and the handle: as every platform must show it
CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def after_isolate(line: str, isolated: str) -> str:
    """What follows `isolated` on a `line` that starts with it (bold on the console and Slack: `*` around it)."""
    assert line.count(FSI) == 1 and line.count(PDI) == 1, f"one isolate expected in {line!r}"
    before, after = line.split(isolated, 1)
    assert before in ("", "*"), line
    return after.removeprefix(before)


async def test_a_manager_sees_an_override_in_a_name_isolated(chat):
    await setup(chat, "ana")
    await name_person(chat, "ana", EVIL)
    await chat.send("ana", "/log 2h today")
    await chat.send("meg", "/approvals")
    shown = chat.last("meg")
    line = line_with(shown.text, "evil")
    rest = after_isolate(line, SHOWN)
    assert rest.startswith(" — week of ") and not CONTROLS.search(rest)  # the bot's words: outside, untouched
    assert f"Approve {SHOWN}" in shown.buttons and f"Reject {SHOWN}" in shown.buttons
    await chat.press("meg", f"Approve {SHOWN}")
    assert "1 entry approved" in chat.texts("meg")

    # the statements CSV is data, not display: the name exactly as stored, no marks
    watch_files(chat)
    await chat.send("meg", "/payouts close this week")
    (_, data), = [f for f in files_for(chat, "meg") if f[0].startswith("statements-")]
    (row,) = csv.DictReader(io.StringIO(data.decode("utf-8")))
    assert row["person"] == EVIL
    await chat.send("meg", "/payouts")
    line = line_with(chat.last("meg").text, "evil")
    assert re.search("Statement #\\d+: " + re.escape(SHOWN) + ", €80\\.00, ", line), line


async def test_a_reviewer_sees_an_override_in_an_answer_isolated_and_a_manager_in_stats(chat):
    project_id = await setup(chat, "ana")
    await name_person(chat, "ana", EVIL)
    await chat.send("rev", "/help")
    await grant(chat, "rev", "reviewer")
    await add_member(chat.runtime, project_id, chat.identity("rev"))
    why = ANSWERS["rewrite_finance"]["what_was_wrong"]
    await answer_one(chat, "ana", "rewrite_finance", {**ANSWERS["rewrite_finance"], "what_was_wrong": RLO + why})

    await chat.send("rev", "/review")
    shown = chat.last("rev").text
    assert "evil" not in shown  # reviewers see a pseudonym, never the name
    line = line_with(shown, why[:20])
    label, answer = line.split(FSI, 1)
    assert label in ("*What was wrong with the original?* ", "What was wrong with the original? "), line
    assert FSI + answer == FSI + RLO + why + PDF + PDI  # the answer is one isolate to the end of its line

    await chat.send("meg", "/stats Personal finance")
    line = line_with(chat.last("meg").text, "evil")
    rest = after_isolate(line, SHOWN)
    assert rest.startswith(" — ") and not CONTROLS.search(rest)
