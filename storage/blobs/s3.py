"""Media in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2…): `<prefix>/ab/abcdef…` by SHA-256, through aiobotocore.

Several processes and machines can share one bucket. An S3 PUT is all or nothing, so a reader never sees half a
blob; the same bytes are uploaded once (a HEAD first finds them). Credentials come the standard AWS way
(AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile, an instance role); `PANELIST_MEDIA_S3_ENDPOINT` points at a
non-AWS store and `PANELIST_MEDIA_S3_REGION` names the region (environment or `.env`, like every setting). Errors
name the bucket and what failed, never a key.
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any
from urllib.parse import urlparse

import aiohttp
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import BotoCoreError, ClientError
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.blobs import CHUNK_BYTES, BlobMissing, BlobRef, BlobStoreUnavailable, ref_for

ENDPOINT_ENV = "PANELIST_MEDIA_S3_ENDPOINT"
REGION_ENV = "PANELIST_MEDIA_S3_REGION"
_MISSING_CODES = {"NoSuchKey", "404", "NotFound"}
# Failures of the network under botocore (aiohttp's own errors, sockets, a stalled read) besides its own.
_NETWORK_ERRORS = (BotoCoreError, aiohttp.ClientError, OSError, asyncio.TimeoutError)


class S3Location(BaseSettings):
    """Where the bucket's service is: read like every other setting (environment, then `.env`), here rather than
    in the app's settings so that `open_blob_store(url)` is all a caller needs."""

    model_config = SettingsConfigDict(env_prefix="PANELIST_MEDIA_S3_", env_file=".env", extra="ignore")

    endpoint: str | None = None
    region: str | None = None


class S3BlobStore:
    def __init__(self, bucket: str, prefix: str = "", *, endpoint_url: str | None = None,
                 region: str | None = None, max_attempts: int = 3, connect_timeout: float = 10.0,
                 read_timeout: float = 60.0) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint_url = endpoint_url or None
        self.region = region or None
        self._config = AioConfig(retries={"max_attempts": max_attempts, "mode": "standard"},
                                 connect_timeout=connect_timeout, read_timeout=read_timeout,
                                 # Path-style addressing works on every S3-compatible store (MinIO, moto…).
                                 s3={"addressing_style": "path"} if self.endpoint_url else None)
        self._client: Any = None
        self._exits: AsyncExitStack | None = None
        self._lock = asyncio.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def from_url(cls, url: str) -> "S3BlobStore":
        """`s3://bucket/prefix`, with the endpoint and region of `S3Location` (environment or `.env`)."""
        parsed = urlparse(url)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise ValueError("an S3 media URL reads s3://bucket/prefix")
        where = S3Location()
        return cls(parsed.netloc, parsed.path, endpoint_url=where.endpoint, region=where.region)

    def __repr__(self) -> str:
        return f"S3BlobStore(s3://{self.bucket}/{self.prefix})"

    def key_of(self, sha256: str) -> str:
        key = f"{sha256[:2]}/{sha256}"
        return f"{self.prefix}/{key}" if self.prefix else key

    async def put(self, data: bytes, mime: str, name: str = "", *, width: int | None = None,
                  height: int | None = None) -> BlobRef:
        ref = ref_for(data, mime, name, width=width, height=height)
        key = self.key_of(ref.sha256)
        async with self._errors():
            s3 = await self._s3()
            if await self._size(s3, key) == len(data):
                return ref
            await s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=ref.mime)
        return ref

    async def open(self, ref: BlobRef) -> AsyncIterator[bytes]:
        # Chunks are gathered to CHUNK_BYTES whole (the network hands over whatever arrived), like the local store.
        pending = bytearray()
        async with self._errors(ref.sha256):
            s3 = await self._s3()
            response = await s3.get_object(Bucket=self.bucket, Key=self.key_of(ref.sha256))
            async with response["Body"] as body:
                while piece := await body.read(CHUNK_BYTES - len(pending)):
                    pending += piece
                    if len(pending) == CHUNK_BYTES:
                        yield bytes(pending)
                        pending.clear()
        if pending:
            yield bytes(pending)

    async def read(self, ref: BlobRef) -> bytes:
        async with self._errors(ref.sha256):
            s3 = await self._s3()
            response = await s3.get_object(Bucket=self.bucket, Key=self.key_of(ref.sha256))
            async with response["Body"] as body:
                return await body.read()

    async def has(self, sha256: str) -> bool:
        async with self._errors():
            return await self._size(await self._s3(), self.key_of(sha256)) is not None

    async def check(self) -> None:
        probe = await self.put(b"panelist", "text/plain")
        if await self.read(probe) != b"panelist":
            raise BlobStoreUnavailable(f"media bucket {self.bucket}: what was written reads back different")

    async def aclose(self) -> None:
        async with self._lock:
            exits, self._exits, self._client = self._exits, None, None
        if exits is not None:
            await exits.aclose()

    async def _size(self, s3: Any, key: str) -> int | None:
        """The stored object's size, or None when there is none."""
        try:
            head = await s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as err:
            if _code(err) in _MISSING_CODES:
                return None
            raise
        return int(head["ContentLength"])

    async def _s3(self) -> Any:
        """The one client of this store, made on first use (it holds a connection pool)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a client's pool belongs to the loop that made it (a CLI may run several)
            self._client, self._exits, self._lock, self._loop = None, None, asyncio.Lock(), loop
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    exits = AsyncExitStack()
                    self._client = await exits.enter_async_context(get_session().create_client(
                        "s3", endpoint_url=self.endpoint_url, region_name=self.region, config=self._config))
                    self._exits = exits
        return self._client

    def _errors(self, sha256: str | None = None) -> "_StoreErrors":
        return _StoreErrors(self.bucket, sha256)


class _StoreErrors:
    """Turn botocore's and the network's errors into BlobMissing / BlobStoreUnavailable naming the bucket."""

    def __init__(self, bucket: str, sha256: str | None) -> None:
        self.bucket, self.sha256 = bucket, sha256

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, kind, err, tb) -> bool:
        if err is None or isinstance(err, (BlobMissing, BlobStoreUnavailable)):
            return False
        if isinstance(err, ClientError):
            code = _code(err)
            if code in _MISSING_CODES and self.sha256 is not None:
                raise BlobMissing(self.sha256) from None
            # The service's code and message (AccessDenied, NoSuchBucket…) say what is wrong and hold no secret.
            detail = err.response.get("Error", {}).get("Message") or ""
            raise BlobStoreUnavailable(f"media bucket {self.bucket}: {code} {detail}".rstrip()) from None
        if isinstance(err, _NETWORK_ERRORS):
            raise BlobStoreUnavailable(f"media bucket {self.bucket}: {_network_reason(err)}") from None
        return False


def _code(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Code") or err.response.get("ResponseMetadata", {}).get(
        "HTTPStatusCode", "error"))


def _network_reason(err: BaseException) -> str:
    if isinstance(err, BotoCoreError):
        # botocore's own sentences ("Could not connect to the endpoint URL: …", "Unable to locate credentials")
        # name URLs and variables, never values of credentials.
        return str(err)
    if isinstance(err, asyncio.TimeoutError):
        return "the store did not answer in time"
    return f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
