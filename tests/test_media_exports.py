"""Exports of projects whose items carry media, on both backends: references (never bytes or store addresses) in
jsonl and csv; `--with-media` zips with each blob once, loadable by Hugging Face `datasets`; dpo and sft say what
media they leave out; a project without media exports as it did before media existed."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from domain.exports import ExportFilters, media_path
from domain.task_import import Attachment, Response, TaskItem
from domain.task_types import PairwiseAnswer
from handlers.export import write_export, zip_size_bound
from handlers.shared.task_service import create_project
from storage.blobs import LocalBlobStore
from storage.uow import UnitOfWork
from tests.flows.adapters import ADAPTERS
from tests.flows.helpers import files_for, grant, watch_files
from tests.flows.tasks_data import SPECS
from tests.media_files import image, wav

ROOT = Path(__file__).resolve().parent.parent
SECRET = b"media-export-secret"
T0 = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)
REFERENCE_KEYS = {"sha256", "mime", "name", "kind", "alt"}
HOSTILE_NAME = "=HYPERLINK(\"http://evil\")"


async def put_media(store: LocalBlobStore) -> dict:
    return {
        "red": await store.put(image(40, 30, colour="red"), "image/png", "chart.png", width=40, height=30),
        "blue": await store.put(image(20, 10, colour="blue"), "image/png", HOSTILE_NAME, width=20, height=10),
        "voice": await store.put(wav(0.1), "audio/wav", "reading.wav"),
    }


def items(refs: dict) -> list[TaskItem]:
    red, blue, voice = refs["red"], refs["blue"], refs["voice"]
    return [
        TaskItem(external_id="img-1", prompt="Which caption fits the chart?",
                 attachments=[Attachment(kind="image", path="charts/a.png", alt="Sales by month", blob=red)],
                 responses=[Response(id="a", text="Sales rise.", attachments=[
                     Attachment(kind="image", url="https://example.org/a.png", blob=red)]),
                     Response(id="b", text="Sales fall.")]),
        TaskItem(external_id="img-2", prompt="Which image matches the reading?", context="Listen first.",
                 context_attachments=[Attachment(kind="audio", path="r.wav", alt="=cmd|' /C calc'!A0",
                                                 blob=voice)],
                 responses=[Response(id="a", attachments=[Attachment(kind="image", path="b.png", blob=blue)]),
                            Response(id="b", attachments=[Attachment(kind="image", path="a.png", blob=red)])]),
        TaskItem(external_id="plain-3", prompt="A question with no media.",
                 responses=[Response(id="a", text="One."), Response(id="b", text="Two.")]),
    ]


async def seed(db, item_list: list[TaskItem], name: str = "Chart captions"):
    """A pairwise project whose items are written straight through storage (as an import stores them)."""
    now = datetime.now(timezone.utc)
    spec = SPECS["pairwise_law"].read_text(encoding="utf-8")
    spec = spec.replace("name: Tenancy law — which answer is better", f"name: {name}", 1)
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        created = await create_project(uow, spec.encode(), "spec.yaml", None, now)
        project = await uow.projects.get(created.project_id)
        await uow.tasks.insert_many(project.id, [(i.external_id, i.model_dump_json(), False, 3) for i in item_list],
                                    now)
        people = [await tx.fetchval("INSERT INTO persons (display_name, created_at) VALUES ($1, $2) RETURNING id",
                                    who, T0) for who in ("Quillon Abernathy-Ruiz", "Marisol Tennant-Okafor")]
    return project, people


async def submit(db, project, external_id: str, person_id: int, answer, review: str = "approved") -> int:
    async with db.transaction() as tx:
        task = await tx.fetchrow("SELECT id FROM tasks WHERE project_id = $1 AND external_id = $2", project.id,
                                 external_id)
        slot = await tx.fetchval("SELECT COUNT(*) FROM assignments WHERE task_id = $1", task["id"])
        aid = await tx.fetchval(
            "INSERT INTO assignments (task_id, project_id, person_id, slot, status, is_gold, assigned_at,"
            " lease_expires_at) VALUES ($1, $2, $3, $4, 'submitted', 0, $5, $6) RETURNING id",
            task["id"], project.id, person_id, int(slot), T0 - timedelta(minutes=2), T0 + timedelta(hours=1))
        return await tx.fetchval(
            "INSERT INTO submissions (assignment_id, task_id, project_id, person_id, answer, seconds_spent, late,"
            " submitted_at, form_values, review_state) VALUES ($1, $2, $3, $4, $5, 90, 0, $6, '{}', $7)"
            " RETURNING id",
            aid, task["id"], project.id, person_id, answer.model_dump_json(), T0, review)


A = PairwiseAnswer(preference="a_better", justification="A reads the chart right.")
B = PairwiseAnswer(preference="b_much_better", justification="B matches.")


async def media_project(db, store):
    refs = await put_media(store)
    project, people = await seed(db, items(refs))
    for ext, who, answer in (("img-1", 0, A), ("img-1", 1, A), ("img-2", 0, B), ("plain-3", 0, A)):
        await submit(db, project, ext, people[who], answer)
    return project, refs


async def export(db, project, fmt: str, filters: ExportFilters = ExportFilters(), store=None, max_bytes=None):
    out = io.BytesIO()
    result = await write_export(db.transaction, project, fmt, filters, SECRET, out, max_bytes=max_bytes,
                                blobs=store)
    return out.getvalue(), result


def jsonl(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def reference(ref, kind: str, alt: str = "") -> dict:
    return {"sha256": ref.sha256, "mime": ref.mime, "name": ref.name, "kind": kind, "alt": alt}


@pytest.fixture
def store(tmp_path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "media-store")


# ---------------------------------------------------------------- references


async def test_jsonl_keeps_media_as_references(db, store):
    project, refs = await media_project(db, store)
    data, result = await export(db, project, "jsonl")
    records = {r["external_id"]: r for r in jsonl(data)}
    assert result.records == 4 and result.media_files == 0
    first, second, plain = records["img-1"], records["img-2"], records["plain-3"]
    assert first["attachments"] == [reference(refs["red"], "image", "Sales by month")]
    assert first["responses"] == [{"id": "a", "text": "Sales rise.", "attachments": [reference(refs["red"], "image")]},
                                  {"id": "b", "text": "Sales fall."}]
    assert "context_attachments" not in first
    assert second["context_attachments"] == [reference(refs["voice"], "audio", "=cmd|' /C calc'!A0")]
    assert [r["attachments"] for r in second["responses"]] == [[reference(refs["blue"], "image")],
                                                               [reference(refs["red"], "image")]]
    # an item without media is written exactly as before media existed
    assert "attachments" not in plain and "context_attachments" not in plain and "image" not in plain
    assert plain["responses"] == [{"id": "a", "text": "One."}, {"id": "b", "text": "Two."}]
    text = data.decode("utf-8")
    for leak in ("https://example.org", "charts/a.png", str(store.root), '"size"', '"width"', "Quillon", "Marisol"):
        assert leak not in text  # no import source, no store address, no bytes' details beyond the reference


async def test_csv_has_a_media_column_only_when_the_project_has_media(db, store):
    project, refs = await media_project(db, store)
    data, result = await export(db, project, "csv")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert result.records == 4 and list(rows[0])[-1] == "media"
    by_id = {r["external_id"]: r for r in rows}
    media = json.loads(by_id["img-2"]["media"])
    assert media == [{"where": "context", **reference(refs["voice"], "audio", "=cmd|' /C calc'!A0")},
                     {"where": "response.a", **reference(refs["blue"], "image")},
                     {"where": "response.b", **reference(refs["red"], "image")}]
    assert by_id["plain-3"]["media"] == "[]"
    # a hostile name or alt text sits inside a JSON cell that starts with `[`: no spreadsheet runs it
    raw_cells = [cell for line in csv.reader(io.StringIO(data.decode("utf-8"))) for cell in line]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in raw_cells)
    assert any(json.dumps(HOSTILE_NAME)[1:-1] in cell for cell in raw_cells)

    plain, _ = await seed(db, items(refs)[2:], name="No media here")
    header = (await export(db, plain, "csv"))[0].decode("utf-8").splitlines()[0]
    assert "media" not in header and header.endswith('"answer.justification"')


async def test_answer_files_are_written_as_references(db, store):
    """An answer that carries a file (a corrected image) names it by reference too."""
    project, refs = await media_project(db, store)
    async with db.transaction() as tx:
        await tx.execute("UPDATE submissions SET answer = $1 WHERE id = (SELECT MIN(id) FROM submissions)",
                         json.dumps({**A.model_dump(mode="json"),
                                     "file": refs["blue"].model_dump(mode="json")}))
    records = jsonl((await export(db, project, "jsonl"))[0])
    assert records[0]["answer"]["file"] == reference(refs["blue"], "image")
    assert records[0]["answer"]["justification"] == A.justification


# ---------------------------------------------------------------- with media


async def test_with_media_zip_holds_each_blob_once(db, store):
    project, refs = await media_project(db, store)
    data, result = await export(db, project, "jsonl", ExportFilters(with_media=True), store)
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    expected = {media_path(r.sha256, r.mime) for r in refs.values()}
    assert names[0] == "data.jsonl" and sorted(names[1:]) == sorted(expected) and len(names) == 4
    assert result.media_files == 3 and result.records == 4 and result.bytes == len(data)
    assert media_path(refs["red"].sha256, "image/png") == f"media/{refs['red'].sha256}.png"
    assert media_path(refs["voice"].sha256, "audio/wav").endswith(".wav")
    for ref in refs.values():
        assert archive.read(media_path(ref.sha256, ref.mime)) == store.path_of(ref.sha256).read_bytes()
    records = {r["external_id"]: r for r in jsonl(archive.read("data.jsonl"))}
    red = media_path(refs["red"].sha256, "image/png")
    blue = media_path(refs["blue"].sha256, "image/png")
    voice = media_path(refs["voice"].sha256, "audio/wav")
    assert records["img-1"]["image"] == red and records["img-1"]["images"] == [red, red]
    assert records["img-1"]["attachments"][0]["path"] == red
    assert records["img-2"]["image"] == blue and records["img-2"]["images"] == [blue, red]
    assert records["img-2"]["audio"] == voice == records["img-2"]["context_attachments"][0]["path"]
    assert records["plain-3"]["image"] is None and records["plain-3"]["images"] == []
    for record in records.values():
        for path in record["images"] + record["audios"]:
            assert path in names


async def test_a_hostile_stored_ref_never_becomes_a_path(db, store):
    """Items are checked at import; should a row still hold a ref whose hash is not one (`../`), it names no file:
    no reference, nothing read from the store, no member outside `media/`."""
    project, people = await seed(db, [])
    bad = {"external_id": "bad-1", "prompt": "Odd row", "responses": [{"id": "a", "text": "x"}, {"id": "b",
           "text": "y"}], "attachments": [{"kind": "image", "alt": "", "blob": {
               "sha256": "../../../etc/passwd", "size": 5, "mime": "image/png", "name": "p.png"}}]}
    async with db.transaction() as tx:
        await UnitOfWork(tx).tasks.insert_many(project.id, [("bad-1", json.dumps(bad), False, 1)], T0)
    await submit(db, project, "bad-1", people[0], A)
    data, result = await export(db, project, "jsonl", ExportFilters(with_media=True), store)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.namelist() == ["data.jsonl"] and result.media_files == 0
    (record,) = jsonl(archive.read("data.jsonl"))
    assert record["attachments"] == [] and record["image"] is None


class Pipe:
    """A stream that can only be written, like standard output into a pipe (`--out -`)."""

    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, chunk: bytes) -> int:
        self.data += chunk
        return len(chunk)

    def flush(self) -> None:
        pass

    def seekable(self) -> bool:
        return False


async def test_with_media_streams_into_a_pipe(db, store):
    project, refs = await media_project(db, store)
    pipe = Pipe()
    result = await write_export(db.transaction, project, "jsonl", ExportFilters(with_media=True), SECRET, pipe,
                                blobs=store)
    archive = zipfile.ZipFile(io.BytesIO(bytes(pipe.data)))
    assert archive.testzip() is None and len(archive.namelist()) == 4 and result.bytes == len(pipe.data)
    red = refs["red"]
    assert archive.read(media_path(red.sha256, red.mime)) == store.path_of(red.sha256).read_bytes()


async def test_with_media_is_jsonl_only_and_refuses_a_store_missing_a_blob(db, store, tmp_path):
    project, refs = await media_project(db, store)
    from domain.exports import ExportArgsError, check_options

    with pytest.raises(ExportArgsError) as caught:
        check_options("csv", "pairwise", ExportFilters(with_media=True))
    assert caught.value.message.key == "export.option_not_for_format"
    store.path_of(refs["voice"].sha256).unlink()
    data, result = await export(db, project, "jsonl", ExportFilters(with_media=True), store)
    assert data == b"" and result.missing_media == (refs["voice"].sha256,)


async def test_with_media_in_chat_stops_at_the_upload_limit(db, store):
    project, refs = await media_project(db, store)
    whole, _ = await export(db, project, "jsonl", ExportFilters(with_media=True), store)
    records = zipfile.ZipFile(io.BytesIO(whole)).read("data.jsonl")
    bound = zip_size_bound(len(records), {r.sha256: (r.mime, r.size) for r in refs.values()})
    assert len(whole) <= bound
    data, result = await export(db, project, "jsonl", ExportFilters(with_media=True), store,
                                max_bytes=bound - 1)  # the records fit, not with their media
    assert data == b"" and result.too_big and result.records == 0
    data, result = await export(db, project, "jsonl", ExportFilters(with_media=True), store, max_bytes=500)
    assert data == b"" and result.too_big and not result.truncated  # not even the records fit
    data, result = await export(db, project, "jsonl", ExportFilters(with_media=True), store, max_bytes=bound)
    assert result.media_files == 3 and not result.too_big and zipfile.ZipFile(io.BytesIO(data)).testzip() is None


async def test_with_media_loads_with_datasets(db, store, tmp_path, monkeypatch):
    """The zip, extracted, loads with `datasets`: `image` casts with `Image()`, `images` with `List(Image())`."""
    try:
        import datasets
    except ImportError as err:  # pragma: no cover - the venv has it
        pytest.skip(f"Hugging Face datasets is not installed: {err}")
    project, refs = await media_project(db, store)
    data, _ = await export(db, project, "jsonl", ExportFilters(with_media=True), store)
    folder = tmp_path / "unzipped"
    zipfile.ZipFile(io.BytesIO(data)).extractall(folder)
    monkeypatch.chdir(folder)  # the paths are relative to the folder the zip was extracted into
    ds = datasets.load_dataset("json", data_files="data.jsonl", split="train", cache_dir=str(tmp_path / "cache"))
    ds = ds.cast_column("image", datasets.Image()).cast_column("images", datasets.List(datasets.Image()))
    by_id = {row["external_id"]: row for row in ds}
    image = by_id["img-1"]["image"]
    assert image.size == (40, 30) and image.getpixel((0, 0)) == (255, 0, 0)
    assert [im.size for im in by_id["img-2"]["images"]] == [(20, 10), (40, 30)]
    assert by_id["plain-3"]["image"] is None
    audio = ds.cast_column("audio", datasets.Audio(decode=False))
    paths = {row["external_id"]: row["audio"] and row["audio"]["path"] for row in audio}
    assert paths["img-2"].endswith(".wav") and paths["img-1"] is None


# ---------------------------------------------------------------- dpo and sft


async def test_dpo_says_how_many_items_had_media_it_cannot_carry(db, store):
    project, refs = await media_project(db, store)
    data, result = await export(db, project, "dpo")
    assert result.records == 4 and result.media_items == 2  # img-1 twice, img-2: two items; plain-3 has none
    assert all(isinstance(r["chosen"], str) and "attachments" not in r for r in jsonl(data))
    assert (await export(db, project, "aggregated"))[1].media_items == 2
    assert (await export(db, project, "jsonl"))[1].media_items == 0  # jsonl carries them: nothing to say
    plain, people = await seed(db, items(refs)[2:], name="No media here")
    await submit(db, plain, "plain-3", people[0], A)
    assert (await export(db, plain, "dpo"))[1].media_items == 0


# ---------------------------------------------------------------- the command line


def run_cli(url: str, media: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PANELIST_DATABASE_URL": url, "PANELIST_MEDIA_URL": str(media)}
    env.pop("PANELIST_SECRET_KEY", None)
    return subprocess.run([sys.executable, "-m", "app.export_cli", *args], cwd=str(ROOT), env=env,
                          capture_output=True, text=True, timeout=120)


async def test_cli_with_media_and_the_dpo_note(db, database_url, store, tmp_path):
    project, refs = await media_project(db, store)
    out = tmp_path / "captions.zip"
    proc = run_cli(database_url, store.root, project.name, "--format", "jsonl", "--with-media", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "3 media files in the zip's media/ folder" in proc.stderr
    with zipfile.ZipFile(out) as archive:
        assert len(archive.namelist()) == 4 and len(jsonl(archive.read("data.jsonl"))) == 4

    proc = run_cli(database_url, store.root, project.name, "--format", "dpo", "--out", str(tmp_path / "p.jsonl"))
    assert proc.returncode == 0, proc.stderr
    assert ("Text only: 2 items in this dpo export have images, audio or files that the format cannot carry, and "
            "they are not in it. For the media, export jsonl with --with-media.") in proc.stderr

    proc = run_cli(database_url, store.root, project.name, "--format", "csv", "--with-media", "--out", str(out))
    assert proc.returncode == 2 and "with-media does not apply to csv" in proc.stderr

    store.path_of(refs["blue"].sha256).unlink()
    missing = tmp_path / "missing.zip"
    proc = run_cli(database_url, store.root, project.name, "--format", "jsonl", "--with-media", "--out", str(missing))
    assert proc.returncode == 1 and "1 media file the media store does not hold" in proc.stderr
    assert refs["blue"].sha256 in proc.stderr
    assert not missing.exists() and not (tmp_path / "missing.zip.partial").exists()


# ---------------------------------------------------------------- in chat, on every adapter


@pytest.fixture(params=sorted(ADAPTERS))
async def chat(request, database_url):
    harness = ADAPTERS[request.param](database_url)
    await harness.start()
    yield harness
    refusals = harness.refusals()
    await harness.stop()
    assert not refusals, f"the {request.param} stand-in refused calls: {refusals}"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
async def test_chat_export_with_media_and_the_dpo_note(chat):
    watch_files(chat)
    await chat.send("meg", "/help")
    await grant(chat, "meg", "manager")
    project, refs = await media_project(chat.runtime.db, chat.runtime.blobs)

    await chat.send("meg", "/export Chart")  # the formats, and how to take the media along
    assert "This project's items carry media." in chat.texts("meg") and "jsonl with-media" in chat.texts("meg")

    await chat.send("meg", "/export Chart jsonl with-media")
    (name, data), = files_for(chat, "meg")
    assert name == "chart-captions-jsonl.zip"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == sorted(
            ["data.jsonl", *(media_path(r.sha256, r.mime) for r in refs.values())])
        records = jsonl(archive.read("data.jsonl"))
        assert len(records) == 4 and {r["image"] for r in records} >= {media_path(refs["red"].sha256, "image/png")}
    assert "Filters: with-media" in chat.texts("meg")

    await chat.send("meg", "/export Chart dpo")
    (name, data) = files_for(chat, "meg")[-1]
    assert name == "chart-captions-dpo.jsonl" and len(jsonl(data)) == 4
    assert ("Text only: 2 items in this dpo export have images, audio or files that the format cannot carry, and "
            "they are not in it. For the media, export jsonl with with-media.") in chat.texts("meg")

    files = len(files_for(chat, "meg"))
    await chat.send("meg", "/export Chart csv with-media")
    assert "The option with-media does not apply to csv" in chat.last("meg").text
    assert len(files_for(chat, "meg")) == files
