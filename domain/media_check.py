"""Checking a medium by its content: bytes in, facts out (MIME type, size in pixels, length), or a refusal.

A task file says what each attachment is (`kind: image`); the bytes must agree. The type comes from the content,
never from a file name: images are opened by Pillow (PNG, JPEG, GIF, WEBP only) within a pixel cap, so a
decompression bomb is refused before it is decoded; audio must parse with mutagen and have a length; video must be
MP4 or WEBM by its magic bytes (puremagic); documents are PDF or UTF-8 text. Every refusal is a `MediaRefused`
with a stable `code` and a catalog message, never a library's exception or warning.
"""
from __future__ import annotations

import io
import json
import math
import warnings
from dataclasses import dataclass

import mutagen
import puremagic
from mutagen.flac import FLAC
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE
from PIL import Image, UnidentifiedImageError

from bot.i18n.text import Msg, msg
from domain.problems import Invalid

__all__ = [
    "ARCHIVE_LABELS", "MAX_BYTES", "MAX_IMAGE_PIXELS", "MAX_IMAGE_RATIO", "MAX_IMAGE_SIDE",
    "MAX_IMPORT_MEDIA_BYTES", "MediaFacts", "MediaRefused", "check_media", "megabytes", "what_it_is",
]

MB = 1024 * 1024
IMAGE_MAX_BYTES = 10 * MB
AUDIO_MAX_BYTES = 20 * MB
VIDEO_MAX_BYTES = 50 * MB
DOCUMENT_MAX_BYTES = 20 * MB
MAX_BYTES: dict[str, int] = {"image": IMAGE_MAX_BYTES, "audio": AUDIO_MAX_BYTES, "voice": AUDIO_MAX_BYTES,
                             "video": VIDEO_MAX_BYTES, "document": DOCUMENT_MAX_BYTES}
MAX_IMPORT_MEDIA_BYTES = 2048 * MB  # all distinct media of one import together
MAX_IMAGE_SIDE = 10_000  # pixels per side, as Telegram takes photos
MAX_IMAGE_RATIO = 20  # longer side / shorter side, as Telegram takes photos
MAX_IMAGE_PIXELS = 40_000_000  # decoded, about 160 MB of RGBA: below Pillow's own bomb threshold (89 M)

IMAGE_FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
IMAGE_MIME = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
AUDIO_TYPES = (MP3, OggOpus, OggVorbis, MP4, WAVE, FLAC)
VIDEO_MIME = ("video/mp4", "video/webm")
ARCHIVE_LABELS = frozenset({"ZIP", "GZIP", "TAR", "7Z", "RAR", "BZIP2", "XZ", "ZSTD"})
SNIFF_BYTES = 4096

# Signatures we name ourselves, first: puremagic calls every zip a .docx and many MP3s something else, and a
# refusal should say plainly what the file is. Anything not here falls back to puremagic's best guess.
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "PNG"), (0, b"\xff\xd8\xff", "JPEG"), (0, b"GIF87a", "GIF"), (0, b"GIF89a", "GIF"),
    (0, b"%PDF-", "PDF"), (0, b"PK\x03\x04", "ZIP"), (0, b"PK\x05\x06", "ZIP"), (0, b"PK\x07\x08", "ZIP"),
    (0, b"\x1f\x8b", "GZIP"), (257, b"ustar", "TAR"), (0, b"7z\xbc\xaf\x27\x1c", "7Z"), (0, b"Rar!\x1a\x07", "RAR"),
    (0, b"BZh", "BZIP2"), (0, b"\xfd7zXZ\x00", "XZ"), (0, b"\x28\xb5\x2f\xfd", "ZSTD"), (0, b"OggS", "OGG"),
    (0, b"fLaC", "FLAC"), (0, b"ID3", "MP3"), (0, b"\x1aE\xdf\xa3", "WEBM"), (0, b"BM", "BMP"),
    (0, b"II*\x00", "TIFF"), (0, b"MM\x00*", "TIFF"), (0, b"\x00\x00\x01\x00", "ICO"), (0, b"MZ", "EXE"),
    (0, b"\x7fELF", "ELF"),
)


@dataclass(frozen=True)
class MediaFacts:
    """What the content turned out to be."""

    mime: str
    format: str  # "PNG", "MP3", "PDF", "text"…: what a person would call it
    width: int | None = None
    height: int | None = None
    duration: float | None = None  # seconds, audio (and MP4 video)


class MediaRefused(Invalid):
    """A medium that is not what it claims or is not safe to take: `code` for counting, the message for people."""

    def __init__(self, code: str, message: Msg) -> None:
        super().__init__(message)
        self.code = code


def megabytes(size: int) -> str:
    """A size for people in MB, rounded up to a tenth: a file a byte over a 10.0 MB limit reads "10.1", never "0.0"."""
    return f"{max(math.ceil(size * 10 / MB) / 10, 0.1):.1f}"


def what_it_is(data: bytes) -> str | None:
    """A short name for the content ("PNG", "PDF", "ZIP", "text"…), or None when nothing recognises it."""
    head = data[:SNIFF_BYTES]
    if head[8:12] in (b"WEBP", b"WAVE", b"AVI ") and head[:4] == b"RIFF":
        return {b"WEBP": "WEBP", b"WAVE": "WAV", b"AVI ": "AVI"}[head[8:12]]
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        return "M4A" if brand in (b"M4A ", b"M4B ") else "MOV" if brand == b"qt  " else "MP4"
    for offset, magic, label in _SIGNATURES:
        if head[offset:offset + len(magic)] == magic:
            return label
    if _is_text(head, complete=len(data) <= SNIFF_BYTES):
        return "text"
    try:
        guess = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        return None
    extension = next((m.extension for m in guess if m.extension), "")
    return extension.lstrip(".").upper() or None


def _is_text(data: bytes, complete: bool = True) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a multi-byte character cut by the sniffing window is still text
        return not complete and exc.start >= len(data) - 3 and exc.reason == "unexpected end of data"
    return True


def _what(data: bytes) -> str | Msg:
    return what_it_is(data) or msg("media.what.unknown")


def check_media(data: bytes, kind: str, *, name: str = "") -> MediaFacts:
    """The facts of `data` as a `kind` medium (image, audio, voice, video, document), or `MediaRefused`."""
    limit = MAX_BYTES[kind]
    if not data:
        raise MediaRefused("empty", msg("media.problem.empty"))
    if len(data) > limit:
        raise MediaRefused("too_big", msg("media.problem.too_big", size=megabytes(len(data)),
                                          limit=megabytes(limit)))
    if kind == "image":
        return _image(data)
    if kind in ("audio", "voice"):
        return _audio(data)
    if kind == "video":
        return _video(data)
    return _document(data, name)


def _image(data: bytes) -> MediaFacts:
    label = what_it_is(data)
    if label not in IMAGE_FORMATS:
        if label in ("BMP", "TIFF", "ICO"):
            raise MediaRefused("image_format", msg("media.problem.image_format", format=label))
        raise MediaRefused("not_image", msg("media.problem.not_image", what=_what(data)))
    # Pillow warns between its threshold and twice it, and raises above: both become our refusal, never a leak.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=IMAGE_FORMATS) as im:
                fmt, (width, height) = im.format, im.size
                _check_dimensions(width, height)
                im.verify()  # structure and checksums, without decoding
            with Image.open(io.BytesIO(data), formats=IMAGE_FORMATS) as im:
                im.load()  # and the pixels decode, to the end
        except MediaRefused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise MediaRefused("image_bomb", msg("media.problem.image_bomb",
                                                 limit=str(MAX_IMAGE_PIXELS // 1_000_000))) from None
        except UnidentifiedImageError:
            raise MediaRefused("image_damaged", msg("media.problem.image_damaged", format=label)) from None
        except Exception:  # Pillow says "truncated", "broken data stream", a struct error…: all one thing to us
            raise MediaRefused("image_damaged", msg("media.problem.image_damaged", format=label)) from None
    return MediaFacts(mime=IMAGE_MIME[fmt], format=fmt, width=width, height=height)


def _check_dimensions(width: int, height: int) -> None:
    size = f"{width}×{height}"
    if width < 1 or height < 1:
        raise MediaRefused("image_damaged", msg("media.problem.image_damaged", format=size))
    if width * height > MAX_IMAGE_PIXELS:
        raise MediaRefused("image_bomb", msg("media.problem.image_bomb", limit=str(MAX_IMAGE_PIXELS // 1_000_000)))
    if max(width, height) > MAX_IMAGE_SIDE:
        raise MediaRefused("image_side", msg("media.problem.image_side", size=size, limit=str(MAX_IMAGE_SIDE)))
    if max(width, height) > MAX_IMAGE_RATIO * min(width, height):
        raise MediaRefused("image_ratio", msg("media.problem.image_ratio", size=size, ratio=str(MAX_IMAGE_RATIO)))


def _audio(data: bytes) -> MediaFacts:
    label = what_it_is(data)
    if label in IMAGE_FORMATS or label in ARCHIVE_LABELS or label in ("PDF", "text", "WEBM", "MP4", "BMP", "TIFF",
                                                                     "EXE", "ELF"):
        raise MediaRefused("not_audio", msg("media.problem.not_audio", what=_what(data)))
    try:
        audio = mutagen.File(io.BytesIO(data), options=list(AUDIO_TYPES))
    except Exception:  # mutagen.MutagenError and the struct/EOF errors of a cut file
        raise MediaRefused("audio_damaged", msg("media.problem.audio_damaged")) from None
    if audio is None:
        raise MediaRefused("not_audio", msg("media.problem.not_audio", what=_what(data)))
    length = getattr(audio.info, "length", 0) or 0
    if length <= 0:
        raise MediaRefused("audio_damaged", msg("media.problem.audio_damaged"))
    fmt = {MP3: "MP3", OggOpus: "OPUS", OggVorbis: "OGG", MP4: "M4A", WAVE: "WAV", FLAC: "FLAC"}[type(audio)]
    return MediaFacts(mime=audio.mime[0], format=fmt, duration=round(float(length), 3))


def _video(data: bytes) -> MediaFacts:
    try:
        found = puremagic.magic_string(data[:SNIFF_BYTES])
    except (puremagic.PureError, ValueError):
        found = []
    mime = next((m.mime_type for m in found if m.mime_type in VIDEO_MIME), None)
    if mime is None or what_it_is(data) in ("M4A",):
        raise MediaRefused("not_video", msg("media.problem.not_video", what=_what(data)))
    duration = None
    if mime == "video/mp4":
        try:
            duration = round(float(MP4(io.BytesIO(data)).info.length), 3)
        except Exception:
            raise MediaRefused("video_damaged", msg("media.problem.video_damaged")) from None
    return MediaFacts(mime=mime, format="MP4" if mime == "video/mp4" else "WEBM", duration=duration)


def _document(data: bytes, name: str) -> MediaFacts:
    label = what_it_is(data)
    if label == "PDF":
        if b"%%EOF" not in data[-2048:]:  # a PDF ends with its trailer; one without was cut short
            raise MediaRefused("document_damaged", msg("media.problem.pdf_damaged"))
        return MediaFacts(mime="application/pdf", format="PDF")
    if label == "text" and _is_text(data):
        return _text(data, name)
    raise MediaRefused("not_document", msg("media.problem.not_document", what=_what(data)))


def _text(data: bytes, name: str) -> MediaFacts:
    """UTF-8 text: JSON when it parses as JSON, CSV when named so (both are text either way), else plain."""
    try:
        json.loads(data)
    except (ValueError, RecursionError):
        pass
    else:
        return MediaFacts(mime="application/json", format="JSON")
    if name.lower().endswith(".csv"):
        return MediaFacts(mime="text/csv", format="CSV")
    return MediaFacts(mime="text/plain", format="text")
