"""/help lists what a role does most first, and after /language the Telegram command menu of that chat follows the
new language (issue 16, point 15). Every adapter, both backends."""
from __future__ import annotations

import re

import pytest

from tests.flows.helpers import cmd, grant, onboard

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

EXPERT_FIRST = ["next", "projects", "drafts", "log", "earnings"]


def listed(chat, help_text: str) -> list[str]:
    """The commands of a /help reply, in the order shown, by name; each written as the platform writes it."""
    refs = re.findall(r"^`?(/[a-z_]+(?: [a-z_]+)?)`? — ", help_text, flags=re.M)
    names = [ref.rsplit(" ", 1)[-1].lstrip("/") for ref in refs]
    assert refs == [cmd(chat, n) for n in names], refs
    return names


async def test_an_expert_sees_their_daily_commands_first_and_a_manager_theirs(chat):
    await onboard(chat, "ana")
    await chat.send("ana", "/help")
    shown = listed(chat, chat.last("ana").text)
    assert shown[:5] == EXPERT_FIRST, shown
    assert shown.index("earnings") < shown.index("profile") < shown.index("help")
    assert "progress" not in shown and "grant" not in shown  # what they may not run is not listed

    await onboard(chat, "meg")
    await grant(chat, "meg", "manager")
    await chat.send("meg", "/help")
    shown = listed(chat, chat.last("meg").text)
    assert shown[:3] == ["progress", "review", "approvals"], shown
    assert shown.index("broadcast") < shown.index("next") < shown.index("profile")
    assert "grant" not in shown

    await chat.send("meg", "/language es")
    await chat.send("meg", "/help")
    assert listed(chat, chat.last("meg").text)[:3] == ["progress", "review", "approvals"]  # the order is the role's


async def test_after_language_the_chats_command_menu_speaks_it(chat):
    await onboard(chat, "bea")
    await chat.send("bea", "/language")
    await chat.press("bea", "Español")
    assert "te hablaré en español" in chat.last("bea").text
    api = getattr(chat, "api", None)
    if api is None:  # console and Slack have no per-chat menu: the operation shows nothing there
        assert "setMyCommands" not in chat.texts("bea")
        return
    spanish = api.chat_menu(chat.user_id("bea"))  # setMyCommands with BotCommandScopeChat, no language_code
    assert spanish, api.commands.keys()
    assert [c["command"] for c in spanish[:5]] == EXPERT_FIRST
    descriptions = {c["command"]: c["description"] for c in spanish}
    assert descriptions["language"] == "elegir tu idioma"
    assert "progress" not in descriptions  # only what this person may run

    await chat.send("bea", "/language en")
    english = api.chat_menu(chat.user_id("bea"))
    assert [c["command"] for c in english] == [c["command"] for c in spanish]
    assert {c["command"]: c["description"] for c in english}["language"] == "choose your language"
