"""Small builders shared by handlers, so each handler reads as what it says."""
from __future__ import annotations

from typing import Any, Iterable

from bot.core.blocks import Buttons, Reply, button, text
from bot.core.operations import SendMessage
from bot.i18n.text import UserText, msg, user_text
from handlers.shared.actions import RunCommand


def say(key: str, count: int | None = None, **params: Any) -> SendMessage:
    return SendMessage(message=Reply(blocks=[text(msg(key, count=count, **params))]))


def command_buttons(*names: str) -> Buttons:
    """Buttons that run commands, so nobody has to remember syntax."""
    row = [button(msg(f"command.{n}.button"), RunCommand(command=n)) for n in names]
    return Buttons(rows=[row[i:i + 3] for i in range(0, len(row), 3)])


def joined(texts: Iterable[str], sep: str = ", ") -> list[str | UserText]:
    """People's texts (names) for one paragraph, each its own isolate, `sep` between them: spread into `text(...)`."""
    pieces: list[str | UserText] = []
    for i, t in enumerate(texts):
        if i:
            pieces.append(sep)
        pieces.append(user_text(t))
    return pieces
