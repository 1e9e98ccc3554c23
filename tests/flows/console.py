"""The console adapter under the flow harness."""
from __future__ import annotations

from typing import Any

from bot.adapters.console.adapter import ConsoleAdapter
from bot.adapters.console.render import render_reply
from bot.core.operations import Delivery, EditMessage, FormErrors, Notice, PublishHome, SendMessage
from tests.flows.harness import ChatHarness, Received


class ConsoleHarness(ChatHarness):
    platform = "console"

    async def _start_adapter(self) -> None:
        self.adapter = ConsoleAdapter(self.runtime, write=lambda line: None)
        self.runtime.on_delivered.append(self._record)

    async def _stop_adapter(self) -> None:
        pass

    @classmethod
    def identity(cls, user: str) -> str:
        return f"console:{user}"

    def _record(self, d: Delivery) -> None:
        op = d.op
        if isinstance(op, Notice):
            self.received(d.chat_id).append(Received(text=str(op.text), kind="notice"))
        elif isinstance(op, FormErrors):
            self.received(d.chat_id).append(Received(text="\n".join(map(str, op.errors.values())), kind="form_errors"))
        elif isinstance(op, (SendMessage, EditMessage, PublishHome)):
            body, buttons = render_reply(op.message)
            kind = "home" if isinstance(op, PublishHome) else "message"
            self.received(d.chat_id).append(Received(text=body, buttons=[str(b.label) for b in buttons], kind=kind,
                                                     payloads=[b.payload or "" for b in buttons]))

    async def send(self, user: str, line: str) -> None:
        self.adapter.speaker = user
        # A flow's typed line is always text or a command, never a button press by number.
        event = self.adapter.event_for(line)
        if event.kind == "button":
            from bot.core.events import TextEvent

            event = TextEvent(text=line, delivery_id=event.delivery_id, actor=event.actor, conversation=event.conversation)
        await self.runtime.handle(event)

    async def press(self, user: str, label: str) -> None:
        self.adapter.speaker = user
        i, j = self._find_button(user, label)
        from bot.core.events import ButtonPressed

        await self.runtime.handle(ButtonPressed(payload=self.received(user)[i].payloads[j], **self.adapter._base()))

    async def press_as(self, presser: str, owner: str, label: str) -> None:
        i, j = self._find_button(owner, label, anywhere=True)
        payload = self.received(owner)[i].payloads[j]
        self.adapter.speaker = presser
        from bot.core.events import ButtonPressed

        await self.runtime.handle(ButtonPressed(payload=payload, **self.adapter._base()))

    async def upload(self, user: str, filename: str, data: bytes, caption: str = "") -> None:
        self.adapter.speaker = user
        event = await self.adapter.file_event(filename, data)
        await self.runtime.handle(event.model_copy(update={"caption": caption}) if caption else event)

    async def fill_form(self, user: str, answers: dict[str, Any], confirm: bool = True) -> None:
        await wizard_fill(self, user, answers, confirm)


async def wizard_fill(chat: ChatHarness, user: str, answers: dict[str, Any], confirm: bool) -> None:
    """Walk a wizard as a person would: a value that is a button label on the current step is pressed,
    a list toggles each label then presses Done, None presses Skip, ("file", name, bytes) sends that file, anything
    else is typed."""
    for value in answers.values():
        if value is None:
            await chat.press(user, "Skip")
        elif isinstance(value, tuple) and value and value[0] == "file":
            await chat.upload(user, value[1], value[2])
        elif isinstance(value, list):
            for label in value:
                await chat.press(user, label)
            await chat.press(user, "Done")
        elif isinstance(value, tuple) and value and value[0] == "press":
            await chat.press(user, value[1])
        elif _is_button(chat, user, str(value)):
            await chat.press(user, str(value))
        else:
            await chat.send(user, str(value))
    if confirm:
        await chat.press(user, "Save")


def _is_button(chat: ChatHarness, user: str, label: str) -> bool:
    for item in reversed(chat.received(user)):
        if item.kind == "message" and item.buttons:
            return any(b.casefold() == label.casefold() for b in item.buttons)
    return False
