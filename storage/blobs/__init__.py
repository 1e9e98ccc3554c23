"""Blob stores (bot.blobs.BlobStore): where media bytes live, outside every database row.

`open_blob_store(url)` picks one by URL: a directory (`file:///path` or a plain path) or an S3-compatible bucket
(`s3://bucket/prefix`, see storage/blobs/s3.py). `media_url_problem(url)` says what is wrong with a URL before
anything is opened (the settings check it at startup).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlparse

from bot.blobs import BlobStore
from storage.blobs.local import LocalBlobStore

__all__ = ["LocalBlobStore", "open_blob_store", "default_media_url", "media_url_problem"]

# S3's bucket naming rules (3–63 lowercase letters, digits, dots, hyphens; a letter or digit at each end), which
# MinIO and the other compatible stores share. Credentials never belong in the URL: "user:key@bucket" fails here.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")

MediaUrlProblem = Literal["scheme", "bucket", "file_host"]


def default_media_url(database_url: str) -> str:
    """Without `PANELIST_MEDIA_URL`: a folder beside an SQLite file (`bot.db` → `bot.media/`), else `./panelist-media`."""
    if database_url.startswith("sqlite:///"):
        path = Path(database_url[len("sqlite:///"):])
        return str(path.with_suffix(".media")) if path.name and path.name != ":memory:" else "panelist-media"
    return str(Path.cwd() / "panelist-media")


def media_url_problem(url: str) -> MediaUrlProblem | None:
    """None for a usable media URL, else what is wrong: an unknown scheme, an S3 URL without a proper bucket name
    (or with anything but a bucket and a prefix), or a file:// URL naming another machine."""
    parsed = urlparse(url)
    if parsed.scheme == "s3":
        if not _BUCKET.fullmatch(parsed.netloc) or ".." in parsed.netloc or parsed.query or parsed.fragment:
            return "bucket"
        return None
    if parsed.scheme == "file":
        return None if parsed.netloc in ("", "localhost") else "file_host"
    if parsed.scheme == "" or len(parsed.scheme) == 1:  # a plain path (or a Windows drive letter)
        return None
    return "scheme"


def open_blob_store(url: str) -> BlobStore:
    problem = media_url_problem(url)
    if problem is not None:
        raise ValueError(f"media store URL must be a folder path, file:///folder or s3://bucket/prefix ({problem})")
    parsed = urlparse(url)
    if parsed.scheme == "s3":
        from storage.blobs.s3 import S3BlobStore

        return S3BlobStore.from_url(url)
    if parsed.scheme == "file":
        return LocalBlobStore(Path(unquote(parsed.path)))
    return LocalBlobStore(Path(url))
