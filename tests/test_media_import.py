"""Importing task files that carry media, on both backends: a .zip's media and (on the CLI) https URLs are checked by
content and stored once in the blob store; bad media are reported by line, naming the attachment; a refused .zip
or an unreachable store imports nothing half-way."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.blobs import BlobRef, sha256_of
from domain.problems import english
from handlers.shared.task_service import create_project, import_file, import_in_transaction
from storage.blobs import LocalBlobStore
from storage.uow import UnitOfWork
from tests.flows.tasks_data import SPECS
from tests.media_files import PDF, bundle, image, item, jsonl, wav

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
CHART = image(120, 80, colour=(20, 90, 200))
OTHER = image(90, 60, colour=(240, 200, 10))
VOICE = wav(0.5)


class FetchRefused(Exception):
    """What storage.blobs.fetch raises: a refusal with a code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Fetcher:
    """An https fetcher for the tests: serves `pages`, refuses the rest with a code, counts what it was asked."""

    def __init__(self, pages: dict[str, bytes], refuse: dict[str, str] | None = None) -> None:
        self.pages, self.refuse, self.asked = pages, refuse or {}, []

    async def __call__(self, url: str, *, max_bytes: int, timeout: float) -> tuple[bytes, str]:
        self.asked.append(url)
        if url in self.refuse:
            raise FetchRefused(self.refuse[url])
        data = self.pages[url]
        if len(data) > max_bytes:
            raise FetchRefused("too_big")
        return data, "application/octet-stream"


async def project(db):
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        spec = SPECS["error_check_medicine"]
        created = await create_project(uow, spec.read_bytes(), spec.name, None, NOW)
        return await uow.projects.get(created.project_id)


async def items(db, project_row) -> dict[str, dict]:
    async with db.transaction() as tx:
        rows = await tx.fetch("SELECT external_id, item FROM tasks WHERE project_id = $1", project_row.id)
    return {r["external_id"]: json.loads(r["item"]) for r in rows}


def stored_files(root: Path) -> set[str]:
    return {p.name for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")} if root.exists() else set()


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


GOOD_ZIP = bundle({
    "tasks.jsonl": jsonl(
        item("c1", {"kind": "image", "path": "media/chart.png", "alt": "Monthly sales"},
             response_media={"kind": "audio", "path": "media/voice.wav"}),
        item("c2", {"kind": "image", "path": "./media/chart.png"}, {"kind": "image", "path": "media/other.png"})),
    "media/chart.png": CHART, "media/other.png": OTHER, "media/voice.wav": VOICE,
})


async def test_a_zip_is_imported_with_its_media_stored_once(db, tmp_path):
    p = await project(db)
    root = tmp_path / "media"
    blobs = LocalBlobStore(root)
    report = await import_file(db, p, write(tmp_path, "tasks.zip", GOOD_ZIP), False, NOW, blobs=blobs)
    assert report.ok and report.imported == 2, report
    got = await items(db, p)
    chart = got["c1"]["attachments"][0]
    assert chart["blob"]["sha256"] == sha256_of(CHART) and chart["blob"]["mime"] == "image/png"
    assert (chart["blob"]["width"], chart["blob"]["height"], chart["blob"]["name"]) == (120, 80, "chart.png")
    assert chart["path"] == "media/chart.png" and chart["alt"] == "Monthly sales"
    assert got["c1"]["responses"][0]["attachments"][0]["blob"]["mime"] == "audio/wav"
    assert got["c2"]["attachments"][0]["blob"] == chart["blob"]  # the same bytes, the same ref
    files = stored_files(root)
    assert files == {sha256_of(CHART), sha256_of(OTHER), sha256_of(VOICE)}
    assert await blobs.read(BlobRef.model_validate(chart["blob"])) == CHART

    # again, and again under new ids: the same refs, nothing new in the store
    mtimes = {p.name: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}
    again = await import_file(db, p, write(tmp_path, "tasks.zip", GOOD_ZIP), False, NOW, blobs=blobs)
    assert (again.imported, again.unchanged_existing) == (0, 2)
    assert (await import_file(db, p, write(tmp_path, "again.zip", bundle({
        "tasks.jsonl": jsonl(item("d1", {"kind": "image", "path": "m/c.png"})), "m/c.png": CHART})),
        False, NOW, blobs=blobs)).imported == 1
    assert (await items(db, p))["d1"]["attachments"][0]["blob"]["sha256"] == chart["blob"]["sha256"]
    assert {p.name: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()} == mtimes


async def test_bad_media_are_line_problems_naming_the_attachment(db, tmp_path):
    p = await project(db)
    root = tmp_path / "media"
    data = bundle({
        "tasks.jsonl": jsonl(
            item("ok", {"kind": "image", "path": "media/chart.png"}),
            item("pdf", response_media={"kind": "image", "path": "media/report.pdf"}),
            item("missing", {"kind": "image", "path": "media/none.png"}),
            item("escape", {"kind": "image", "path": "../chart.png"}),
            item("voice", {"kind": "audio", "path": "media/report.pdf"}),
            item("hash", {"kind": "image", "blob": {"sha256": "0" * 64, "size": 1}})),
        "media/chart.png": CHART, "media/report.pdf": PDF,
    })
    report = await import_file(db, p, write(tmp_path, "t.zip", data), False, NOW, blobs=LocalBlobStore(root))
    assert report.imported == 1 and report.problem_count == 5
    said = [str(problem) for problem in report.problems]
    assert said == [
        "line 2: responses[0].attachments[0]: not an image (it is PDF)",
        "line 3: attachments[0]: media/none.png is not in the .zip",
        "line 4: attachments[0]: ../chart.png: a path must be relative inside the .zip, with / and without ..",
        "line 5: attachments[0]: not audio (it is PDF)",
        "line 6: attachments[0]: blob is filled in by the import; name the file by url or path",
    ]
    assert set(await items(db, p)) == {"ok"}
    assert stored_files(root) == {sha256_of(CHART)}  # the refused PDF was never stored


async def test_a_refused_zip_imports_nothing(db, tmp_path):
    p = await project(db)
    root = tmp_path / "media"
    data = bundle({"tasks.jsonl": jsonl(item("a", {"kind": "image", "path": "chart.png"})), "chart.png": CHART,
                   "../../etc/cron.d/evil": b"* * * * * root true\n"})
    report = await import_file(db, p, write(tmp_path, "t.zip", data), False, NOW, blobs=LocalBlobStore(root))
    assert not report.ok and report.imported == 0
    assert [english(r) for r in report.refused] == [
        "the .zip holds an unsafe path '../../etc/cron.d/evil': paths must be relative, with / and without .."]
    assert await items(db, p) == {} and stored_files(root) == set()


async def test_urls_are_fetched_on_the_cli_once_each(db, tmp_path):
    p = await project(db)
    root = tmp_path / "media"
    fetch = Fetcher({"https://cdn.example.org/chart.png": CHART, "https://cdn.example.org/big.wav": VOICE},
                    {"https://10.0.0.7/x.png": "private_address", "https://slow.example.org/y.png": "timeout"})
    lines = jsonl(
        item("u1", {"kind": "image", "url": "https://cdn.example.org/chart.png"}),
        item("u2", {"kind": "image", "url": "https://cdn.example.org/chart.png"}),
        item("u3", {"kind": "image", "url": "https://10.0.0.7/x.png"}),
        item("u4", {"kind": "image", "url": "https://slow.example.org/y.png"}),
        item("u5", {"kind": "image", "url": "http://cdn.example.org/chart.png"}),
        item("u6", {"kind": "image", "url": "https://cdn.example.org/big.wav"}))
    report = await import_file(db, p, write(tmp_path, "t.jsonl", lines), False, NOW, blobs=LocalBlobStore(root),
                               fetch=fetch)
    assert report.imported == 2
    assert [str(problem) for problem in report.problems] == [
        "line 3: attachments[0]: https://10.0.0.7/x.png could not be fetched: it points at a private, local or "
        "reserved address",
        "line 4: attachments[0]: https://slow.example.org/y.png could not be fetched: the server took too long to answer",
        "line 5: attachments[0].url: url must start with https://",
        "line 6: attachments[0]: not an image (it is WAV)",
    ]
    assert fetch.asked.count("https://cdn.example.org/chart.png") == 1
    assert "http://cdn.example.org/chart.png" not in fetch.asked
    assert (await items(db, p))["u2"]["attachments"][0]["blob"]["sha256"] == sha256_of(CHART)
    assert stored_files(root) == {sha256_of(CHART)}


async def test_all_or_nothing_with_a_bad_medium_stores_nothing(db, tmp_path):
    p = await project(db)
    root = tmp_path / "media"
    data = bundle({"tasks.jsonl": jsonl(item("a", {"kind": "image", "path": "chart.png"}),
                                        item("b", {"kind": "image", "path": "gone.png"})), "chart.png": CHART})
    report = await import_file(db, p, write(tmp_path, "t.zip", data), True, NOW, blobs=LocalBlobStore(root))
    assert report.imported == 0 and [str(x) for x in report.problems] == [
        "line 2: attachments[0]: gone.png is not in the .zip"]
    assert await items(db, p) == {} and stored_files(root) == set()


def broken_store(tmp_path: Path, *media: bytes) -> LocalBlobStore:
    """A store whose folders for `media` cannot be made (a plain file is in the way): those puts fail as a full or
    unmounted disk would, the rest work."""
    root = tmp_path / "broken-media"
    root.mkdir()
    for data in media:
        (root / sha256_of(data)[:2]).write_bytes(b"in the way")
    return LocalBlobStore(root)


async def test_an_unreachable_store_fails_the_cli_import_clearly(db, tmp_path):
    p = await project(db)
    store = broken_store(tmp_path, CHART)
    report = await import_file(db, p, write(tmp_path, "tasks.zip", GOOD_ZIP), False, NOW, blobs=store)
    assert [english(r) for r in report.refused] == [
        "the media store could not be reached, so nothing from line 1 on was imported; try again once it is back"]
    assert "media folder" in report.store_detail and not report.ok
    assert await items(db, p) == {}


async def test_a_store_failing_midway_keeps_only_lines_with_all_their_media(db, tmp_path):
    p = await project(db)
    report = await import_file(db, p, write(tmp_path, "tasks.zip", GOOD_ZIP), False, NOW,
                               blobs=broken_store(tmp_path, OTHER))
    assert [english(r) for r in report.refused] == [
        "the media store could not be reached, so nothing from line 2 on was imported; try again once it is back"]
    assert report.imported == 1 and set(await items(db, p)) == {"c1"}


async def test_chat_refuses_urls_takes_zip_media_and_holds_every_row_until_the_store_took_all(db, tmp_path):
    p = await project(db)
    root = tmp_path / "media"
    async with db.transaction() as tx:
        report = await import_in_transaction(UnitOfWork(tx), p, jsonl(
            item("u", {"kind": "image", "url": "https://cdn.example.org/chart.png"}),
            item("bare", {"kind": "image", "path": "media/chart.png"})), False, NOW, None, LocalBlobStore(root))
    assert [str(x) for x in report.problems] == [
        "line 1: attachments[0]: media by URL are fetched only on the command line (panelist tasks import); or put "
        "the file in the .zip and name it by path",
        "line 2: attachments[0]: media/chart.png: a path is for a file inside a .zip, but this task file came alone; "
        "send a .zip with the task file and its media"]
    async with db.transaction() as tx:
        report = await import_in_transaction(UnitOfWork(tx), p, GOOD_ZIP, False, NOW, None, LocalBlobStore(root),
                                             "tasks.bin")  # a .zip by content, whatever its name
    assert report.imported == 2 and stored_files(root) == {sha256_of(CHART), sha256_of(OTHER), sha256_of(VOICE)}

    # the store fails on the second line's second image: the first line (its media stored) is not kept either
    q = await project_named_copy(db)
    store = broken_store(tmp_path, OTHER)
    async with db.transaction() as tx:
        report = await import_in_transaction(UnitOfWork(tx), q, GOOD_ZIP, False, NOW, None, store)
    assert report.imported == 0 and [english(r) for r in report.refused] == [
        "the media store could not be reached (at line 2), so nothing was imported; try again once it is back"]
    assert await items(db, q) == {}


async def project_named_copy(db):
    """A second error_check project (same spec, another name)."""
    spec = SPECS["error_check_medicine"].read_text(encoding="utf-8")
    first = spec.splitlines()[0]
    assert first.startswith("name:")
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        created = await create_project(uow, spec.replace(first, "name: Second media project", 1).encode(),
                                       "second.yaml", None, NOW)
        assert created.project_id, created.errors
        return await uow.projects.get(created.project_id)


@pytest.mark.parametrize("name", ["tasks.zip", "tasks.jsonl"])
async def test_a_zip_named_anything_is_read_as_a_zip_and_a_fake_zip_is_refused(db, tmp_path, name):
    p = await project(db)
    report = await import_file(db, p, write(tmp_path, name, GOOD_ZIP), False, NOW, blobs=LocalBlobStore(tmp_path / "m"))
    assert report.imported == 2
    fake = await import_file(db, p, write(tmp_path, "fake.zip", b'{"not": "a zip"}\n'), False, NOW,
                             blobs=LocalBlobStore(tmp_path / "m"))
    assert fake.refused and english(fake.refused[0]).startswith("not a readable .zip file")


def test_the_cli_imports_a_zip_and_says_why_when_it_cannot(database_url, capsys, monkeypatch, tmp_path):
    from app.cli import main

    media = tmp_path / "cli-media"
    monkeypatch.setenv("PANELIST_DATABASE_URL", database_url)
    monkeypatch.setenv("PANELIST_MEDIA_URL", str(media))
    assert main(["project", "create", str(SPECS["error_check_medicine"])]) == 0
    capsys.readouterr()
    good = write(tmp_path, "charts.zip", GOOD_ZIP)
    assert main(["tasks", "import", "drug interaction", good]) == 0
    assert "imported 2, unchanged (already there) 0, problems 0" in capsys.readouterr().out
    assert stored_files(media) == {sha256_of(CHART), sha256_of(OTHER), sha256_of(VOICE)}

    bomb = write(tmp_path, "bomb.zip", bundle({"tasks.jsonl": jsonl(item("z", {"kind": "image", "path": "z.png"})),
                                               "z.png": b"\0" * (30 * 1024 * 1024)}))
    assert main(["tasks", "import", "drug interaction", bomb]) == 1
    out, err = capsys.readouterr()
    assert "z.png in the .zip unpacks to more than 200:1 of its packed size (a zip bomb?)" in err
    assert "imported 0" in out

    monkeypatch.setenv("PANELIST_MEDIA_URL", good)  # a file where the media folder should be
    again = write(tmp_path, "new.zip", bundle({"tasks.jsonl": jsonl(item("n1", {"kind": "image", "path": "a.png"})),
                                               "a.png": image(33, 33)}))
    assert main(["tasks", "import", "drug interaction", again]) == 1
    out, err = capsys.readouterr()
    assert "the media store could not be reached, so nothing from line 1 on was imported" in err
    assert "media folder" in err and "imported 0" in out


async def test_an_oversized_member_and_the_per_import_budget_are_line_problems(db, tmp_path):
    import io
    import os

    from domain.task_bundle import TaskBundle
    from domain.task_import import GoodLine, TaskItem
    from handlers.shared.task_media import MediaResolver

    p = await project(db)
    big = b"\x89PNG\r\n\x1a\n" + os.urandom(10 * 1024 * 1024)
    data = bundle({"tasks.jsonl": jsonl(item("big", {"kind": "image", "path": "big.png"})), "big.png": big})
    report = await import_file(db, p, write(tmp_path, "t.zip", data), False, NOW, blobs=LocalBlobStore(tmp_path / "m"))
    assert [str(x) for x in report.problems] == [
        "line 1: attachments[0]: 10.1 MB, more than the 10.0 MB this kind of medium may have"]

    # two distinct images against a budget that holds one: the second line is refused, the first stored
    store = LocalBlobStore(tmp_path / "budget")
    with TaskBundle.open(io.BytesIO(GOOD_ZIP)) as zipped:
        resolver = MediaResolver(store, zipped, budget=len(CHART) + 10)
        first = await resolver.resolve(GoodLine(line_no=1, item=TaskItem.model_validate(
            item("a", {"kind": "image", "path": "media/chart.png"}))))
        second = await resolver.resolve(GoodLine(line_no=2, item=TaskItem.model_validate(
            item("b", {"kind": "image", "path": "media/other.png"}))))
    assert isinstance(first, GoodLine) and first.item.attachments[0].blob.sha256 == sha256_of(CHART)
    assert str(second) == "line 2: attachments[0]: the media of this import pass 0.1 MB; split the file into smaller ones"
    assert stored_files(tmp_path / "budget") == {sha256_of(CHART)}


async def test_the_real_fetcher_is_the_default_and_refuses_private_addresses(db, tmp_path):
    """No fetcher injected: storage.blobs.fetch.fetch_https itself, which never connects to these."""
    p = await project(db)
    lines = jsonl(item("p1", {"kind": "image", "url": "https://127.0.0.1:9/x.png"}),
                  item("p2", {"kind": "image", "url": "https://[::1]/y.png"}))
    report = await import_file(db, p, write(tmp_path, "t.jsonl", lines), False, NOW,
                               blobs=LocalBlobStore(tmp_path / "media"))
    assert report.imported == 0
    assert [str(problem) for problem in report.problems] == [
        "line 1: attachments[0]: https://127.0.0.1:9/x.png could not be fetched: it points at a private, local or "
        "reserved address",
        "line 2: attachments[0]: https://[::1]/y.png could not be fetched: it points at a private, local or "
        "reserved address",
    ]
