"""Media the bot sends and receives: stored once, by content, outside every database row.

A `BlobRef` names the bytes (their SHA-256) and says what they are; rows (inbox events, outbox deliveries, task
items, upload notes, answers) hold refs, never bytes. A `BlobStore` keeps the bytes: a local directory by default,
an S3-compatible bucket when `PANELIST_MEDIA_URL=s3://…` (storage/blobs/). Putting the same bytes twice stores
nothing new. Reading streams in chunks, so a file is never held whole beyond what a platform upload needs.

It sits at the bottom of the layers, beside bot.i18n, so that storage (which implements the store), the core and
the adapters (which use it) and the domain (whose task items name media) share one vocabulary without importing
each other. The shell hands the runtime a store (`Runtime(blobs=...)`); adapters read what they send and store
what people upload through `runtime.blobs`.
"""
from __future__ import annotations

import hashlib

import puremagic
from collections.abc import AsyncIterator
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

MediaKind = Literal["image", "audio", "voice", "video", "document"]
MEDIA_KINDS: tuple[str, ...] = ("image", "audio", "voice", "video", "document")
CHUNK_BYTES = 256 * 1024


class BlobRef(BaseModel):
    """Bytes by content: `sha256` is the identity; the rest describes them (checked by content, not by name)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    mime: str = Field(default="application/octet-stream", max_length=127)
    name: str = Field(default="", max_length=255)  # the original file name, for people and exports
    width: int | None = Field(default=None, ge=1)  # images and video
    height: int | None = Field(default=None, ge=1)

    def named(self, name: str) -> "BlobRef":
        """The same bytes under another file name."""
        return self.model_copy(update={"name": name[:255]})


class BlobMissing(LookupError):
    """A ref whose bytes the store does not hold (deleted, or a ref from another installation)."""


class BlobStoreUnavailable(OSError):
    """The store cannot be reached or written (disk full, bucket gone, credentials refused)."""


@runtime_checkable
class BlobStore(Protocol):
    async def put(self, data: bytes, mime: str, name: str = "", *, width: int | None = None,
                  height: int | None = None) -> BlobRef:
        """Store `data` (idempotent: the same bytes are stored once) and return its ref."""
        ...

    def open(self, ref: BlobRef) -> AsyncIterator[bytes]:
        """The bytes of `ref` in chunks of at most `CHUNK_BYTES`. Raises `BlobMissing`."""
        ...

    async def read(self, ref: BlobRef) -> bytes:
        """The whole of `ref` (for a platform upload that needs it whole). Raises `BlobMissing`."""
        ...

    async def has(self, sha256: str) -> bool: ...

    async def check(self) -> None:
        """Raise `BlobStoreUnavailable` unless the store can be written and read now."""
        ...


def kind_of(mime: str) -> MediaKind:
    """What a medium is, by its (content-checked) MIME type: how a platform shows it."""
    major = (mime or "").split("/", 1)[0].lower()
    if major == "image":
        return "image"
    if major == "audio":
        return "voice" if mime.lower() in ("audio/ogg; codecs=opus", "audio/opus") else "audio"
    if major == "video":
        return "video"
    return "document"


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


MEDIA_MAJORS = ("image", "audio", "video")
SNIFF_BYTES = 64 * 1024


def content_mime(data: bytes, claimed: str) -> str:
    """The MIME type to keep for `data`: what its bytes say it is when that is an image, audio or video, whatever
    the sender claimed; a claim of image, audio or video that the bytes do not bear out becomes a plain binary.
    Other claims (text, CSV, a task file) are kept: their bytes carry no signature to check."""
    claimed = (claimed or "application/octet-stream").split(";", 1)[0].strip().lower() or "application/octet-stream"
    try:
        sniffed = puremagic.from_string(data[:SNIFF_BYTES], mime=True) or ""
    except (puremagic.PureError, ValueError):
        sniffed = ""
    major = sniffed.split("/", 1)[0]
    if major in MEDIA_MAJORS:  # the claim stands when the bytes bear out its kind (audio/wav and audio/wave)
        return claimed if claimed.split("/", 1)[0] == major else sniffed
    if claimed.split("/", 1)[0] in MEDIA_MAJORS:
        return "application/octet-stream"
    return claimed


def ref_for(data: bytes, mime: str, name: str = "", *, width: int | None = None,
            height: int | None = None) -> BlobRef:
    """The ref that `data` is stored under (stores call this; nothing is stored by it). Its MIME type is checked
    against the bytes (`content_mime`), so what a medium is never rests on what a client said."""
    return BlobRef(sha256=sha256_of(data), size=len(data), mime=content_mime(data, mime),
                   name=name[:255], width=width, height=height)


async def read_all(chunks: AsyncIterator[bytes]) -> bytes:
    return b"".join([chunk async for chunk in chunks])
