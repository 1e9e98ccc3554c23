"""Nothing lost, nothing doubled: restarts, redeliveries, crashes between ack and processing, double presses."""
from __future__ import annotations

import asyncio

import pytest

from domain.identity import parse_identity
from storage.db import open_database
from tests.flows.adapters import ADAPTERS
from tests.flows.helpers import PROFILE, cmd, link_code, second_platform, stored_person


async def count(url: str, sql: str, *args) -> int:
    async with open_database(url) as db:
        async with db.transaction() as tx:
            return int(await tx.fetchval(sql, *args))


async def test_restart_mid_onboarding_continues_at_the_same_step(chat, database_url):
    if getattr(chat, "forms_as_modals", False):
        pytest.skip("On Slack `/panelist start` opens this form as a modal (the slash command carries a trigger id): answers typed into an open modal stay in the Slack client until it is submitted, and there is no 'Step 4 of 7' message to resume at; Slack drafts are covered by tests/test_slack_adapter.py::test_modal_errors_keep_the_draft_and_reopen_filled")
    await chat.send("ana", "/start")
    await chat.send("ana", "Ana")
    await chat.press("ana", "Medicine")
    await chat.press("ana", "Done")
    await chat.send("ana", "9")
    await chat.restart()
    chat.clear("ana")
    await chat.send("ana", "/start")
    text = chat.texts("ana")
    assert "continue where you stopped" in text and "Credentials" in text and "Step 4 of 7" in text
    for value in ("MD", "English", "UTC", "5"):
        await chat.send("ana", value)
    await chat.press("ana", "Save")
    person = await stored_person(database_url, "Ana")
    assert person["profile"]["domains"] == ["medicine"] and person["profile"]["years"] == 9


async def test_double_press_on_save_completes_once(chat, database_url):
    await chat.send("bo", "/start")
    await chat.fill_form("bo", {**PROFILE, "name": "Bo"}, confirm=False)
    await asyncio.gather(chat.press("bo", "Save"), chat.press("bo", "Save"))
    assert await count(database_url, "SELECT COUNT(*) FROM audit_log WHERE action = 'profile.saved'") == 1
    assert await count(database_url, "SELECT COUNT(*) FROM form_sessions WHERE status = 'completed'") == 1
    assert "your profile is saved" in chat.texts("bo")


async def test_admin_from_settings_grants_and_role_gates(open_chat, adapter_name, database_url):
    chat = await open_chat(admins=ADAPTERS[adapter_name].identity("root"))
    await chat.send("mia", "/start")  # mia exists now
    await chat.send("mia", "/grant manager " + chat.identity("root"))
    assert "permission" in chat.last("mia").text
    await chat.send("root", "/grant manager " + chat.identity("mia"))
    assert "now has the role manager" in chat.last("root").text
    assert "You have been given the role manager" in chat.texts("mia")
    await chat.send("root", "/grant manager " + chat.identity("mia"))
    assert "already have the role" in chat.last("root").text
    await chat.send("root", "/grant wizard " + chat.identity("mia"))
    assert "Usage: " + cmd(chat, "grant") in chat.last("root").text
    await chat.send("root", "/grant manager telegram:not-a-number")
    assert "is not an identity" in chat.last("root").text
    await chat.send("root", "/revoke admin " + chat.identity("root"))
    assert "can't take away your own admin role" in chat.last("root").text
    await chat.send("root", "/help")
    assert cmd(chat, "grant") in chat.last("root").text
    assert await count(database_url, "SELECT COUNT(*) FROM roles WHERE role = 'manager'") == 1
    assert await count(database_url, "SELECT COUNT(*) FROM audit_log WHERE action = 'role.granted'") == 2  # admin + manager


async def test_link_joins_a_second_identity_once(chat, database_url):
    async with second_platform(chat) as other:
        await chat.send("ana", "/link")
        code = link_code(chat.last("ana").text)
        await other.send("ana", "/link " + code.lower())
        await chat.press("ana", "Confirm")
        assert "Linked" in other.last("ana").text
        await other.send("eve", "/link " + code)
        assert "expired or was already used" in other.last("eve").text
        await other.send("eve", "/link <script>")
        assert "doesn't look like a link code" in other.last("eve").text
        keys = [parse_identity(h.identity(u)) for h, u in ((chat, "ana"), (other, "ana"), (other, "eve"))]
        owners = [await count(database_url, "SELECT person_id FROM identities WHERE platform = $1 AND workspace = $2"
                                            " AND user_id = $3", *k) for k in keys]
    assert owners[0] == owners[1] != owners[2]
