"""/match ranks eligible experts and invites them; each answers Accept or Decline; the manager sees the tally.
Forged presses on someone else's invitation are refused. Every adapter, both backends."""
from __future__ import annotations

import pytest

from tests.flows.helpers import grant, onboard, rows
from tests.flows.tasks_data import seed_project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


async def test_match_invite_accept_decline_and_tally(chat):
    project_id = await seed_project(chat.runtime, "rating_medicine")  # medicine level 2, languages en/es
    await onboard(chat, "meg")
    await grant(chat, "meg", "manager")
    await onboard(chat, "ana", weekly_hours="30")
    await onboard(chat, "bob", weekly_hours="10")
    await onboard(chat, "dee", weekly_hours="40")  # medicine declared (level 1) but the project needs level 2
    await onboard(chat, "cid", domains=["Law"])  # not eligible: wrong domain
    await chat.send("meg", f"/qualify {chat.identity('bob')} medicine 5 senior reviewer")
    await chat.send("meg", f"/qualify {chat.identity('ana')} medicine 2 passed the interview")
    await chat.send("ana", "/match Medication")
    assert "permission" in chat.last("ana").text

    await chat.send("meg", "/match Medication")
    listing = chat.last("meg").text
    assert "Best matches for Medication questions" in listing
    assert "Ana" in listing and "Bob" in listing and "Cid" not in listing and "Dee" not in listing
    assert listing.index("Bob") < listing.index("Ana")  # level 5 outweighs ana's extra free hours
    assert "level 5, 10 h free" in listing and "level 2, 30 h free" in listing
    await chat.press("meg", "Invite the top 2")
    assert "Invited 2 to Medication questions" in chat.texts("meg")
    for user in ("ana", "bob"):
        invitation = chat.last(user).text
        assert "You're invited to Medication questions" in invitation and "per task" in invitation
    assert "invited" not in chat.texts("cid").lower() and "invited" not in chat.texts("dee").lower()

    await chat.press_as("bob", "ana", "Accept")  # a forged press on ana's invitation
    assert "That invitation isn't yours" in chat.texts("bob") or "This button has expired" in chat.texts("bob")
    assert await rows(chat.runtime, "SELECT person_id FROM project_members") == []

    await chat.press("ana", "Accept")
    assert "Welcome to Medication questions" in chat.texts("ana")
    assert "\u2068Ana\u2069 — accepted" in chat.texts("meg")  # a person's name: isolated
    assert "1 accepted, 0 declined, 1 waiting" in chat.texts("meg")
    await chat.press("bob", "Decline")
    assert "1 accepted, 1 declined, 0 waiting" in chat.texts("meg")
    await chat.press_as("ana", "ana", "Accept")  # again, on the old message
    assert "answered this invitation already" in chat.texts("ana") or "expired" in chat.texts("ana")

    members = await rows(chat.runtime, "SELECT person_id FROM project_members WHERE project_id = $1", project_id)
    assert len(members) == 1
    statuses = sorted(r["status"] for r in await rows(chat.runtime, "SELECT status FROM project_invites"))
    assert statuses == ["accepted", "declined"]
    await chat.send("meg", "/match Medication")
    assert "1 accepted, 1 declined, 0 waiting" in chat.last("meg").text
    assert "Ana" not in chat.last("meg").text  # a member is not a candidate any more
    actions = [r["action"] for r in await rows(chat.runtime, "SELECT action FROM audit_log")]
    assert actions.count("project.invited") == 2 and actions.count("project.invite_answered") == 2
