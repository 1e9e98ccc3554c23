"""A strict loopback stand-in of the Telegram Bot API, for tests that drive the real python-telegram-bot.

Every call is checked against `bot_api.json` (method known, required parameters present, no unknown
parameters) and against the limits Telegram enforces; what Telegram would refuse is answered with
Telegram's error shape (`{"ok": false, "error_code": 400, "description": "Bad Request: ..."}`), so PTB
raises the same exception it would raise in production. Every call lands in `.calls`, every refusal
also in `.refusals`.
"""
from __future__ import annotations

import asyncio
import json
import math
import re
import time
from collections import deque
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from aiohttp import web

SPEC_PATH = Path(__file__).with_name("bot_api.json")

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_SIDES = 10_000  # width + height
MAX_PHOTO_RATIO = 20  # the longer side at most 20 times the shorter
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024

# Methods that post or change a message: they count against the optional rate limits.
RATE_LIMITED_PREFIXES = ("sendMessage", "sendPhoto", "sendDocument", "sendMedia", "sendAudio", "sendVideo",
                         "sendVoice", "sendAnimation", "sendSticker", "sendPoll", "sendLocation", "sendContact",
                         "sendDice", "sendVenue", "edit", "copyMessage", "forwardMessage")

# Telegram's own limits as this stand-in models them, for `BotApiStandIn(**TELEGRAM_RATE_LIMITS)`: "about one
# message a second per chat, short bursts allowed" (a bucket of 3 refilled at 1 a second), 20 a minute in a group,
# 30 a second overall.
TELEGRAM_RATE_LIMITS = {"per_chat_burst": 3, "per_chat_rate": 1.0, "group_limit": 20, "group_period": 60.0,
                        "global_limit": 30, "window": 1.0}


def _window_wait(sends: deque[float], limit: int, period: float, now: float) -> float:
    """Seconds until one more send fits `limit` within any `period` seconds (0: now); forgets what fell out."""
    while sends and sends[0] <= now - period:
        sends.popleft()
    return 0.0 if len(sends) < limit else sends[0] + period - now


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# --------------------------------------------------------------------------------------------------
# HTML parse mode, as Telegram parses it


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; the message is Telegram's "can't parse entities: ..." detail."""


# Tag -> entity type. https://core.telegram.org/bots/api#html-style
ALLOWED_TAGS = {
    "b": "bold", "strong": "bold",
    "i": "italic", "em": "italic",
    "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "span": "spoiler", "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_AT = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|lt|gt|amp|quot);")


class _TelegramHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.parts: list[str] = []
        self.length = 0  # UTF-16 code units so far
        self.stack: list[tuple[str, dict[str, str | None], int]] = []
        self.entities: list[dict[str, Any]] = []

    def _emit(self, text: str) -> None:
        self.parts.append(text)
        self.length += utf16_len(text)

    def handle_data(self, data: str) -> None:
        for bad in ("<", "&"):
            if bad in data:
                raise EntityParseError(
                    f'Unsupported start tag or unescaped "{bad}" near line/column {self.getpos()}'
                    if bad == "<" else f'Unescaped "&" near line/column {self.getpos()}'
                )
        self._emit(data)

    def handle_entityref(self, name: str) -> None:
        if name not in NAMED_ENTITIES:
            raise EntityParseError(f'Unsupported HTML entity "&{name};"')
        self._emit(NAMED_ENTITIES[name])

    def handle_charref(self, name: str) -> None:
        try:
            code = int(name[1:], 16) if name[:1] in ("x", "X") else int(name)
            char = chr(code)
        except (ValueError, OverflowError):
            raise EntityParseError(f'Invalid numeric entity "&#{name};"') from None
        if 0xD800 <= code <= 0xDFFF:
            raise EntityParseError(f'Invalid numeric entity "&#{name};"')
        self._emit(char)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise EntityParseError(f'Unsupported start tag "{tag}"')
        attributes = dict(attrs)
        if tag == "span" and attributes.get("class") != "tg-spoiler":
            raise EntityParseError('Tag "span" must have class "tg-spoiler"')
        if tag == "a" and not attributes.get("href"):
            raise EntityParseError('Tag "a" must have attribute "href"')
        if tag == "tg-emoji" and not attributes.get("emoji-id"):
            raise EntityParseError('Tag "tg-emoji" must have attribute "emoji-id"')
        self.stack.append((tag, attributes, self.length))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise EntityParseError(f'Unsupported self-closing tag "{tag}"')

    def handle_endtag(self, tag: str) -> None:
        if not self.stack:
            raise EntityParseError(f'Unexpected end tag "{tag}"')
        open_tag, attributes, start = self.stack.pop()
        if open_tag != tag:
            raise EntityParseError(f'Unmatched end tag "{tag}", expected "</{open_tag}>"')
        length = self.length - start
        if tag == "code" and self.stack and self.stack[-1][0] == "pre":
            # <pre><code class="language-x">: one pre entity, with the code's language
            cls = str(attributes.get("class") or "")
            if cls.startswith("language-"):
                self.stack[-1][1]["language"] = cls[len("language-"):]
            return
        if length <= 0:
            return
        entity: dict[str, Any] = {"type": ALLOWED_TAGS[tag], "offset": start, "length": length}
        if tag == "a":
            entity["url"] = attributes["href"]
        elif tag == "tg-emoji":
            entity["custom_emoji_id"] = attributes["emoji-id"]
        elif tag == "blockquote" and "expandable" in attributes:
            entity["type"] = "expandable_blockquote"
        elif tag == "pre" and attributes.get("language"):
            entity["language"] = str(attributes["language"])
        elif tag == "pre" and attributes.get("class", "") and str(attributes["class"]).startswith("language-"):
            entity["language"] = str(attributes["class"])[len("language-"):]
        self.entities.append(entity)

    def handle_comment(self, data: str) -> None:
        raise EntityParseError("HTML comments are not supported")

    def handle_decl(self, decl: str) -> None:
        raise EntityParseError("HTML declarations are not supported")

    def handle_pi(self, data: str) -> None:
        raise EntityParseError("HTML processing instructions are not supported")

    def unknown_decl(self, data: str) -> None:
        raise EntityParseError("Unsupported HTML declaration")


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into (plain text, entities with UTF-16 offsets); raise EntityParseError."""
    for match in re.finditer("&", text):
        if not _ENTITY_AT.match(text, match.start()):
            byte_offset = len(text[: match.start()].encode("utf-8"))
            raise EntityParseError(
                f'Character "&" at byte offset {byte_offset} does not start an entity; escape it as "&amp;"'
            )
    parser = _TelegramHtml()
    parser.feed(text)
    parser.close()
    if parser.stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{parser.stack[-1][0]}"')
    entities = sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))
    return "".join(parser.parts), entities


# --------------------------------------------------------------------------------------------------
# Records


@dataclass
class UploadedFile:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class Refusal:
    method: str
    params: dict[str, Any]
    error_code: int
    description: str


@dataclass
class StoredFile:
    file_id: str
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None
    file_path: str = ""
    kind: str = "document"  # photo, audio, voice, video or document: a file_id is used again only as its kind

    @property
    def file_unique_id(self) -> str:
        return "u" + self.file_id[-30:]


class ApiError(Exception):
    def __init__(self, error_code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


# --------------------------------------------------------------------------------------------------
# The server


class BotApiStandIn:
    """Serve `/bot<token>/<method>` and `/file/bot<token>/<path>` on 127.0.0.1 (a free port).

    Use as `async with BotApiStandIn() as api: Bot(api.token, base_url=api.base_url, base_file_url=api.file_url)`.
    Rate limits are off unless given, and count message-sending calls (sendMessage, edits, ...; not callback
    answers or chat actions): `per_chat_burst` per chat at once, refilled at `per_chat_rate` a second (a token
    bucket: a short burst is fine, a sustained flood is not); in a group (negative chat id) also at most
    `group_limit` within any `group_period` seconds; overall at most `global_limit` within any `window` seconds.
    Over any of them: 429 with `retry_after` (whole seconds, at least 1, as Telegram sends it).
    `connections` holds the client address of every connection a call came over (to see a client reuse them).
    `deliver_times=3` (fault injection, bench/chaos.py) returns every update in three getUpdates answers: an
    offset forgets an update only once it has been returned that many times. `get_updates_at` holds the
    `time.monotonic()` of every getUpdates request, in order.

    Media: sendPhoto / sendAudio / sendVoice / sendVideo / sendDocument / sendMediaGroup take a multipart upload or a
    file_id this stand-in returned before (of the same kind; an unknown one is "wrong file identifier", and
    `forget_file` makes one unknown, as Telegram does when an id expires). Captions are at most 1,024 characters
    after parsing; a photo at most 10 MB, width + height at most 10,000 and sides within a ratio of 20 (read from
    the PNG/JPEG/GIF/BMP header); a media group 2-10 items, photos and videos mixed or audio only or documents only.
    `bytes_uploaded` counts every byte of every file part received, and `uploads` lists them (method, name, size),
    so a test can show that sending the same file again costs nothing.
    """

    def __init__(
        self,
        token: str = "123456:TEST-standin-token",
        *,
        per_chat_burst: int | None = None,
        per_chat_rate: float = 1.0,
        group_limit: int | None = None,
        group_period: float = 60.0,
        global_limit: int | None = None,
        window: float = 1.0,
        bot_username: str = "panelist_test_bot",
        spec_path: Path = SPEC_PATH,
        deliver_times: int = 1,
    ) -> None:
        self.token = token
        self.deliver_times = deliver_times
        self.per_chat_burst = per_chat_burst
        self.per_chat_rate = per_chat_rate
        self.group_limit = group_limit
        self.group_period = group_period
        self.global_limit = global_limit
        self.window = window
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        self.spec_version: str = spec.get("version", "")
        self._methods: dict[str, dict[str, dict[str, Any]]] = {
            name: {f["name"]: f for f in m.get("fields", [])} for name, m in spec["methods"].items()
        }
        self._types: dict[str, set[str]] = {
            name: {f["name"] for f in t.get("fields", [])} for name, t in spec["types"].items()
        }
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 123456
        self.bot_user: dict[str, Any] = {
            "id": bot_id, "is_bot": True, "first_name": "Panelist", "username": bot_username,
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False,
        }
        self.calls: list[Call] = []
        self.refusals: list[Refusal] = []
        self.webhook: dict[str, Any] | None = None
        self.commands: dict[str, list[dict[str, Any]]] = {}  # scope+language key -> commands
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.blocked_chats: set[int] = set()
        self._failures: dict[str, list[ApiError]] = {}  # method -> errors to answer its next calls with
        self.injected: list[Refusal] = []  # failures answered because a test asked (not in `refusals`)

        self._updates: list[dict[str, Any]] = []
        self._returned: dict[int, int] = {}  # update id -> how many getUpdates answers carried it
        self.get_updates_at: list[float] = []
        self._allowed_updates: list[str] = []
        self._next_update_id = 1
        self._update_pushed = asyncio.Event()
        self._closing = False
        self._poll_generation = 0
        self._message_seq: dict[int, int] = {}  # chat -> last message id (user and bot messages share it)
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._sent_order: dict[int, list[int]] = {}
        self._open_queries: set[str] = set()
        self._query_seq = 0
        self._files: dict[str, StoredFile] = {}
        self._file_seq = 0
        self.bytes_uploaded = 0
        self.uploads: list[tuple[str, str | None, int]] = []  # (method, file name, bytes) per file part received
        self._chat_tokens: dict[int, tuple[float, float]] = {}  # chat -> (tokens, when counted)
        self._group_sends: dict[int, deque[float]] = {}
        self._global_sends: deque[float] = deque()
        self.connections: set[Any] = set()

        self._runner: web.AppRunner | None = None
        self.port = 0
        self._handlers = {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "sendAudio": self._send_audio,
            "sendVoice": self._send_voice,
            "sendVideo": self._send_video,
            "sendMediaGroup": self._send_media_group,
            "sendChatAction": self._send_chat_action,
            "getFile": self._get_file,
        }

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def start(self) -> "BotApiStandIn":
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/file/bot{token}/{path:.+}", self._serve_file)
        app.router.add_route("*", "/bot{token}/{method}", self._serve_method)
        # A client that hangs up (PTB cancelling a long poll) cancels its handler, as Telegram forgets the request.
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        self._closing = True
        self._wake()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "BotApiStandIn":
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- what tests use --------------------------------------------------------------------------

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates (an `update_id` is assigned when missing)."""
        if "update_id" not in update:
            update = {"update_id": self._take_update_id(), **update}
        else:
            self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        query = update.get("callback_query")
        if query:
            self._open_queries.add(str(query["id"]))
        self._updates.append(update)
        self._wake()
        return update

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by a getUpdates offset."""
        return list(self._updates)

    def add_file(self, file_id: str, data: bytes, file_name: str | None = None, mime_type: str | None = None,
                 kind: str = "document") -> None:
        """Make `file_id` known to getFile and downloadable under `file_url`."""
        self._files[file_id] = StoredFile(
            file_id, data, file_name, mime_type, file_path=f"{kind}s/{file_id}_{file_name or 'file'}", kind=kind
        )

    def file_bytes(self, file_id: str) -> bytes:
        return self._files[file_id].data

    def forget_file(self, file_id: str) -> None:
        """Telegram no longer knows `file_id` (expired, or another bot's): using it is "wrong file identifier"."""
        self._files.pop(file_id, None)

    def messages_to(self, chat_id: int) -> list[dict[str, Any]]:
        """Messages the bot has sent to `chat_id` and not deleted, oldest first, as they are now (after edits)."""
        return [self._messages[(chat_id, mid)] for mid in self._sent_order.get(chat_id, [])
                if (chat_id, mid) in self._messages]

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def fail(self, method: str, error_code: int = 500, description: str = "Internal Server Error", *,
             times: int = 1, retry_after: int | None = None) -> None:
        """Answer the next `times` calls of `method` with this error instead of serving them (fault injection).
        They are recorded in `injected`, not in `refusals`: a test that asks for them expects them."""
        error = ApiError(error_code, description, {"retry_after": retry_after} if retry_after else None)
        self._failures.setdefault(method, []).extend([error] * times)

    def block_chat(self, chat_id: int) -> None:
        """From now on sending to `chat_id` is refused with 403 (the user blocked the bot)."""
        self.blocked_chats.add(chat_id)

    # -- update builders -------------------------------------------------------------------------

    def message_update(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        *,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        reply_to_message_id: int | None = None,
    ) -> dict[str, Any]:
        chat_id = user_id if chat_id is None else chat_id
        message: dict[str, Any] = {
            "message_id": self._take_message_id(chat_id),
            "date": int(time.time()),
            "chat": self._chat(chat_id, first_name, username),
            "from": self._user(user_id, first_name, last_name, username, language_code),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0] if text.strip() else text
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
        if reply_to_message_id is not None and (chat_id, reply_to_message_id) in self._messages:
            message["reply_to_message"] = self._messages[(chat_id, reply_to_message_id)]
        return {"update_id": self._take_update_id(), "message": message}

    def callback_update(
        self,
        user_id: int,
        data: str,
        message_id: int,
        chat_id: int | None = None,
        *,
        first_name: str = "Test",
        username: str | None = None,
        language_code: str | None = "en",
    ) -> dict[str, Any]:
        chat_id = user_id if chat_id is None else chat_id
        self._query_seq += 1
        query_id = f"{user_id}{self._query_seq:08d}"
        message = self._messages.get((chat_id, message_id))
        if message is None:  # Telegram sends an InaccessibleMessage (date 0) for messages it cannot show
            message = {"chat": self._chat(chat_id, first_name, username), "message_id": message_id, "date": 0}
        return {
            "update_id": self._take_update_id(),
            "callback_query": {
                "id": query_id,
                "from": self._user(user_id, first_name, None, username, language_code),
                "message": message,
                "chat_instance": f"ci{chat_id}",
                "data": data,
            },
        }

    def document_update(
        self,
        user_id: int,
        file_id: str,
        file_name: str,
        size: int,
        chat_id: int | None = None,
        *,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        first_name: str = "Test",
        username: str | None = None,
        language_code: str | None = "en",
    ) -> dict[str, Any]:
        chat_id = user_id if chat_id is None else chat_id
        message: dict[str, Any] = {
            "message_id": self._take_message_id(chat_id),
            "date": int(time.time()),
            "chat": self._chat(chat_id, first_name, username),
            "from": self._user(user_id, first_name, None, username, language_code),
            "document": {
                "file_id": file_id, "file_unique_id": "u" + file_id[-30:], "file_name": file_name,
                "mime_type": mime_type, "file_size": size,
            },
        }
        if caption is not None:
            message["caption"] = caption
        return {"update_id": self._take_update_id(), "message": message}

    def media_update(
        self,
        user_id: int,
        kind: str,
        file_id: str,
        data: bytes,
        chat_id: int | None = None,
        *,
        mime_type: str | None = None,
        file_name: str | None = None,
        caption: str | None = None,
        first_name: str = "Test",
        language_code: str | None = "en",
    ) -> dict[str, Any]:
        """A person sends a photo, audio, voice note or video (`kind`); its bytes become downloadable as `file_id`.
        A photo arrives as Telegram sends one: several sizes, the largest last (here the upload itself)."""
        chat_id = user_id if chat_id is None else chat_id
        self.add_file(file_id, data, file_name, mime_type, kind=kind)
        stored = self._files[file_id]
        if kind == "photo":
            width, height = _image_size(data)
            thumb = file_id + "-thumb"
            self.add_file(thumb, data[:16], None, "image/jpeg", kind="photo")
            media: Any = [{"file_id": thumb, "file_unique_id": "u" + thumb[-30:], "width": 1, "height": 1,
                           "file_size": 16},
                          {"file_id": file_id, "file_unique_id": stored.file_unique_id, "width": width or 1,
                           "height": height or 1, "file_size": len(data)}]
        else:
            media = self._file_object(stored)
            if file_name is None:
                media.pop("file_name", None)
            if mime_type is None:
                media.pop("mime_type", None)
        message: dict[str, Any] = {
            "message_id": self._take_message_id(chat_id),
            "date": int(time.time()),
            "chat": self._chat(chat_id, first_name),
            "from": self._user(user_id, first_name, None, None, language_code),
            kind: media,
        }
        if caption is not None:
            message["caption"] = caption
        return {"update_id": self._take_update_id(), "message": message}

    async def deliver_to_webhook(self, update: dict[str, Any]) -> int:
        """POST `update` to the webhook set with setWebhook, with its secret header; return the HTTP status."""
        import aiohttp

        if not self.webhook:
            raise RuntimeError("no webhook is set")
        headers = {}
        if self.webhook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
        query = update.get("callback_query")
        if query:
            self._open_queries.add(str(query["id"]))
        async with aiohttp.ClientSession() as session:
            async with session.post(self.webhook["url"], json=update, headers=headers) as response:
                await response.read()
                return response.status

    # -- helpers ---------------------------------------------------------------------------------

    def _take_update_id(self) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        return update_id

    def _take_message_id(self, chat_id: int) -> int:
        self._message_seq[chat_id] = self._message_seq.get(chat_id, 0) + 1
        return self._message_seq[chat_id]

    @staticmethod
    def _user(user_id: int, first_name: str, last_name: str | None, username: str | None,
              language_code: str | None) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        return user

    @staticmethod
    def _chat(chat_id: int, first_name: str = "Test",
              username: str | None = None) -> dict[str, Any]:
        if chat_id > 0:
            chat: dict[str, Any] = {"id": chat_id, "type": "private", "first_name": first_name}
            if username:
                chat["username"] = username
            return chat
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}

    def _wake(self) -> None:
        self._update_pushed.set()
        self._update_pushed = asyncio.Event()

    # -- HTTP ------------------------------------------------------------------------------------

    def _respond(self, method: str, params: dict[str, Any], result: Any = None,
                 error: ApiError | None = None) -> web.Response:
        if error is None:
            return web.json_response({"ok": True, "result": result})
        self.refusals.append(Refusal(method, params, error.error_code, error.description))
        body: dict[str, Any] = {"ok": False, "error_code": error.error_code, "description": error.description}
        if error.parameters:
            body["parameters"] = error.parameters
        return web.json_response(body, status=error.error_code)

    async def _serve_method(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = {}
        self.connections.add(request.transport.get_extra_info("peername") if request.transport else None)
        try:
            if request.match_info["token"] != self.token:
                self.calls.append(Call(method, params))
                raise ApiError(401, "Unauthorized")
            raw = await self._read_raw(request)
            fields = self._methods.get(method)
            if fields is None:
                params = raw
                self.calls.append(Call(method, raw))
                raise ApiError(404, "Not Found")
            params = self._decode(fields, raw)
            self.calls.append(Call(method, params))
            if self._failures.get(method):
                error = self._failures[method].pop(0)
                self.injected.append(Refusal(method, params, error.error_code, error.description))
                body: dict[str, Any] = {"ok": False, "error_code": error.error_code,
                                        "description": error.description}
                if error.parameters:
                    body["parameters"] = error.parameters
                return web.json_response(body, status=error.error_code)
            self._check_parameters(fields, params)
            handler = self._handlers.get(method)
            if handler is None:
                raise bad_request(f"method {method} is not implemented by the stand-in")
            result = await handler(params)
        except ApiError as error:
            return self._respond(method, params, error=error)
        return self._respond(method, params, result)

    async def _serve_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        path = request.match_info["path"]
        for stored in self._files.values():
            if stored.file_path == path:
                return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)

    async def _read_raw(self, request: web.Request) -> dict[str, Any]:
        """Parameters as sent: JSON values (JSON body) or strings / UploadedFile (query, form, multipart)."""
        raw: dict[str, Any] = {k: v for k, v in request.query.items()}
        if request.method != "POST" or not request.can_read_body:
            return raw
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise bad_request("JSON request body must be an object")
            raw.update({k: _Typed(v) for k, v in body.items()})
        elif ctype == "application/x-www-form-urlencoded":
            form = await request.post()
            raw.update({k: str(v) for k, v in form.items()})
        elif ctype.startswith("multipart/"):
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                if part.filename is not None:  # type: ignore[union-attr]
                    data = await part.read(decode=False)  # type: ignore[union-attr]
                    self.bytes_uploaded += len(data)
                    self.uploads.append((request.match_info["method"], part.filename, len(data)))  # type: ignore
                    raw[part.name] = UploadedFile(  # type: ignore[index]
                        part.filename, part.headers.get("Content-Type"), bytes(data)  # type: ignore[union-attr]
                    )
                else:
                    raw[part.name] = await part.text()  # type: ignore[union-attr,index]
        else:
            raise bad_request(f"unsupported content type {ctype}")
        return raw

    def _decode(self, fields: dict[str, dict[str, Any]], raw: dict[str, Any]) -> dict[str, Any]:
        """Turn the wire strings into typed values by the spec's parameter types."""
        attached = {name for v in raw.values() if isinstance(v, str)  # also inside a media group's JSON
                    for name in re.findall(r"attach://([A-Za-z0-9_.\-]+)", v)}
        params: dict[str, Any] = {}
        for name, value in raw.items():
            if isinstance(value, _Typed):
                params[name] = value.value
                continue
            spec = fields.get(name)
            if spec is None or isinstance(value, UploadedFile):
                if spec is None and name not in attached:
                    raise bad_request(f'unknown parameter "{name}"')
                params[name] = value
                continue
            types: list[str] = spec["types"]
            try:
                params[name] = _decode_string(value, types)
            except ValueError:
                raise bad_request(f'can\'t parse parameter "{name}" as {" or ".join(types)}') from None
        return params

    def _check_parameters(self, fields: dict[str, dict[str, Any]], params: dict[str, Any]) -> None:
        for name in params:
            if name not in fields and not isinstance(params[name], UploadedFile):
                raise bad_request(f'unknown parameter "{name}"')
        for name, spec in fields.items():
            if spec["required"] and name not in params:
                raise bad_request(f"parameter \"{name}\" is required")

    # -- checks shared by the methods --------------------------------------------------------------

    def _chat_id(self, params: dict[str, Any]) -> int:
        chat_id = params.get("chat_id")
        if isinstance(chat_id, bool) or not isinstance(chat_id, int):
            raise bad_request("chat not found")
        if chat_id in self.blocked_chats:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def _formatted(self, params: dict[str, Any], text_key: str, mode_key: str, limit: int,
                   empty_ok: bool) -> tuple[str, list[dict[str, Any]]]:
        """Parse a text or caption as Telegram does; return (plain text, entities)."""
        text = params.get(text_key, "")
        if not isinstance(text, str):
            raise bad_request(f"{text_key} must be a string")
        mode = params.get(mode_key)
        if mode is None or mode == "":
            plain, entities = text, list(params.get("entities" if text_key == "text" else "caption_entities") or [])
        elif str(mode).lower() == "html":
            try:
                plain, entities = parse_html(text)
            except EntityParseError as err:
                raise bad_request(f"can't parse entities: {err}") from None
        else:
            raise bad_request(f"parse_mode {mode!r}: the stand-in only parses HTML")
        if not empty_ok and not plain.strip():
            raise bad_request("message text is empty")
        if utf16_len(plain) > limit:
            raise bad_request("message is too long" if text_key == "text" else "message caption is too long")
        return plain, entities

    def _inline_markup(self, params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            return markup  # reply keyboards, ForceReply, ReplyKeyboardRemove: accepted as given
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request("can't parse inline keyboard button: field \"inline_keyboard\" must be an Array of Arrays")
        known = self._types.get("InlineKeyboardButton", set())
        actions = known - {"text", "icon_custom_emoji_id", "style"}
        for row in rows:
            for button in row:
                if not isinstance(button, dict):
                    raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
                unknown = set(button) - known
                if unknown:
                    raise bad_request(f"can't parse inline keyboard button: unknown field {sorted(unknown)[0]!r}")
                if not isinstance(button.get("text"), str) or not button["text"].strip():
                    raise bad_request("BUTTON_TEXT_EMPTY")
                present = [a for a in actions if a in button]
                if len(present) != 1:
                    raise bad_request("can't parse inline keyboard button: exactly one of the optional fields must be used")
                if "callback_data" in button:
                    data = button["callback_data"]
                    if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
                        raise bad_request("BUTTON_DATA_INVALID")
                if "url" in button:
                    url = button["url"]
                    if not isinstance(url, str) or not re.match(r"(?i)^(https?|tg)://\S+$", url):
                        raise bad_request("BUTTON_URL_INVALID")
                if "style" in button and button["style"] not in ("danger", "success", "primary"):
                    raise bad_request("BUTTON_STYLE_INVALID")
        return markup

    def _check_rate(self, method: str, chat_id: int) -> None:
        if not method.startswith(RATE_LIMITED_PREFIXES):
            return
        now = time.monotonic()
        waits: list[float] = []
        if self.global_limit is not None:
            waits.append(_window_wait(self._global_sends, self.global_limit, self.window, now))
        tokens = None
        if self.per_chat_burst is not None:
            tokens, at = self._chat_tokens.get(chat_id, (float(self.per_chat_burst), now))
            tokens = min(float(self.per_chat_burst), tokens + (now - at) * self.per_chat_rate)
            waits.append(0.0 if tokens >= 1 else (1 - tokens) / self.per_chat_rate)
        group = self._group_sends.setdefault(chat_id, deque()) if self.group_limit is not None and chat_id < 0 \
            else None
        if group is not None:
            waits.append(_window_wait(group, self.group_limit, self.group_period, now))
        if max(waits, default=0.0) > 0:
            retry_after = max(1, math.ceil(max(waits)))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})
        if self.global_limit is not None:
            self._global_sends.append(now)
        if tokens is not None:
            self._chat_tokens[chat_id] = (tokens - 1, now)
        if group is not None:
            group.append(now)

    def _store_sent(self, chat_id: int, content: dict[str, Any], markup: dict[str, Any] | None) -> dict[str, Any]:
        message_id = self._take_message_id(chat_id)
        message = {
            "message_id": message_id, "date": int(time.time()), "chat": self._chat(chat_id),
            "from": self.bot_user, **content,
        }
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._messages[(chat_id, message_id)] = message
        self._sent_order.setdefault(chat_id, []).append(message_id)
        return message

    def _message_to_edit(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if "inline_message_id" in params:
            raise bad_request("the stand-in does not keep inline messages")
        if "message_id" not in params or "chat_id" not in params:
            raise bad_request("message identifier is not specified")
        chat_id = self._chat_id(params)
        message = self._messages.get((chat_id, params["message_id"]))
        if message is None or message.get("from", {}).get("id") != self.bot_user["id"]:
            raise bad_request("message to edit not found")
        return chat_id, message

    def _register_upload(self, upload: UploadedFile, folder: str, kind: str = "document") -> StoredFile:
        self._file_seq += 1
        file_id = f"BQACAgIAAxk{folder[:3].upper()}{self._file_seq:06d}"
        stored = StoredFile(file_id, upload.data, upload.filename, upload.content_type,
                            file_path=f"{folder}/file_{self._file_seq}_{upload.filename or 'upload'}", kind=kind)
        self._files[file_id] = stored
        return stored

    # -- methods ---------------------------------------------------------------------------------

    async def _true(self, params: dict[str, Any]) -> bool:
        return True

    async def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        self.get_updates_at.append(time.monotonic())
        if self.webhook:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset = params.get("offset")
        limit = params.get("limit", 100)
        timeout = params.get("timeout", 0) or 0
        if not isinstance(limit, int) or isinstance(limit, bool):
            raise bad_request("limit must be an Integer")
        limit = min(max(limit, 1), 100)
        if "allowed_updates" in params:
            allowed = params["allowed_updates"]
            if not isinstance(allowed, list):
                raise bad_request("can't parse allowed_updates")
            self._allowed_updates = [str(a) for a in allowed]
        if isinstance(offset, int) and not isinstance(offset, bool):
            if offset < 0:  # the last -offset updates; all earlier ones are forgotten
                self._updates = self._updates[offset:]
            else:  # confirm: everything below offset is forgotten for good
                self._updates = [u for u in self._updates if u["update_id"] >= offset
                                 or (self.deliver_times > 1
                                     and self._returned.get(u["update_id"], 0) < self.deliver_times)]
        # Only one getUpdates at a time: a newer request ends a waiting one with 409, as on Telegram.
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(timeout)
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, "Conflict: terminated by other getUpdates request; "
                                    "make sure that only one bot instance is running")
            self._drop_unwanted()
            if self._updates or self._closing:
                break
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            event = self._update_pushed
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except asyncio.TimeoutError:
                break
        batch = self._updates[:limit]
        if self.deliver_times > 1:
            for update in batch:
                self._returned[update["update_id"]] = self._returned.get(update["update_id"], 0) + 1
        return batch

    def _drop_unwanted(self) -> None:
        if not self._allowed_updates:
            return
        self._updates = [u for u in self._updates
                         if any(k in self._allowed_updates for k in u if k != "update_id")]

    async def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = params["url"]
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if url == "":
            self.webhook = None
            return True
        if not re.match(r"^https://\S+$", url) and not re.match(r"^http://(127\.0\.0\.1|localhost)(:\d+)?/\S*$", url):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise bad_request("secret token contains unallowed characters")
        if "allowed_updates" in params:
            self._allowed_updates = list(params["allowed_updates"] or [])
        self.webhook = {"url": url, "secret_token": secret, "allowed_updates": list(self._allowed_updates),
                        "max_connections": params.get("max_connections", 40)}
        return True

    async def _delete_webhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = None
        return True

    async def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False,
                                "pending_update_count": len(self._updates)}
        if self.webhook:
            info["max_connections"] = self.webhook["max_connections"]
            if self.webhook["allowed_updates"]:
                info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> str:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True) + "|" + str(params.get("language_code") or "")

    async def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params["commands"]
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands: at most 100 commands")
        for command in commands:
            if not isinstance(command, dict) or set(command) - {"command", "description"}:
                raise bad_request("can't parse BotCommand")
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            description = command.get("description")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID" if description else "command description is empty")
        language = params.get("language_code")
        if language is not None and not re.fullmatch(r"[a-z]{2}", str(language)):
            raise bad_request("LANG_CODE_INVALID")
        self._check_scope(params.get("scope"))
        self.commands[self._commands_key(params)] = commands
        return True

    # BotCommandScope types; the chat ones name their chat (and chat_member a user too).
    _SCOPES = {"default": set(), "all_private_chats": set(), "all_group_chats": set(),
               "all_chat_administrators": set(), "chat": {"chat_id"}, "chat_administrators": {"chat_id"},
               "chat_member": {"chat_id", "user_id"}}

    def _check_scope(self, scope: Any) -> None:
        if scope is None:
            return
        if not isinstance(scope, dict) or scope.get("type") not in self._SCOPES:
            raise bad_request("can't parse BotCommandScope")
        needed = self._SCOPES[scope["type"]]
        if set(scope) - needed - {"type"} or needed - set(scope):
            raise bad_request("can't parse BotCommandScope: wrong fields for " + str(scope["type"]))
        if "chat_id" in needed and not isinstance(scope["chat_id"], (int, str)) or scope.get("chat_id") in ("", 0):
            raise bad_request("chat not found")

    def chat_menu(self, chat_id: int | str, language_code: str | None = None) -> list[dict[str, Any]] | None:
        """The commands set for one chat's scope (setMyCommands with BotCommandScopeChat), or None if never set."""
        return self.commands.get(self._commands_key({"scope": {"type": "chat", "chat_id": chat_id},
                                                     "language_code": language_code}))

    async def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands.get(self._commands_key(params), [])

    async def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        plain, entities = self._formatted(params, "text", "parse_mode", MAX_TEXT, empty_ok=False)
        markup = self._inline_markup(params)
        self._check_rate("sendMessage", chat_id)
        content: dict[str, Any] = {"text": plain}
        if entities:
            content["entities"] = entities
        return self._store_sent(chat_id, content, markup)

    async def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        if "text" not in params:
            raise bad_request("message text is empty")
        chat_id, message = self._message_to_edit(params)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        plain, entities = self._formatted(params, "text", "parse_mode", MAX_TEXT, empty_ok=False)
        markup = self._inline_markup(params)
        if markup is not None and "inline_keyboard" not in markup:
            raise bad_request("only inline keyboards can be used when editing a message")
        if (plain == message.get("text") and entities == message.get("entities", [])
                and _same_markup(markup, message.get("reply_markup"))):
            raise bad_request("message is not modified: specified new message content and reply markup "
                              "are exactly the same as a current content and reply markup of the message")
        self._check_rate("editMessageText", chat_id)
        message["text"] = plain
        message.pop("entities", None)
        if entities:
            message["entities"] = entities
        message.pop("reply_markup", None)
        if markup is not None:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        return message

    async def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, message = self._message_to_edit(params)
        markup = self._inline_markup(params)
        if markup is not None and "inline_keyboard" not in markup:
            raise bad_request("only inline keyboards can be used when editing a message")
        if _same_markup(markup, message.get("reply_markup")):
            raise bad_request("message is not modified: specified new message content and reply markup "
                              "are exactly the same as a current content and reply markup of the message")
        self._check_rate("editMessageReplyMarkup", chat_id)
        message.pop("reply_markup", None)
        if markup is not None:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        return message

    async def _delete_message(self, params: dict[str, Any]) -> bool:
        chat_id = self._chat_id(params)
        if self._messages.pop((chat_id, params["message_id"]), None) is None:
            raise bad_request("message to delete not found")
        return True

    async def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params["callback_query_id"])
        text = params.get("text")
        if text is not None and utf16_len(str(text)) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        if query_id not in self._open_queries:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        self._open_queries.discard(query_id)
        self.callback_answers[query_id] = params
        return True

    async def _send_chat_action(self, params: dict[str, Any]) -> bool:
        self._chat_id(params)
        return True

    def _file_param(self, params: dict[str, Any], name: str, max_bytes: int,
                    kind: str = "document") -> StoredFile | UploadedFile:
        return self._file_source(params.get(name), params, max_bytes, kind)

    def _file_source(self, value: Any, params: dict[str, Any], max_bytes: int, kind: str) -> StoredFile | UploadedFile:
        """An upload (multipart, or `attach://<part>`), or a file_id returned before for a file of this kind."""
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value[len("attach://"):], value)
        if isinstance(value, UploadedFile):
            if not value.data:
                raise bad_request("file must be non-empty")
            if len(value.data) > max_bytes:
                if kind == "photo":
                    raise bad_request("PHOTO_INVALID: a photo must be at most 10 MB")
                raise ApiError(413, "Request Entity Too Large")
            return value
        if isinstance(value, str) and value in self._files:
            stored = self._files[value]
            if stored.kind != kind:
                raise bad_request(f"can't use file of type {stored.kind.capitalize()} as {kind.capitalize()}")
            return stored
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _file_object(self, stored: StoredFile) -> dict[str, Any]:
        out: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                               "file_size": len(stored.data)}
        if stored.kind in ("audio", "voice", "video"):
            out["duration"] = 1
        if stored.kind in ("audio", "video", "document"):
            out["file_name"] = stored.file_name or "file"
        if stored.kind != "photo":
            out["mime_type"] = stored.mime_type or "application/octet-stream"
        if stored.kind == "video":
            out["width"], out["height"] = 640, 360
        return out

    def _photo_sizes(self, source: StoredFile | UploadedFile) -> list[dict[str, Any]]:
        """The sizes Telegram makes of a photo: a thumbnail, then the photo itself (the largest comes last)."""
        width, height = _image_size(source.data)
        if width == 0 or height == 0:
            raise bad_request("IMAGE_PROCESS_FAILED")
        if width + height > MAX_PHOTO_SIDES or max(width, height) > MAX_PHOTO_RATIO * min(width, height):
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        stored = self._register_upload(source, "photos", "photo") if isinstance(source, UploadedFile) else source
        thumb_id = stored.file_id + "-thumb"
        if thumb_id not in self._files:
            self._files[thumb_id] = StoredFile(thumb_id, stored.data[:64] or b"t", None, "image/jpeg",
                                               file_path=stored.file_path + ".thumb", kind="photo")
        scale = max(width, height) / 90 if max(width, height) > 90 else 1
        return [{"file_id": thumb_id, "file_unique_id": "u" + thumb_id[-30:], "width": max(int(width / scale), 1),
                 "height": max(int(height / scale), 1), "file_size": 64},
                {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "width": width, "height": height,
                 "file_size": len(stored.data)}]

    async def _send_file(self, params: dict[str, Any], kind: str, max_bytes: int) -> dict[str, Any]:
        """sendDocument, sendAudio, sendVoice, sendVideo: one file, a caption, a keyboard."""
        chat_id = self._chat_id(params)
        source = self._file_param(params, kind, max_bytes, kind)
        plain, entities = self._formatted(params, "caption", "parse_mode", MAX_CAPTION, empty_ok=True)
        markup = self._inline_markup(params)
        self._check_rate("send" + kind.capitalize(), chat_id)
        stored = self._register_upload(source, kind + "s", kind) if isinstance(source, UploadedFile) else source
        content: dict[str, Any] = {kind: self._file_object(stored)}
        if plain:
            content["caption"] = plain
        if entities:
            content["caption_entities"] = entities
        return self._store_sent(chat_id, content, markup)

    async def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file(params, "document", MAX_UPLOAD_BYTES)

    async def _send_audio(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file(params, "audio", MAX_UPLOAD_BYTES)

    async def _send_voice(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file(params, "voice", MAX_UPLOAD_BYTES)

    async def _send_video(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file(params, "video", MAX_UPLOAD_BYTES)

    async def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        source = self._file_param(params, "photo", MAX_PHOTO_BYTES, "photo")
        plain, entities = self._formatted(params, "caption", "parse_mode", MAX_CAPTION, empty_ok=True)
        markup = self._inline_markup(params)
        sizes = self._photo_sizes(source)
        self._check_rate("sendPhoto", chat_id)
        content: dict[str, Any] = {"photo": sizes}
        if plain:
            content["caption"] = plain
        if entities:
            content["caption_entities"] = entities
        return self._store_sent(chat_id, content, markup)

    # InputMedia type -> the kind of file it holds, and which others it may share a group with
    _GROUP_KINDS = {"photo": ("photo", "visual"), "video": ("video", "visual"), "audio": ("audio", "audio"),
                    "document": ("document", "document")}

    async def _send_media_group(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        chat_id = self._chat_id(params)
        items = params["media"]
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise bad_request("can't parse InputMedia: media must be an Array of InputMedia")
        if not 2 <= len(items) <= 10:
            raise bad_request("wrong number of media in the group: must include 2-10 items")
        families = set()
        checked = []
        for item in items:
            kind, family = self._GROUP_KINDS.get(item.get("type"), (None, None))
            if kind is None:
                raise bad_request(f"can't parse InputMedia: unsupported type {item.get('type')!r}")
            known = self._types.get("InputMedia" + kind.capitalize(), set())
            unknown = set(item) - known
            if unknown:
                raise bad_request(f"can't parse InputMedia: unknown field {sorted(unknown)[0]!r}")
            families.add(family)
            source = self._file_source(item.get("media"), params,
                                       MAX_PHOTO_BYTES if kind == "photo" else MAX_UPLOAD_BYTES, kind)
            plain, entities = self._formatted(item, "caption", "parse_mode", MAX_CAPTION, empty_ok=True)
            checked.append((kind, source, plain, entities))
        if len(families) > 1:
            raise bad_request("MEDIA_INVALID: audio and documents can be grouped only with media of the same type")
        self._check_rate("sendMediaGroup", chat_id)
        self._file_seq += 1
        group_id = f"g{self._file_seq}"
        sent = []
        for kind, source, plain, entities in checked:
            if kind == "photo":
                content: dict[str, Any] = {"photo": self._photo_sizes(source)}
            else:
                stored = self._register_upload(source, kind + "s", kind) if isinstance(source, UploadedFile) else source
                content = {kind: self._file_object(stored)}
            content["media_group_id"] = group_id
            if plain:
                content["caption"] = plain
            if entities:
                content["caption_entities"] = entities
            sent.append(self._store_sent(chat_id, content, None))
        return sent

    async def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._files.get(str(params["file_id"]))
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.data), "file_path": stored.file_path}


class _Typed:
    """A value that arrived already typed (JSON body)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def _decode_string(value: str, types: list[str]) -> Any:
    if types == ["String"] or "InputFile" in types:
        return value
    if "Integer" in types and "String" in types:  # chat_id: a number, or "@username"
        return int(value) if re.fullmatch(r"-?\d+", value) else value
    if types == ["Integer"]:
        return int(value)
    if types == ["Float"] or types == ["Float number"]:
        return float(value)
    if types == ["Boolean"] or types == ["True"]:
        if value in ("true", "True", "1"):
            return True
        if value in ("false", "False", "0"):
            return False
        raise ValueError(value)
    return json.loads(value)


def _same_markup(new: dict[str, Any] | None, old: dict[str, Any] | None) -> bool:
    def empty(markup: dict[str, Any] | None) -> bool:
        return markup is None or not any(markup.get("inline_keyboard", []))

    if empty(new) and empty(old):
        return True
    return new == old


def _image_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a PNG/GIF/JPEG/WEBP/BMP; (0, 0) when it is not an image Telegram can process."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    if data[:2] == b"BM" and len(data) >= 26:
        return int.from_bytes(data[18:22], "little"), abs(int.from_bytes(data[22:26], "little", signed=True))
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return 1, 1
    if data[:3] == b"\xff\xd8\xff":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                return int.from_bytes(data[i + 7:i + 9], "big"), int.from_bytes(data[i + 5:i + 7], "big")
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2  # markers without a length
                continue
            i += 2 + int.from_bytes(data[i + 2:i + 4], "big")
        return 0, 0  # no frame header: a truncated or fake JPEG
    return 0, 0
