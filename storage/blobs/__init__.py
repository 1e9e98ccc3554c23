"""Blob stores (bot.blobs.BlobStore): where media bytes live, outside every database row.

`open_blob_store(url)` picks one by URL: a directory (`file:///path` or a plain path) or an S3-compatible bucket
(`s3://bucket/prefix`, see storage/blobs/s3.py).
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from bot.blobs import BlobStore
from storage.blobs.local import LocalBlobStore

__all__ = ["LocalBlobStore", "open_blob_store", "default_media_url"]


def default_media_url(database_url: str) -> str:
    """Without `PANELIST_MEDIA_URL`: a folder beside an SQLite file (`bot.db` → `bot.media/`), else `./panelist-media`."""
    if database_url.startswith("sqlite:///"):
        path = Path(database_url[len("sqlite:///"):])
        return str(path.with_suffix(".media")) if path.name and path.name != ":memory:" else "panelist-media"
    return str(Path.cwd() / "panelist-media")


def open_blob_store(url: str) -> BlobStore:
    parsed = urlparse(url)
    if parsed.scheme == "s3":
        from storage.blobs.s3 import S3BlobStore

        return S3BlobStore.from_url(url)
    if parsed.scheme == "file":
        return LocalBlobStore(Path(unquote(parsed.path)))
    if parsed.scheme in ("",) or len(parsed.scheme) == 1:  # a plain path (or a Windows drive letter)
        return LocalBlobStore(Path(url))
    raise ValueError(f"media store URL must be a path, file:// or s3://, not {parsed.scheme}://")
