"""Drive whole conversations through a real adapter, the same way on every platform.

A harness starts the runtime (real storage), its adapter and, for Telegram and Slack, the loopback platform
stand-in; then a test speaks as people: `await chat.send("ana", "/start")`, `await chat.press("ana", "Done")`,
`await chat.fill_form("ana", {...})`, and reads what each person received with `chat.last("ana")`.
`ADAPTERS` lists the harness factories flow tests are parametrized over.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any

from app.wiring import build_runtime
from app.settings import Settings


@dataclass
class Received:
    text: str
    buttons: list[str] = field(default_factory=list)
    kind: str = "message"  # message | notice | form | form_errors | home | file
    payloads: list[str] = field(default_factory=list, repr=False)  # what each button carries, when known


class ChatHarness(abc.ABC):
    platform: str

    def __init__(self, database_url: str, admins: str = "", clock=None, **settings: Any) -> None:
        self.database_url = database_url
        self.settings = Settings(database_url=database_url, admins=admins, **settings)
        self.clock = clock
        self.runtime = None
        self.inbox: dict[str, list[Received]] = {}

    async def start(self) -> "ChatHarness":
        kwargs = {"clock": self.clock} if self.clock else {}
        self.runtime = build_runtime(self.settings, **kwargs)
        await self.runtime.start()
        await self._start_adapter()
        return self

    async def restart(self) -> None:
        """Stop everything and start again on the same database: what a deploy or crash-restart does."""
        await self.stop()
        await self.start()

    async def stop(self) -> None:
        await self._stop_adapter()
        if self.runtime is not None:
            await self.runtime.stop()
            self.runtime = None

    async def __aenter__(self) -> "ChatHarness":
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # what a person receives --------------------------------------------------------------------------
    def received(self, user: str) -> list[Received]:
        return self.inbox.setdefault(user, [])

    def last(self, user: str, kind: str | None = "message") -> Received:
        items = [r for r in self.received(user) if kind is None or r.kind == kind]
        assert items, f"{user} received nothing of kind {kind}"
        return items[-1]

    def texts(self, user: str) -> str:
        return "\n".join(r.text for r in self.received(user))

    def clear(self, user: str | None = None) -> None:
        if user is None:
            self.inbox.clear()
        else:
            self.inbox[user] = []

    # what a person does ------------------------------------------------------------------------------
    @abc.abstractmethod
    async def send(self, user: str, line: str) -> None:
        """A typed line: a command (`/name args`) or free text."""

    @abc.abstractmethod
    async def press(self, user: str, label: str) -> None:
        """Press the button whose label contains `label` on the newest message that has one."""

    async def press_as(self, presser: str, owner: str, label: str) -> None:
        """A forged press: `presser` sends the payload of a button that was sent to `owner`."""
        raise NotImplementedError(f"{type(self).__name__} cannot forge presses yet")

    @abc.abstractmethod
    async def upload(self, user: str, filename: str, data: bytes, caption: str = "") -> None: ...

    @abc.abstractmethod
    async def fill_form(self, user: str, answers: dict[str, Any], confirm: bool = True) -> None:
        """Answer the open form: values are typed text, option labels, or lists of option labels."""

    @abc.abstractmethod
    async def _start_adapter(self) -> None: ...

    @abc.abstractmethod
    async def _stop_adapter(self) -> None: ...

    def refusals(self) -> list:
        """What the platform stand-in refused (must stay empty)."""
        return []

    @classmethod
    def identity(cls, user: str) -> str:
        """How PANELIST_ADMINS and /grant name this user on this platform (known before a harness starts)."""
        raise NotImplementedError

    # shared helpers ---------------------------------------------------------------------------------
    def _find_button(self, user: str, label: str, anywhere: bool = False) -> tuple[int, int]:
        for i in range(len(self.received(user)) - 1, -1, -1):
            item = self.received(user)[i]
            exact = [j for j, b in enumerate(item.buttons) if b.casefold() == label.casefold()]
            if exact:
                return i, exact[0]
            for j, b in enumerate(item.buttons):
                if label.casefold() in b.casefold():
                    return i, j
            if item.buttons and item.kind == "message" and not anywhere:
                break  # only the newest message with buttons counts, as a person would see it
        raise AssertionError(f"no button {label!r} for {user}; last: {self.received(user)[-1:]}")
