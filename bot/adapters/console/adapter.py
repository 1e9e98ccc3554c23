"""The console adapter: one terminal, several demo people. `/as manager` switches who is typing.

Typing a number presses that numbered button of the last message; when that message asked for a typed
answer, a bare number is the answer and `#N` presses a button.
"""
from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Callable

from bot.core.adapter import DeliveryProgress
from bot.core.blocks import Button, Reply
from bot.core.events import Actor, ButtonPressed, CommandEvent, Conversation, FileUploaded, TextEvent
from bot.core.operations import Delivery, EditMessage, FormErrors, Notice, PublishHome, SendMessage
from bot.adapters.console import CONSOLE
from bot.adapters.console.render import file_name, media_to_save, render_reply

PLATFORM = "console"


class ConsoleAdapter:
    platform = PLATFORM
    capabilities = CONSOLE

    def __init__(self, runtime, write: Callable[[str], None], speaker: str = "expert",
                 files_dir: Path | None = None, locale_hint: str | None = None) -> None:
        self.runtime = runtime
        self.write = write
        self.speaker = speaker
        self.files_dir = files_dir
        self.locale_hint = locale_hint
        self._last: dict[str, tuple[list[Button], bool]] = {}  # chat → buttons of its last message, expects_text
        self._counter = itertools.count(1)
        self._run = str(time.time_ns())  # delivery ids stay unique across restarts
        runtime.register(self)

    # inbound ---------------------------------------------------------------------------------------------
    def _base(self) -> dict:
        return {
            "delivery_id": f"{self._run}-{next(self._counter)}",
            "actor": Actor(platform=PLATFORM, user_id=self.speaker, display_name=None, locale_hint=self.locale_hint,
                           username=self.speaker),
            "conversation": Conversation(platform=PLATFORM, chat_id=self.speaker),
        }

    def event_for(self, line: str):
        line = line.rstrip("\r\n")
        stripped = line.strip()
        buttons, expects_text = self._last.get(self.speaker, ([], False))
        pressed = stripped[1:] if stripped.startswith("#") else (None if expects_text else stripped)
        if pressed and pressed.isdigit() and 1 <= int(pressed) <= len(buttons):
            return ButtonPressed(payload=buttons[int(pressed) - 1].payload or "", **self._base())
        if stripped.startswith("/") and len(stripped) > 1 and not stripped.startswith("//"):
            name, _, args = stripped[1:].partition(" ")
            return CommandEvent(name=name, args=args.strip(), **self._base())
        return TextEvent(text=line, **self._base())

    async def file_event(self, filename: str, data: bytes, mime: str = "application/octet-stream") -> FileUploaded:
        """A file the speaker sends: its bytes go to the blob store first, as on every platform."""
        blob = await self.runtime.blobs.put(data, mime, Path(filename).name)
        return FileUploaded(filename=filename, size=len(data), mime=mime, blob=blob, **self._base())

    async def say(self, line: str) -> None:
        """Handle one typed line: `/as ROLE` locally, everything else through the runtime."""
        stripped = line.strip()
        if stripped.startswith("/as "):
            self.speaker = stripped[4:].strip() or self.speaker
            self.write(f"(now typing as {self.speaker})")
            return
        if not stripped:
            return
        await self.runtime.handle(self.event_for(line))

    # outbound --------------------------------------------------------------------------------------------
    async def _save_media(self, reply: Reply) -> dict[str, Path]:
        """Write the reply's media to the files folder (read from the blob store), so the line can show a path."""
        if self.files_dir is None or self.runtime.blobs is None:
            return {}
        saved: dict[str, Path] = {}
        for media in media_to_save(reply):
            path = self.files_dir / file_name(media)
            if not path.exists():
                self.files_dir.mkdir(parents=True, exist_ok=True)
                path.write_bytes(await self.runtime.blobs.read(media.blob))
            saved[media.blob.sha256] = path
        return saved

    async def deliver(self, delivery: Delivery, progress: DeliveryProgress | None = None) -> str | None:
        """One write per delivery: a single part, so there is nothing to resume."""
        op = delivery.op
        prefix = "" if delivery.chat_id == self.speaker else f"→ {delivery.chat_id}: "
        if isinstance(op, Notice):
            self.write(f"{prefix}(i) {op.text}")
            return None
        if isinstance(op, FormErrors):
            for field, error in op.errors.items():
                self.write(f"{prefix}(!) {field}: {error}")
            return None
        if isinstance(op, (SendMessage, EditMessage, PublishHome)):
            reply: Reply = op.message
            body, buttons = render_reply(reply, await self._save_media(reply))
            self._last[delivery.chat_id] = (buttons, reply.expects_text)
            self.write(prefix + body if prefix else body)
            self.write("")
            return f"c{next(self._counter)}"
        return None
