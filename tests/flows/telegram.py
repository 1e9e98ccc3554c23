"""The Telegram adapter under the flow harness: the real PTB adapter long-polling the loopback Bot API stand-in.

A person ("ana") is a stable numeric Telegram user id (a hash of the name) chatting in a private chat of the
same id. `send` / `press` / `upload` push an update into the stand-in and return once the adapter has
confirmed it (the stand-in dropped it from its pending updates: the inbox row is written) and every update
handed to processing is done (replies sent, callback answered). What a person received is read from the
stand-in's successful answers: each sent or edited message (text as Telegram shows it after parsing the
HTML, button labels and their callback data), each callback answer with text (kind "notice"), each
document or photo (kind "file").
"""
from __future__ import annotations

import asyncio
import copy
import hashlib
import itertools
import secrets
import socket
from datetime import timedelta
from dataclasses import dataclass, field
from typing import Any

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.adapters.telegram.pacing import Pacer
from tests.flows.console import wizard_fill
from tests.flows.harness import ChatHarness, Received
from tests.telegram_standin import BotApiStandIn

SETTLE_TIMEOUT = 30.0


@dataclass
class TgReceived(Received):
    message_id: int | None = None
    payloads: list[str | None] = field(default_factory=list)  # callback data per button, aligned with buttons


def telegram_user_id(name: str) -> int:
    """A stable positive id per name (the same across harnesses, so PANELIST_ADMINS can name it before start)."""
    return 100_000_000 + int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "big") % 900_000_000


class RecordingStandIn(BotApiStandIn):
    """The stand-in, also keeping each successful answer (what a person sees), in order."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.shown: list[tuple[str, dict[str, Any], Any]] = []

    def _respond(self, method, params, result=None, error=None):
        if error is None and method in ("sendMessage", "editMessageText", "sendDocument", "sendPhoto", "sendAudio",
                                        "sendVoice", "sendVideo", "sendMediaGroup", "answerCallbackQuery"):
            self.shown.append((method, dict(params), copy.deepcopy(result)))
        return super()._respond(method, params, result, error)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fast_pacer() -> Pacer:
    """The stand-in has no rate limits unless asked; flows should not wait a second per reply."""
    return Pacer(per_chat_rate=10_000, global_rate=100_000, per_chat_burst=1_000, global_burst=1_000)


class TelegramHarness(ChatHarness):
    platform = "telegram"

    def __init__(self, database_url: str, admins: str = "", clock=None, **settings: Any) -> None:
        self.adapter_options: dict[str, Any] = settings.pop("adapter_options", {})
        self.webhook: bool = settings.pop("webhook", False)  # webhook mode behind the project's HTTP server
        super().__init__(database_url, admins, clock, **settings)
        self.api: RecordingStandIn | None = None
        self.adapter: TelegramAdapter | None = None
        self._seen = 0  # how much of api.shown has been read into the inboxes
        self._users: dict[int, str] = {}
        self._queries: dict[str, str] = {}  # callback query id -> user
        self._files = itertools.count(1)
        self._keep_api = False
        self._http = None
        self.webhook_url: str | None = None
        self.webhook_secret = "s3cret-" + secrets.token_hex(8)

    # lifecycle -------------------------------------------------------------------------------------------
    async def _start_adapter(self) -> None:
        await self.start_adapter(wait=True)

    async def start_adapter(self, wait: bool) -> None:
        """Start the stand-in (once) and the adapter; `wait`: until it holds the polling lease."""
        if self.api is None:
            self.api = await RecordingStandIn().start()
        settings = self.settings.model_copy(update={
            "telegram_token": self._secret(self.api.token),
            "telegram_api_url": self.api.base_url,
            "telegram_file_url": self.api.file_url,
        })
        port = 0
        if self.webhook:
            port = free_port()
            self.webhook_url = f"http://127.0.0.1:{port}/telegram/webhook"
            settings = settings.model_copy(update={
                "telegram_webhook_url": self.webhook_url,
                "telegram_webhook_secret": self._secret(self.webhook_secret),
            })
        options = {"pacer": fast_pacer(), "poll_timeout": 2.0, "lease_ttl": timedelta(seconds=10),
                   "lease_retry": 0.2, **self.adapter_options}
        self.adapter = TelegramAdapter(self.runtime, settings, **options)
        if self.webhook:  # the project's own HTTP app, as `panelist run` serves it
            from aiohttp import web

            from app.serve import http_app

            self._http = web.AppRunner(http_app(self.runtime, [self.adapter]))
            await self._http.setup()
            await web.TCPSite(self._http, "127.0.0.1", port).start()
        await self.adapter.start()
        if wait and not self.webhook:
            await self._wait_for(lambda: self.adapter.polling, "the adapter to take the polling lease")

    async def _stop_adapter(self) -> None:
        if self.adapter is not None:
            await self.adapter.stop()
            self.adapter = None
        if self._http is not None:
            await self._http.cleanup()
            self._http = None
        self._collect()
        if self.api is not None and not self._keep_api:
            await self.api.stop()
            self.api = None

    async def restart(self) -> None:
        self._keep_api = True  # Telegram stays up while the bot restarts
        try:
            await super().restart()
        finally:
            self._keep_api = False

    @staticmethod
    def _secret(value: str):
        from pydantic import SecretStr

        return SecretStr(value)

    def refusals(self) -> list:
        """The stand-in's refusals, plus every callback query the bot never answered (Telegram wants each answered)."""
        if self.api is None:
            return []
        unanswered = [f"callback query {q} ({u}) never answered" for q, u in self._queries.items()
                      if q not in self.api.callback_answers]
        return list(self.api.refusals) + unanswered

    @classmethod
    def identity(cls, user: str) -> str:
        return f"telegram:{telegram_user_id(user)}"

    def user_id(self, user: str) -> int:
        uid = telegram_user_id(user)
        self._users[uid] = user
        return uid

    # what a person receives ------------------------------------------------------------------------------
    def received(self, user: str) -> list[Received]:
        self._collect()
        return super().received(user)

    def _collect(self) -> None:
        if self.api is None:
            return
        shown = self.api.shown
        while self._seen < len(shown):
            method, params, result = shown[self._seen]
            self._seen += 1
            if method == "answerCallbackQuery":
                user = self._queries.get(str(params.get("callback_query_id")))
                if user is not None and params.get("text"):
                    self.inbox.setdefault(user, []).append(TgReceived(text=params["text"], kind="notice"))
                continue
            user = self._users.get(params.get("chat_id"))
            if user is None:
                continue
            if isinstance(result, list):  # an album: each of its messages is a file the person sees
                for each in result:
                    self.inbox.setdefault(user, []).append(TgReceived(
                        text=each.get("caption", ""), kind="file", message_id=each["message_id"]))
                continue
            if not isinstance(result, dict):
                continue
            labels, payloads = [], []
            for row in (result.get("reply_markup") or {}).get("inline_keyboard", []):
                for b in row:
                    labels.append(b["text"])
                    payloads.append(b.get("callback_data"))
            if method in ("sendMessage", "editMessageText"):
                item = TgReceived(text=result.get("text", ""), buttons=labels, kind="message",
                                  message_id=result["message_id"], payloads=payloads)
            else:
                item = TgReceived(text=result.get("caption", ""), buttons=labels, kind="file",
                                  message_id=result["message_id"], payloads=payloads)
            self.inbox.setdefault(user, []).append(item)

    # what a person does -----------------------------------------------------------------------------------
    async def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Hand an update to the bot (getUpdates queue, or a POST to the webhook) and wait until it is handled."""
        self._collect()
        if self.webhook:
            status = await self.api.deliver_to_webhook(update)
            assert status == 200, f"webhook answered {status}"
            await self.drain()
            return update
        update = self.api.push_update(update)
        await self.settle(update["update_id"])
        return update

    async def settle(self, update_id: int) -> None:
        await self._wait_for(lambda: all(u["update_id"] > update_id for u in self.api.pending_updates),
                             f"update {update_id} to be confirmed")
        await self.drain()

    async def drain(self) -> None:
        """Wait for the adapter's in-flight turns, with a deadline that reports where they are stuck."""
        try:
            await asyncio.wait_for(asyncio.shield(self.adapter.drain()), SETTLE_TIMEOUT)
        except asyncio.TimeoutError:
            stacks = []
            for task in list(self.adapter._inflight):
                chain, coro = [], task.get_coro()
                while coro is not None and len(chain) < 40:
                    frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
                    if frame is not None:
                        chain.append(f"{frame.f_code.co_filename.rsplit('/', 2)[-1]}:{frame.f_code.co_name}:{frame.f_lineno}")
                    coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
                stacks.append(" -> ".join(chain))
            raise AssertionError(f"turns still running after {SETTLE_TIMEOUT}s: {stacks}") from None
        self._collect()

    async def _wait_for(self, condition, what: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_TIMEOUT
        while not condition():
            if loop.time() > deadline:
                raise AssertionError(f"timed out waiting for {what}; refusals: {self.refusals()}")
            await asyncio.sleep(0.002)

    async def send(self, user: str, line: str) -> None:
        uid = self.user_id(user)
        await self.push(self.api.message_update(uid, line, first_name=user.capitalize(), username=user))

    async def press(self, user: str, label: str) -> None:
        uid = self.user_id(user)
        i, j = self._find_button(user, label)
        item = self.received(user)[i]
        assert isinstance(item, TgReceived) and item.payloads[j], f"{label!r} is not a callback button"
        update = self.api.callback_update(uid, item.payloads[j], item.message_id, first_name=user.capitalize())
        self._queries[update["callback_query"]["id"]] = user
        await self.push(update)

    async def press_as(self, presser: str, owner: str, label: str) -> None:
        """A forged press: `presser` sends, from their own chat, the callback data of a button sent to `owner`."""
        uid = self.user_id(presser)
        i, j = self._find_button(owner, label, anywhere=True)
        item = self.received(owner)[i]
        assert isinstance(item, TgReceived) and item.payloads[j], f"{label!r} is not a callback button"
        update = self.api.callback_update(uid, item.payloads[j], item.message_id, first_name=presser.capitalize())
        self._queries[update["callback_query"]["id"]] = presser
        await self.push(update)

    async def upload(self, user: str, filename: str, data: bytes, caption: str = "") -> None:
        uid = self.user_id(user)
        file_id = f"BQACAgIAAxkDOC{next(self._files):06d}"
        self.api.add_file(file_id, data, filename)
        await self.push(self.api.document_update(uid, file_id, filename, len(data), first_name=user.capitalize(),
                                                 caption=caption or None))

    async def fill_form(self, user: str, answers: dict[str, Any], confirm: bool = True) -> None:
        await wizard_fill(self, user, answers, confirm)
