"""Telegram `Update` → our `Event`, or None for updates the bot does not answer.

Rules:
- People are keyed by the numeric `from_user.id` (never the username); `language_code` is the locale hint.
- Private chats: a text starting with `/` is a `CommandEvent` (`/cmd@bot args`; a command addressed to
  another bot is ignored), any other text a `TextEvent`, a document, photo (its largest size), audio, voice
  note or video a `FileUploaded` with its MIME type (downloaded through
  `getFile` when it fits `max_upload_bytes`; the bytes go to the blob store first; over the limit it arrives with `blob=None`, so the handler
  can say so), a callback query a `ButtonPressed`.
- Groups and supergroups: only commands in `GROUP_COMMANDS` are routed; other messages are ignored
  (with privacy mode on Telegram does not even send them). `/link` is deliberately not among them: a
  link code posted in a group could be redeemed by anyone who reads it.
- Channel posts, messages sent on behalf of a chat (`sender_chat`: anonymous group admins, linked channels)
  and GroupAnonymousBot are ignored for every command: they name no person we could authorise.
- Edited messages, stickers, animations, video notes, service messages: ignored.
- The person a message points at travels as `refers_to`: the sender of the message replied to, or the original
  sender of a forward (`forward_origin` of type user; hidden senders, chats and channels name nobody). Bots are
  never referred to: a reply to the bot's own message is just a reply.
"""
from __future__ import annotations

import logging
from typing import Any

from telegram import CallbackQuery, Message, Update, User
from telegram.error import BadRequest, TelegramError

from bot.blobs import BlobStore
from bot.core.events import Actor, ButtonPressed, CommandEvent, Conversation, Event, FileUploaded, TextEvent

log = logging.getLogger(__name__)

PLATFORM = "telegram"
ALLOWED_UPDATES = ["message", "callback_query"]
GROUP_COMMANDS = frozenset({"help"})
GROUP_ANONYMOUS_BOT = 1087968824  # "Group" — the sender Telegram shows for anonymous group admins
SERVICE_USER = 777000  # "Telegram" — forwards from a linked channel


def _actor(user: User) -> Actor:
    name = " ".join(p for p in (user.first_name, user.last_name) if p) or None
    return Actor(platform=PLATFORM, user_id=str(user.id), display_name=name, locale_hint=user.language_code,
                 username=user.username)


def _forwarded_from(message: Message) -> User | None:
    origin = message.forward_origin
    return getattr(origin, "sender_user", None) if origin is not None and origin.type == "user" else None


def _refers_to(message: Message) -> Actor | None:
    """The person a command or text points at: the original sender of a forward, else the sender of the message
    replied to (or of the forward replied to)."""
    candidates = [_forwarded_from(message)]
    replied = message.reply_to_message
    if replied is not None:
        candidates += [_forwarded_from(replied), replied.from_user if replied.sender_chat is None else None]
    for user in candidates:
        if user is not None and not user.is_bot and user.id not in (GROUP_ANONYMOUS_BOT, SERVICE_USER):
            return Actor(platform=PLATFORM, user_id=str(user.id), username=user.username,
                         display_name=" ".join(p for p in (user.first_name, user.last_name) if p) or None)
    return None


def _conversation(message: Message) -> Conversation:
    return Conversation(platform=PLATFORM, chat_id=str(message.chat.id), is_private=message.chat.type == "private")


def _is_person(message: Message) -> bool:
    user = message.from_user
    if user is None or user.is_bot or message.sender_chat is not None:
        return False
    return user.id not in (GROUP_ANONYMOUS_BOT, SERVICE_USER)


def split_command(text: str, bot_username: str | None) -> tuple[str, str] | None:
    """`/name@bot args` → (name, args); None when it is not a command or names another bot."""
    if len(text) < 2 or text[0] != "/" or text[1] == "/" or text[1].isspace():
        return None
    head, *rest = text[1:].split(maxsplit=1)
    name, at, target = head.partition("@")
    if at and bot_username and target.casefold() != bot_username.casefold():
        return None
    if not name:
        return None
    return name, rest[0].strip() if rest else ""


async def parse_update(update: Update, *, bot_username: str | None, max_upload_bytes: int,
                       blobs: BlobStore | None = None) -> Event | None:
    """The event for `update`, or None when the bot ignores it. May download a document (getFile)."""
    delivery_id = str(update.update_id)
    if update.callback_query is not None:
        return _button(update.callback_query, delivery_id)
    message = update.message
    if message is None or not _is_person(message):
        return None
    assert message.from_user is not None
    base: dict[str, Any] = {
        "delivery_id": delivery_id, "actor": _actor(message.from_user), "conversation": _conversation(message),
        "reply_context": {"message_id": message.message_id},
    }
    private = message.chat.type == "private"
    if message.text is not None:
        command = split_command(message.text, bot_username)
        if command is not None:
            name, args = command
            if not private and name.lower() not in GROUP_COMMANDS:
                return None
            return CommandEvent(name=name, args=args, refers_to=_refers_to(message), **base)
        if not private:
            return None
        return TextEvent(text=message.text, refers_to=_refers_to(message), **base)
    if private and _attachment(message, max_upload_bytes) is not None:
        return await _file(message, base, max_upload_bytes, blobs)
    return None


def _button(query: CallbackQuery, delivery_id: str) -> Event | None:
    if query.data is None or query.from_user is None or query.from_user.is_bot:
        return None  # a game or an inline-mode message: nothing of ours
    message = query.message
    if message is None:  # pressed on an inline-mode message: no chat to answer in
        return None
    chat = message.chat
    return ButtonPressed(
        delivery_id=delivery_id,
        actor=_actor(query.from_user),
        conversation=Conversation(platform=PLATFORM, chat_id=str(chat.id), is_private=chat.type == "private"),
        reply_context={"callback_query_id": str(query.id), "message_id": message.message_id},
        payload=query.data,
        message_id=str(message.message_id),
    )


def _attachment(message: Message, max_upload_bytes: int) -> tuple[Any, str, str, int | None, int | None] | None:
    """(the file, its name, its MIME type, width, height) of a document, photo, audio, voice note or video; None
    for anything else. Telegram re-encodes photos as JPEG and names none of photos, voice notes and most videos.
    Of a photo's sizes, the largest within `max_upload_bytes` is taken (the largest of all when none is)."""
    if message.document is not None:
        doc = message.document
        return doc, doc.file_name or "file", doc.mime_type or "application/octet-stream", None, None
    if message.photo:
        fitting = [size for size in message.photo if (size.file_size or 0) <= max_upload_bytes]
        largest = (fitting or list(message.photo))[-1]
        return largest, f"photo-{largest.file_unique_id}.jpg", "image/jpeg", largest.width, largest.height
    if message.audio is not None:
        audio = message.audio
        return audio, audio.file_name or "audio.mp3", audio.mime_type or "audio/mpeg", None, None
    if message.voice is not None:
        voice = message.voice
        return voice, f"voice-{voice.file_unique_id}.ogg", voice.mime_type or "audio/ogg", None, None
    if message.video is not None:
        video = message.video
        return video, video.file_name or "video.mp4", video.mime_type or "video/mp4", video.width, video.height
    return None


async def _file(message: Message, base: dict[str, Any], max_upload_bytes: int, blobs: BlobStore) -> FileUploaded:
    attachment = _attachment(message, max_upload_bytes)
    assert attachment is not None
    media, name, mime, width, height = attachment
    size = media.file_size or 0
    data: bytes | None = None
    if size <= max_upload_bytes:
        try:
            tg_file = await media.get_file()
            if tg_file.file_size is None or tg_file.file_size <= max_upload_bytes:
                data = bytes(await tg_file.download_as_bytearray())
        except BadRequest as err:  # "file is too big" (over the Bot API's 20 MB download limit)
            log.info("file %s not downloadable: %s", media.file_unique_id, err.message)
        except TelegramError:
            raise  # network trouble: do not accept the update, so Telegram sends it again
        if data is not None:
            size = len(data)
            if size > max_upload_bytes:
                data = None
    return FileUploaded(
        filename=name, size=size, mime=mime,
        blob=await blobs.put(data, mime, name, width=width, height=height) if data is not None else None,
        caption=message.caption or "", **base,
    )
