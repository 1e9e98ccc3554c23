"""Stored media as Bot API calls: one medium, a gallery as media groups, and captions that never lose words.

Rules:
- `Media` → sendPhoto / sendAudio / sendVoice / sendVideo / sendDocument; the file stays a `BlobRef` (in the call's
  file parameter, or as an `InputMedia*`'s `media`) until the adapter sends it (a remembered file_id, else an upload).
- An image past sendPhoto's limits (10 MB, width + height 10,000, sides within a ratio of 20) goes as a document.
- A caption longer than `MAX_CAPTION` (1,024 UTF-16 code units after parsing) is cut where a text would be cut
  (paragraph, line, word): the medium carries the head and an ellipsis, and the rest, opened with an ellipsis,
  goes as text right after it. Nothing is dropped.
- `Gallery` → `sendMediaGroup` for 2–10 items of kinds Telegram groups together (photos and videos mix; audio only
  with audio; documents only with documents; a voice note never joins a group); a lone item is a single send;
  more than ten make several groups. The gallery's caption rides on the first item (with that item's own).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import InputMediaAudio, InputMediaDocument, InputMediaPhoto, InputMediaVideo

from bot.adapters.telegram.calls import PARSE_MODE, TgCall
from bot.adapters.telegram.html import escape
from bot.core.blocks import Media
from bot.core.split import split_parts, utf16_len

MAX_CAPTION = 1024
MAX_GROUP = 10
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # Telegram's sendPhoto limits; an image past them goes as a document
MAX_PHOTO_SIDES = 10_000  # width + height
MAX_PHOTO_RATIO = 20
ELLIPSIS = "\u2026"

METHODS = {"image": ("sendPhoto", "photo"), "audio": ("sendAudio", "audio"), "voice": ("sendVoice", "voice"),
           "video": ("sendVideo", "video"), "document": ("sendDocument", "document")}
_INPUT_MEDIA = {"image": InputMediaPhoto, "video": InputMediaVideo, "audio": InputMediaAudio,
                "document": InputMediaDocument}
# Which kinds may share one media group.
_FAMILY = {"image": "visual", "video": "visual", "audio": "audio", "document": "document"}


def kind_of(block: Media) -> str:
    """The kind a medium is sent as: an image Telegram would refuse as a photo (too big, too large, too thin) is
    sent as a document, which shows it whole."""
    if block.media != "image":
        return block.media
    ref = block.blob
    if ref.size > MAX_PHOTO_BYTES:
        return "document"
    if ref.width and ref.height and (ref.width + ref.height > MAX_PHOTO_SIDES
                                     or max(ref.width, ref.height) > MAX_PHOTO_RATIO * min(ref.width, ref.height)):
        return "document"
    return "image"


def split_caption(text: str) -> tuple[str, str]:
    """(caption, rest): the caption within `MAX_CAPTION`, and what did not fit (empty when all did)."""
    if utf16_len(text) <= MAX_CAPTION:
        return text, ""
    parts = split_parts(text, MAX_CAPTION - utf16_len(ELLIPSIS), utf16_len)
    head, after = parts[0], parts[1]
    caption = head.head + text[head.start:head.end].rstrip() + head.tail + ELLIPSIS
    return caption, ELLIPSIS + after.head + text[after.start:]


@dataclass
class Rendered:
    """Calls for media, and caption text that did not fit, to be sent as text right after them."""

    calls: list[TgCall]
    overflow: str = ""


def _caption_kwargs(caption: str) -> dict[str, Any]:
    return {"caption": escape(caption), "parse_mode": PARSE_MODE} if caption.strip() else {}


def media_call(block: Media, chat_id: int | str, caption: str) -> Rendered:
    """The call for one stored medium with `caption` (plain text, escaped here)."""
    kind = kind_of(block)
    method, parameter = METHODS[kind]
    shown, rest = split_caption(caption)
    kwargs: dict[str, Any] = {"chat_id": chat_id, parameter: block.blob, **_caption_kwargs(shown)}
    if block.blob.name and kind in ("audio", "document", "video"):
        kwargs["filename"] = block.blob.name
    return Rendered([TgCall(method, kwargs)], rest)


def groups(items: list[Media]) -> list[list[Media]]:
    """Items in the order given, as runs Telegram can group (same family), each at most `MAX_GROUP` long."""
    out: list[list[Media]] = []
    for item in items:
        family = _FAMILY.get(kind_of(item))
        last = out[-1] if out else None
        if (last is not None and family is not None and _FAMILY.get(kind_of(last[0])) == family
                and len(last) < MAX_GROUP):
            last.append(item)
        else:
            out.append([item])
    return out


def gallery_calls(items: list[Media], caption: str, chat_id: int | str, item_caption) -> Rendered:
    """The calls for a gallery: media groups and single sends, `caption` on the first item."""
    calls: list[TgCall] = []
    overflow: list[str] = []
    for g, group in enumerate(groups(items)):
        texts = [item_caption(item) for item in group]
        if g == 0 and caption.strip():
            texts[0] = caption + ("\n\n" + texts[0] if texts[0].strip() else "")
        if len(group) == 1:
            one = media_call(group[0], chat_id, texts[0])
            calls += one.calls
            overflow += [one.overflow] if one.overflow else []
            continue
        media = []
        for item, text in zip(group, texts):
            shown, rest = split_caption(text)
            overflow += [rest] if rest else []
            media.append(_INPUT_MEDIA[kind_of(item)](media=item.blob, **_caption_kwargs(shown),
                                                  **_filename(item)))
        calls.append(TgCall("sendMediaGroup", {"chat_id": chat_id, "media": media}))
    return Rendered(calls, "\n\n".join(overflow))


def _filename(item: Media) -> dict[str, Any]:
    return {"filename": item.blob.name} if item.blob.name and kind_of(item) in ("audio", "document", "video") else {}
