"""Media in a local directory: `<root>/ab/abcdef…` by SHA-256. Written to a temporary file, flushed to disk and
renamed into place, so a reader never sees half a blob and a crash leaves none; the same bytes are stored once."""
from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from bot.blobs import CHUNK_BYTES, BlobMissing, BlobRef, BlobStoreUnavailable, ref_for


class LocalBlobStore:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    async def put(self, data: bytes, mime: str, name: str = "", *, width: int | None = None,
                  height: int | None = None) -> BlobRef:
        ref = ref_for(data, mime, name, width=width, height=height)
        await asyncio.to_thread(self._write, ref.sha256, data)
        return ref

    def _write(self, sha256: str, data: bytes) -> None:
        target = self.path_of(sha256)
        if target.exists() and target.stat().st_size == len(data):
            return
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as err:
            raise BlobStoreUnavailable(f"media folder {self.root}: {err.strerror or err}") from err

    async def open(self, ref: BlobRef) -> AsyncIterator[bytes]:
        try:
            handle = await asyncio.to_thread(open, self.path_of(ref.sha256), "rb")
        except FileNotFoundError:
            raise BlobMissing(ref.sha256) from None
        except OSError as err:
            raise BlobStoreUnavailable(f"media folder {self.root}: {err.strerror or err}") from err
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK_BYTES):
                yield chunk
        finally:
            handle.close()

    async def read(self, ref: BlobRef) -> bytes:
        try:
            return await asyncio.to_thread(self.path_of(ref.sha256).read_bytes)
        except FileNotFoundError:
            raise BlobMissing(ref.sha256) from None
        except OSError as err:
            raise BlobStoreUnavailable(f"media folder {self.root}: {err.strerror or err}") from err

    async def has(self, sha256: str) -> bool:
        try:
            await asyncio.to_thread(os.stat, self.path_of(sha256))
        except FileNotFoundError:
            return False
        except OSError as err:  # e.g. the root is a file: the store is broken, not the blob missing
            raise BlobStoreUnavailable(f"media folder {self.root}: {err.strerror or err}") from err
        return True

    async def check(self) -> None:
        probe = await self.put(b"panelist", "text/plain")
        if await self.read(probe) != b"panelist":
            raise BlobStoreUnavailable(f"media folder {self.root}: what was written reads back different")
