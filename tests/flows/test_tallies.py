"""Live tallies that say who (issue 18, point 2): the ping summary names who answered what and the hours each
offered; a /match batch is one message, edited in place as each invitee accepts or declines. Every adapter, both
backends."""
from __future__ import annotations

import pytest

from tests.flows.helpers import grant, line_with, onboard, rows, setup, edited_in_place, watch_deliveries
from tests.flows.tasks_data import seed_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
FSI, PDI = "\u2068", "\u2069"  # a person's name inside the bot's sentence is isolated


async def test_ping_summary_names_each_answer_and_the_hours_offered(chat):
    await setup(chat, "ana", "bo", "cy")
    deliveries = watch_deliveries(chat)
    await chat.send("meg", "/ping")
    await chat.fill_form("meg", {"target": "A project's experts", "project": "Personal finance",
                                 "question": "Can you take rewrite tasks next week?", "window_hours": "10",
                                 "options": "Only mornings"}, confirm=False)
    await chat.press("meg", "Send ping")
    assert "0 of 3 answered" in chat.last("meg").text

    await chat.press("ana", "Yes")
    assert await edited_in_place(chat, deliveries, "meg")  # the same summary, not a new message
    await chat.press("bo", "Yes, some hours")
    await chat.send("bo", "6")
    assert await edited_in_place(chat, deliveries, "meg")
    summary = chat.last("meg").text
    assert "2 of 3 answered" in summary
    assert line_with(summary, "Yes: 1").endswith(f"{FSI}Ana{PDI}")
    assert line_with(summary, "Yes, some hours: 1").endswith(f"{FSI}Bo{PDI} (6 h)")
    assert f"{FSI}Cy{PDI}" in line_with(summary, "Not answered yet")
    assert "Hours offered: 6" in summary

    await chat.press("cy", "Only mornings")
    summary = chat.last("meg").text
    assert "3 of 3 answered" in summary and "Not answered yet" not in summary
    assert line_with(summary, "Only mornings: 1").endswith(f"{FSI}Cy{PDI}")
    assert line_with(summary, "Yes: 1").endswith(f"{FSI}Ana{PDI}")  # earlier answers stay named


async def test_match_batch_is_one_message_edited_as_people_answer(chat):
    project_id = await seed_project(chat.runtime, "rating_medicine")  # medicine level 2
    await onboard(chat, "meg")
    await grant(chat, "meg", "manager")
    await onboard(chat, "ana", weekly_hours="30")
    await onboard(chat, "bob", weekly_hours="10")
    await chat.send("meg", f"/qualify {chat.identity('bob')} medicine 5 senior reviewer")
    await chat.send("meg", f"/qualify {chat.identity('ana')} medicine 2 passed the interview")
    await chat.send("meg", "/match Medication")
    await chat.press("meg", "Invite the top 2")
    batch = chat.last("meg").text
    assert "Invited 2 to Medication questions" in batch
    assert f"{FSI}Ana{PDI} — waiting" in batch and f"{FSI}Bob{PDI} — waiting" in batch
    assert "0 accepted, 0 declined, 2 waiting" in batch

    deliveries = watch_deliveries(chat)
    await chat.press("ana", "Accept")
    assert await edited_in_place(chat, deliveries, "meg")  # the batch's message, edited
    batch = chat.last("meg").text
    assert f"{FSI}Ana{PDI} — accepted" in batch and f"{FSI}Bob{PDI} — waiting" in batch
    assert "1 accepted, 0 declined, 1 waiting" in batch
    await chat.press("bob", "Decline")
    assert await edited_in_place(chat, deliveries, "meg")
    batch = chat.last("meg").text
    assert f"{FSI}Ana{PDI} — accepted" in batch and f"{FSI}Bob{PDI} — declined" in batch
    assert "1 accepted, 1 declined, 0 waiting" in batch
    # no note of its own per answer: everything the manager got since the invitations went out was that message
    to_meg = [d for d in deliveries if d.op.kind in ("send", "edit") and d.person_id is not None
              and "Invited 2" not in str(d.op.message)]
    assert not [d for d in to_meg if "accepted the invitation" in str(d.op.message)]

    refs = await rows(chat.runtime, "SELECT DISTINCT tally_ref FROM project_invites WHERE project_id = $1", project_id)
    assert len(refs) == 1 and refs[0]["tally_ref"]
