"""Telegram's file_id per blob, so the same bytes are uploaded once.

The renderer leaves a `BlobRef` where a file goes (a send method's file parameter, or an `InputMedia*`'s `media`).
Just before the call, `send_with_files` puts in its place the file_id Telegram gave for those bytes before (from a
small in-process LRU, else `platform_files` in a short transaction of its own, never across the network call), or
else the bytes themselves. After an upload the id Telegram returns is remembered (a photo: its largest size). When
Telegram refuses a remembered id (expired, deleted, another bot's, of another type), it is forgotten and the call
made once more with the bytes.
"""
from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any, Awaitable, Callable

from telegram import InputFile, InputMedia, Message
from telegram.error import BadRequest

from bot.blobs import BlobRef

log = logging.getLogger("panelist.telegram")

PLATFORM = "telegram"
WORKSPACE = ""
LRU_SIZE = 10_000

# What Telegram says when it will not take a file_id (the words vary by method and by what is wrong with it).
_REFUSED_ID = ("wrong file identifier", "wrong remote file identifier", "file reference", "file_reference",
               "can't use file of type", "wrong type of the web page content", "invalid file id",
               "file_id_invalid", "media_empty")

_REFUSED_PHOTO = ("photo_invalid_dimensions", "photo_invalid", "image_process_failed", "photo_save_file_invalid",
                  "photo_ext_invalid")


class Lru(OrderedDict):
    """A bounded insertion-ordered dict: the least recently put entries fall out."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def put(self, key: Any, value: Any = True) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)


class FileIds:
    """file_ids by blob sha256: an LRU in front of `uow.platform_files`. A database that cannot be reached only
    costs an upload (logged), never a delivery."""

    def __init__(self, runtime, size: int = LRU_SIZE) -> None:
        self.runtime = runtime
        self._known = Lru(size)

    async def get(self, sha256: str) -> str | None:
        if sha256 in self._known:
            self._known.move_to_end(sha256)
            return self._known[sha256]
        try:
            async with self.runtime.db.transaction() as tx:
                file_id = await self.runtime.unit_of_work(tx).platform_files.file_id(PLATFORM, WORKSPACE, sha256)
        except Exception as exc:
            log.warning("telegram: file ids could not be read (%s); uploading", type(exc).__name__)
            return None
        if file_id:
            self._known.put(sha256, file_id)
        return file_id

    async def remember(self, sha256: str, file_id: str) -> None:
        self._known.put(sha256, file_id)
        try:
            async with self.runtime.db.transaction() as tx:
                await self.runtime.unit_of_work(tx).platform_files.remember(
                    PLATFORM, WORKSPACE, sha256, file_id, self.runtime.clock())
        except Exception as exc:
            log.warning("telegram: a file id could not be kept (%s); the next send uploads again",
                        type(exc).__name__)

    async def forget(self, sha256: str) -> None:
        self._known.pop(sha256, None)
        try:
            async with self.runtime.db.transaction() as tx:
                await self.runtime.unit_of_work(tx).platform_files.forget(PLATFORM, WORKSPACE, sha256)
        except Exception as exc:
            log.warning("telegram: a refused file id could not be forgotten (%s)", type(exc).__name__)


def file_id_of(message: Any) -> str | None:
    """The id of the file a sent message holds: a photo's largest size, else its audio, voice, video, document…"""
    if not isinstance(message, Message):
        return None
    if message.photo:
        return message.photo[-1].file_id
    for media in (message.audio, message.voice, message.video, message.animation, message.document,
                  message.video_note, message.sticker):
        if media is not None:
            return media.file_id
    return None


def refused_file_id(err: BadRequest) -> bool:
    text = err.message.lower()
    return any(words in text for words in _REFUSED_ID)


def refused_photo(err: BadRequest) -> bool:
    """Telegram will not make a photo of these bytes (its dimensions, its size, or not an image it can read)."""
    text = err.message.lower()
    return any(words in text for words in _REFUSED_PHOTO)


def has_blobs(kwargs: dict[str, Any]) -> bool:
    return any(isinstance(v, BlobRef) for v in kwargs.values()) or any(
        isinstance(getattr(m, "media", None), BlobRef) for m in kwargs.get("media") or () if isinstance(m, InputMedia))


async def send_with_files(method: Callable[..., Awaitable[Any]], kwargs: dict[str, Any], blobs,
                          ids: FileIds) -> Any:
    """Call `method` with every `BlobRef` in `kwargs` made a remembered file_id or an upload (see the module)."""
    for attempt in (1, 2):
        reused: set[str] = set()
        uploaded: list[tuple[int, str]] = []  # (index in the result: 0, or the group item's), sha256

        async def resolve(ref: BlobRef, index: int) -> tuple[str | None, bytes | None]:
            file_id = await ids.get(ref.sha256) if attempt == 1 else None
            if file_id:
                reused.add(ref.sha256)
                return file_id, None
            uploaded.append((index, ref.sha256))
            return None, await blobs.read(ref)

        call = dict(kwargs)
        for key, value in kwargs.items():
            if isinstance(value, BlobRef):
                file_id, data = await resolve(value, 0)
                call[key] = file_id or InputFile(data, filename=value.name or None)
        if isinstance(kwargs.get("media"), (list, tuple)):
            call["media"] = [await _resolved_item(item, i, resolve) for i, item in enumerate(kwargs["media"])]
        try:
            result = await method(**call)
        except BadRequest as err:
            if attempt == 1 and reused and refused_file_id(err):
                log.info("telegram: a remembered file id was refused (%s); uploading again", err.message)
                for sha in reused:
                    await ids.forget(sha)
                continue
            raise
        messages = list(result) if isinstance(result, (list, tuple)) else [result]
        for index, sha in uploaded:
            file_id = file_id_of(messages[index]) if index < len(messages) else None
            if file_id:
                await ids.remember(sha, file_id)
        return result
    raise AssertionError("unreachable")  # pragma: no cover


async def _resolved_item(item: Any, index: int, resolve) -> Any:
    """An `InputMedia*` with its `BlobRef` made a file_id or bytes (attached to the request under a fresh name)."""
    ref = getattr(item, "media", None)
    if not isinstance(item, InputMedia) or not isinstance(ref, BlobRef):
        return item
    file_id, data = await resolve(ref, index)
    options: dict[str, Any] = {"caption": item.caption, "parse_mode": item.parse_mode}
    if data is not None:
        options["filename"] = ref.name or None
    return type(item)(media=file_id or data, **options)
