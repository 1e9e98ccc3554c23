"""Every command a reply names is written as the person's platform runs it (issue 17, point 3): `/panelist next` on
Slack (both modes: slash commands and DMs), `/next` on Telegram and the console, in /help, usage lines, hints,
typo suggestions and their buttons. Every adapter, both backends."""
from __future__ import annotations

import re

import pytest

from tests.flows.helpers import grant, onboard

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# A slash after a space, quote, parenthesis or line start, then a word: how a command is written.
SLASHED = re.compile(r"(?<![\w/:.])/([a-z][a-z_]*)(?: ([a-z][a-z_]*))?")

# Typed by an admin who is also a manager: help, usage errors, hints, an unknown command, a typo.
LINES = ["/help", "/grant wizard nobody", "/addexpert", "/log", "/timer stop", "/bonus", "/adjust", "/rate",
         "/payouts close whenever", "/qualify", "/unqualify", "/match", "/export", "/frobnicate", "/nxet",
         "what now?"]
# Commands those replies must name (a reply that stopped naming them would hide a wrong form).
NAMED = {"help", "grant", "addexpert", "log", "timer", "bonus", "adjust", "rate", "payouts", "qualify", "unqualify",
         "match", "export", "next", "frobnicate", "profile"}


async def test_every_command_reference_is_written_the_platforms_way(chat):
    await onboard(chat, "ada")
    await grant(chat, "ada", "admin")
    await grant(chat, "ada", "manager")
    chat.clear("ada")
    for line in LINES:
        await chat.send("ada", line)
    shown = "\n".join([chat.texts("ada")] + [b for r in chat.received("ada") for b in r.buttons])

    refs = SLASHED.findall(shown)
    if chat.platform == "slack":
        bare = sorted({f"/{first}" for first, _ in refs if first != "panelist"})
        assert not bare, f"commands not written as /panelist NAME on Slack: {bare}\n{shown}"
        named = {second for _, second in refs}
    else:
        assert "/panelist" not in shown, shown
        named = {first for first, _ in refs}
    assert NAMED <= named, f"missing {sorted(NAMED - named)}\n{shown}"
