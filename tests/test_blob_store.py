"""The blob store contract, run against every store: a local folder and an S3 bucket (moto's S3 server on
loopback, tests/s3_standin.py). Plus the URL that picks a store (`open_blob_store`, `PANELIST_MEDIA_URL`)."""
from __future__ import annotations

import asyncio
import gc
import os
import random
import socket
from contextlib import aclosing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest

from app.settings import SettingsError, load_settings
from bot.blobs import CHUNK_BYTES, BlobMissing, BlobStore, BlobStoreUnavailable, ref_for
from storage.blobs import LocalBlobStore, default_media_url, media_url_problem, open_blob_store
from storage.blobs.s3 import ENDPOINT_ENV, REGION_ENV, S3BlobStore
from tests.s3_standin import FAKE_CREDENTIALS, REGION, S3StandIn, s3_standin

STORES = ["local", "s3"]
PICTURE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture(scope="module")
def standin():
    with s3_standin() as running:
        yield running


@pytest.fixture
def aws_env(monkeypatch, standin):
    """What an S3 deployment sets: AWS credentials, our endpoint and region; nothing from this machine's ~/.aws."""
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv(ENDPOINT_ENV, standin.endpoint)
    monkeypatch.setenv(REGION_ENV, REGION)


@dataclass
class Subject:
    """A store under test and a look at what it holds from outside, to tell a write from no write."""

    store: Any
    stored: Callable[[], list]  # one entry per object written (a re-upload adds or changes one)
    damage: Callable[[str, bytes], None]  # overwrite the stored bytes of a sha256 from outside the store


def _local_subject(root: Path) -> Subject:
    def stored() -> list:
        return sorted((str(p.relative_to(root)), p.stat().st_ino, p.stat().st_mtime_ns, p.stat().st_size)
                      for p in root.rglob("*") if p.is_file())

    def damage(sha256: str, data: bytes) -> None:
        store.path_of(sha256).write_bytes(data)

    store = LocalBlobStore(root)
    return Subject(store, stored, damage)


def _s3_subject(standin: S3StandIn) -> Subject:
    bucket = standin.new_bucket()
    store = open_blob_store(f"s3://{bucket}/media")
    assert isinstance(store, S3BlobStore)

    def damage(sha256: str, data: bytes) -> None:
        standin.client().put_object(Bucket=bucket, Key=store.key_of(sha256), Body=data)

    return Subject(store, lambda: standin.versions(bucket), damage)


@pytest.fixture(params=STORES)
async def subject(request, tmp_path):
    if request.param == "local":
        yield _local_subject(tmp_path / "media")
        return
    request.getfixturevalue("aws_env")
    made = _s3_subject(request.getfixturevalue("standin"))
    yield made
    await made.store.aclose()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_every_store_is_a_blob_store(subject):
    assert isinstance(subject.store, BlobStore)


async def test_put_read_open_round_trip(subject):
    ref = await subject.store.put(PICTURE, "image/png", "chart.png", width=32, height=32)
    assert ref == ref_for(PICTURE, "image/png", "chart.png", width=32, height=32)
    assert await subject.store.read(ref) == PICTURE
    async with aclosing(subject.store.open(ref)) as chunks:
        assert b"".join([chunk async for chunk in chunks]) == PICTURE
    assert await subject.store.has(ref.sha256)
    assert not await subject.store.has(ref_for(b"other bytes", "text/plain").sha256)
    assert [entry[-1] for entry in subject.stored()] == [len(PICTURE)]


async def test_an_empty_blob_is_a_blob(subject):
    ref = await subject.store.put(b"", "text/plain")
    assert ref.size == 0 and await subject.store.read(ref) == b""
    async with aclosing(subject.store.open(ref)) as chunks:
        assert [chunk async for chunk in chunks] == []


async def test_the_same_bytes_are_stored_once(subject):
    first = await subject.store.put(PICTURE, "image/png", "a.png")
    after_first = subject.stored()
    again = await subject.store.put(PICTURE, "application/octet-stream", "copy.bin")
    assert subject.stored() == after_first  # nothing written: same object, same version / inode / mtime
    assert again.sha256 == first.sha256 and again.name == "copy.bin"  # the ref still says what the caller said


async def test_a_stored_object_of_the_wrong_size_is_written_again(subject):
    ref = await subject.store.put(PICTURE, "image/png")
    subject.damage(ref.sha256, PICTURE[:10])  # e.g. copied in by hand and cut short
    before = subject.stored()
    await subject.store.put(PICTURE, "image/png")
    assert subject.stored() != before
    assert await subject.store.read(ref) == PICTURE


async def test_a_large_blob_streams_in_chunks(subject):
    data = random.Random(20).randbytes(3 * 1024 * 1024 + 12345)
    ref = await subject.store.put(data, "video/mp4", "clip.mp4")
    async with aclosing(subject.store.open(ref)) as chunks:
        sizes, received = [], bytearray()
        async for chunk in chunks:
            sizes.append(len(chunk))
            received += chunk
    assert received == data
    assert all(size <= CHUNK_BYTES for size in sizes)
    assert sizes[:-1] == [CHUNK_BYTES] * (len(sizes) - 1) and 0 < sizes[-1] <= CHUNK_BYTES


async def test_a_reader_may_stop_early(subject):
    data = random.Random(21).randbytes(2 * CHUNK_BYTES + 1)
    ref = await subject.store.put(data, "application/octet-stream")
    async with aclosing(subject.store.open(ref)) as chunks:
        async for chunk in chunks:
            assert chunk == data[:CHUNK_BYTES]
            break
    assert await subject.store.read(ref) == data  # the store is still fine afterwards


async def test_bytes_not_stored_are_missing(subject):
    ref = ref_for(b"never stored", "text/plain")
    with pytest.raises(BlobMissing):
        await subject.store.read(ref)
    with pytest.raises(BlobMissing):
        async with aclosing(subject.store.open(ref)) as chunks:
            async for _ in chunks:
                pass
    assert not await subject.store.has(ref.sha256)


async def test_check_writes_and_reads_a_probe(subject):
    await subject.store.check()
    await subject.store.check()  # the probe is stored once
    assert len(subject.stored()) == 1


async def test_s3_keys_and_content_type(aws_env, standin):
    bucket = standin.new_bucket()
    for url, prefix in ((f"s3://{bucket}/a/b/", "a/b/"), (f"s3://{bucket}", "")):
        store = open_blob_store(url)
        try:
            ref = await store.put(PICTURE, "image/png")
        finally:
            await store.aclose()
        key = f"{prefix}{ref.sha256[:2]}/{ref.sha256}"
        assert standin.content_type(bucket, key) == "image/png"
    assert {key for key, _, _ in standin.versions(bucket)} == {
        f"a/b/{ref.sha256[:2]}/{ref.sha256}", f"{ref.sha256[:2]}/{ref.sha256}"}


# --- A store that cannot be reached: a clear error naming it, nothing half-stored -------------------------------

@dataclass
class Broken:
    store: Any
    names: str  # what the error message starts with
    untouched: Callable[[], bool]  # nothing (half-)stored anywhere


@pytest.fixture(params=STORES)
async def broken(request, tmp_path):
    """A store that cannot be used: a local root that is a file; an S3 endpoint on a port nobody listens on."""
    if request.param == "local":
        root = tmp_path / "media"
        root.write_bytes(b"not a folder")
        yield Broken(LocalBlobStore(root), f"media folder {root}: ",
                     lambda: root.read_bytes() == b"not a folder" and [p.name for p in tmp_path.iterdir()] == ["media"])
        return
    request.getfixturevalue("aws_env")
    standin = request.getfixturevalue("standin")
    bucket = standin.new_bucket()  # exists, but behind an endpoint the store cannot reach
    store = S3BlobStore(bucket, "media", endpoint_url=f"http://127.0.0.1:{closed_port()}", region=REGION,
                        max_attempts=1)
    yield Broken(store, f"media bucket {bucket}: Could not connect", lambda: standin.versions(bucket) == [])
    await store.aclose()


async def test_an_unreachable_store_says_so_and_stores_nothing(broken):
    ref = ref_for(PICTURE, "image/png")

    async def read_chunks():
        async with aclosing(broken.store.open(ref)) as chunks:
            return [chunk async for chunk in chunks]

    for attempt in (broken.store.put(PICTURE, "image/png"), broken.store.check(), broken.store.read(ref),
                    read_chunks(), broken.store.has(ref.sha256)):
        with pytest.raises(BlobStoreUnavailable) as caught:
            await attempt
        assert str(caught.value).startswith(broken.names), caught.value
        for secret in FAKE_CREDENTIALS.values():
            assert secret not in str(caught.value)
    assert broken.untouched()


async def test_a_bucket_that_does_not_exist_is_unavailable(aws_env):
    store = open_blob_store("s3://no-such-bucket-here/media")
    try:
        with pytest.raises(BlobStoreUnavailable, match="media bucket no-such-bucket-here: NoSuchBucket"):
            await store.put(PICTURE, "image/png")
        with pytest.raises(BlobStoreUnavailable, match="NoSuchBucket"):
            await store.check()
    finally:
        await store.aclose()


async def test_missing_credentials_are_unavailable_not_a_crash(aws_env, monkeypatch, standin):
    for name in FAKE_CREDENTIALS:
        monkeypatch.delenv(name)
    bucket = standin.new_bucket()
    store = open_blob_store(f"s3://{bucket}")
    try:
        with pytest.raises(BlobStoreUnavailable, match=f"media bucket {bucket}: Unable to locate credentials"):
            await store.check()
    finally:
        await store.aclose()


async def test_a_closed_store_opens_its_client_again(aws_env, standin):
    store = open_blob_store(f"s3://{standin.new_bucket()}")
    ref = await store.put(PICTURE, "image/png")
    await store.aclose()
    await store.aclose()  # twice is harmless
    try:
        assert await store.read(ref) == PICTURE
    finally:
        await store.aclose()


# The first loop's client cannot be closed once its loop is gone; aiohttp says so when it is collected (here).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_store_serves_one_event_loop_after_another(aws_env, standin):
    # A CLI may run several asyncio.run() calls over one store; a client belongs to the loop that made it.
    store = open_blob_store(f"s3://{standin.new_bucket()}")
    ref = asyncio.run(store.put(PICTURE, "image/png"))
    assert asyncio.run(store.read(ref)) == PICTURE
    asyncio.run(store.aclose())
    gc.collect()


# --- Which store a URL names --------------------------------------------------------------------------------------

def test_urls_pick_a_store(monkeypatch, tmp_path):
    monkeypatch.setenv(ENDPOINT_ENV, "http://127.0.0.1:9000")
    monkeypatch.setenv(REGION_ENV, "eu-west-3")
    assert open_blob_store(str(tmp_path)).root == tmp_path
    assert open_blob_store(f"file://{tmp_path}").root == tmp_path
    assert open_blob_store(f"file://localhost{tmp_path}/with%20space").root == tmp_path / "with space"
    assert open_blob_store("relative/media").root == Path("relative/media")
    s3 = open_blob_store("s3://my-bucket.example/team/media/")
    assert isinstance(s3, S3BlobStore)
    assert (s3.bucket, s3.prefix, s3.endpoint_url, s3.region) == (
        "my-bucket.example", "team/media", "http://127.0.0.1:9000", "eu-west-3")
    monkeypatch.delenv(ENDPOINT_ENV)
    monkeypatch.delenv(REGION_ENV)
    aws = open_blob_store("s3://my-bucket")
    assert (aws.bucket, aws.prefix, aws.endpoint_url, aws.region) == ("my-bucket", "", None, None)


def test_the_s3_endpoint_and_region_may_come_from_the_dotenv_file(monkeypatch, tmp_path):
    monkeypatch.delenv(ENDPOINT_ENV, raising=False)
    monkeypatch.delenv(REGION_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(f"{ENDPOINT_ENV}=http://minio.internal:9000\n{REGION_ENV}=eu-central-1\n")
    store = open_blob_store("s3://team-media")
    assert (store.endpoint_url, store.region) == ("http://minio.internal:9000", "eu-central-1")


@pytest.mark.parametrize("url, problem", [
    ("ftp://host/media", "scheme"),
    ("https://bucket.s3.amazonaws.com/media", "scheme"),
    ("s3://", "bucket"),
    ("s3:///prefix", "bucket"),
    ("s3://Upper-Case", "bucket"),
    ("s3://ab", "bucket"),
    ("s3://bucket_with_underscore", "bucket"),
    ("s3://-leading-hyphen", "bucket"),
    ("s3://AKIAEXAMPLE:very-secret@bucket/media", "bucket"),
    ("s3://bucket/media?versionId=1", "bucket"),
    ("file://otherhost/media", "file_host"),
])
def test_bad_media_urls_are_refused(url, problem):
    assert media_url_problem(url) == problem
    with pytest.raises(ValueError) as caught:
        open_blob_store(url)
    assert "very-secret" not in str(caught.value)


def test_default_media_url(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert default_media_url(f"sqlite:///{tmp_path}/bot.db") == f"{tmp_path}/bot.media"
    assert default_media_url("sqlite:///:memory:") == "panelist-media"
    assert default_media_url("postgresql://postgres@127.0.0.1/panelist") == str(tmp_path / "panelist-media")


# --- PANELIST_MEDIA_URL in the settings -----------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["media", "/var/lib/panelist/media", "file:///srv/media", "s3://panelist-media",
                                 "s3://panelist-media/prod"])
def test_media_url_settings_accept_every_store(url, tmp_path):
    assert load_settings(media_url=url, _env_file=None).media_url == url


def test_an_empty_media_url_means_the_default(tmp_path):
    assert load_settings(media_url="", _env_file=None).media_url is None


@pytest.mark.parametrize("url, words", [
    ("ftp://host/media", "must be a folder path, file:///folder or s3://bucket/prefix"),
    ("s3://AKIAEXAMPLE:very-secret@bucket", "an S3 media URL reads s3://bucket/prefix"),
    ("file://nas/media", "a file:// media URL names a folder on this machine"),
])
def test_a_bad_media_url_is_one_clear_settings_line(url, words):
    with pytest.raises(SettingsError) as caught:
        load_settings(media_url=url, _env_file=None)
    line = str(caught.value)
    assert line.startswith("PANELIST_MEDIA_URL: ") and words in line
    assert "very-secret" not in line and "\n" not in line


def test_the_test_run_keeps_its_media_in_a_folder_of_its_own():
    # tests/conftest.py points PANELIST_MEDIA_URL at a temporary folder; the settings take it as it is.
    assert load_settings(_env_file=None).media_url == os.environ["PANELIST_MEDIA_URL"]
