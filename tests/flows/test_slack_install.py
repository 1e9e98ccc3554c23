"""Slack installs (issue 17, point 4): a member id alone in PANELIST_ADMINS names a first admin while the install
has one workspace; modals name no step button. Slack only, both backends."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from tests.flows.adapters import ADAPTERS
from tests.flows.helpers import PROFILE, grant

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


# The wizard's step buttons, which a modal does not have (it has its submit and close buttons only).
STEP_BUTTONS = {"Done", "Skip", "Back", "Stop for now", "Listo", "Omitir", "Atrás", "Parar por ahora"}


def texts_of(view) -> list[str]:
    """Every text a person reads in a Slack view: titles, labels, hints, options, sections."""
    if isinstance(view, dict):
        return [t for k, v in view.items() for t in ([v] if k == "text" and isinstance(v, str) else texts_of(v))]
    if isinstance(view, list):
        return [t for v in view for t in texts_of(v)]
    return []


def step_buttons_named(view: dict) -> list[str]:
    own = {(view.get(k) or {}).get("text") for k in ("submit", "close")}
    return sorted({f"{name!r} in {t!r}" for t in texts_of(view) for name in STEP_BUTTONS - own
                   if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", t)})


async def test_modal_texts_name_only_the_modals_own_buttons(open_chat, adapter_name):
    """A form shown whole has no Done, Skip or Back: its help is the `.modal` variant (issue 17, point 4)."""
    if adapter_name != "slack":
        pytest.skip("only slash commands open forms as modals")
    chat = await open_chat()
    await chat.send("ada", "/start")
    await chat.fill_form("ada", {**PROFILE, "name": "Ada"})
    await grant(chat, "ada", "manager")
    for language in ("en", "es"):
        await chat.send("ada", f"/language {language}")
        for line in ("/profile_edit", "/ping", "/broadcast"):
            opened = len(chat.standin.views)
            await chat.send("ada", line)
            assert len(chat.standin.views) == opened + 1, f"{line} opened no modal: {chat.last('ada').text}"
            await chat.close_modal("ada")
    modals = [v for v in chat.standin.views.values() if v.get("type") == "modal"]
    assert len(modals) >= 7, len(modals)
    assert any("Choose every field you could judge professionally" in t for v in modals for t in texts_of(v))
    wrong = [w for v in modals for w in step_buttons_named(v)]
    assert not wrong, "\n".join(wrong)
