"""Slack installs (issue 17, point 4): a member id alone in PANELIST_ADMINS names a first admin while the install
has one workspace. Slack only (both modes), both backends."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.flows.adapters import ADAPTERS

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def member_id(adapter_name: str, user: str) -> str:
    return ADAPTERS[adapter_name].identity(user).rsplit("/", 1)[1]  # slack:TEAM/U… → U…


def slack_only(adapter_name: str) -> None:
    if not adapter_name.startswith("slack"):
        pytest.skip("a member id without its workspace is Slack's (Telegram ids are global already)")


async def test_a_member_id_alone_makes_a_first_admin_in_a_one_workspace_install(open_chat, adapter_name):
    slack_only(adapter_name)
    chat = await open_chat(admins=f"{member_id(adapter_name, 'root')}, slack:{member_id(adapter_name, 'sam')}")
    await chat.send("mia", "/start")  # mia exists now, and she is no admin
    await chat.send("mia", "/grant manager " + chat.identity("mia"))
    assert "permission" in chat.last("mia").text
    for admin in ("root", "sam"):  # `U…` and `slack:U…`
        await chat.send(admin, "/grant reviewer " + chat.identity("mia"))
        assert "permission" not in chat.last(admin).text
    assert "You have been given the role reviewer" in chat.texts("mia")


async def test_a_member_id_alone_admits_nobody_once_a_second_workspace_is_seen(open_chat, adapter_name):
    slack_only(adapter_name)
    chat = await open_chat(admins=member_id(adapter_name, "root"))
    now = datetime.now(timezone.utc)
    async with chat.runtime.db.transaction() as tx:  # someone from another workspace of an org-wide install
        pid = await tx.fetchval("INSERT INTO persons (display_name, created_at) VALUES ('other', $1) RETURNING id", now)
        await tx.execute("INSERT INTO identities (person_id, platform, workspace, user_id, last_seen_at)"
                         " VALUES ($1, 'slack', 'T0OTHER', 'U0OTHER', $2)", pid, now)
    await chat.send("mia", "/start")
    await chat.send("root", "/grant manager " + chat.identity("mia"))
    assert "permission" in chat.last("root").text  # U… alone no longer says which workspace's member
