"""A manager sends a task .zip (one JSONL plus its media) in chat: the media are checked and stored once, bad ones
are reported by line, URLs are refused with what to do instead, an unsafe .zip and an unreachable media store import
nothing. Every adapter, both backends."""
from __future__ import annotations

import json

import pytest

from bot.blobs import sha256_of
from tests.flows.helpers import grant, rows
from tests.flows.tasks_data import seed_project
from tests.media_files import PDF, bundle, image, item, jsonl, wav

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PROJECT = "Drug interaction"  # the caption that names the seeded error_check project
CHART = image(160, 90, colour=(30, 120, 60))
OTHER = image(80, 80, colour=(250, 250, 0))
VOICE = wav(0.25)
ZIP = bundle({
    "tasks.jsonl": jsonl(
        item("m1", {"kind": "image", "path": "media/chart.png", "alt": "A chart"},
             response_media={"kind": "audio", "path": "media/voice.wav"}),
        item("m2", {"kind": "image", "path": "media/chart.png"}, {"kind": "image", "path": "media/other.png"}),
        item("m3", {"kind": "image", "path": "media/report.pdf"}),
        item("m4", {"kind": "image", "url": "https://cdn.example.org/chart.png"})),
    "media/chart.png": CHART, "media/other.png": OTHER, "media/voice.wav": VOICE, "media/report.pdf": PDF,
})


async def manager(chat) -> int:
    project_id = await seed_project(chat.runtime, "error_check_medicine")
    await chat.send("meg", "/help")
    await grant(chat, "meg", "manager")
    chat.clear("meg")
    return project_id


async def media_items(chat, project_id: int) -> dict[str, dict]:
    got = await rows(chat.runtime, "SELECT external_id, item FROM tasks WHERE project_id = $1",
                     project_id)
    return {r["external_id"]: json.loads(r["item"]) for r in got if r["external_id"] in ("m1", "m2", "m3", "m4")}


def store_files(chat) -> set[str]:
    root = chat.runtime.blobs.root
    return {p.name for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")}


async def test_a_task_zip_is_imported_with_its_media_and_its_problems(open_chat, tmp_path):
    chat = await open_chat(media_url=str(tmp_path / "media"))
    project_id = await manager(chat)
    await chat.upload("meg", "chart-tasks.zip", ZIP, caption=PROJECT)
    said = chat.texts("meg")
    assert "2 new tasks imported" in said, said
    assert "line 3: attachments[0]: not an image (it is PDF)" in said
    assert ("line 4: attachments[0]: media by URL are fetched only on the command line (panelist tasks import); or put"
            " the file in the .zip and name it by path") in said
    got = await media_items(chat, project_id)
    assert set(got) == {"m1", "m2"}
    assert got["m1"]["attachments"][0]["blob"]["sha256"] == sha256_of(CHART)
    assert got["m1"]["responses"][0]["attachments"][0]["blob"]["mime"] == "audio/wav"
    media = {sha256_of(CHART), sha256_of(OTHER), sha256_of(VOICE)}
    assert media <= store_files(chat) and sha256_of(PDF) not in store_files(chat)

    before = store_files(chat)
    chat.clear("meg")
    await chat.upload("meg", "chart-tasks.zip", ZIP, caption=PROJECT)  # the same file again: nothing new anywhere
    assert "2 already there (unchanged)" in chat.texts("meg")
    assert store_files(chat) == before
    assert (await media_items(chat, project_id))["m2"]["attachments"][1]["blob"]["sha256"] == sha256_of(OTHER)


async def test_an_unsafe_zip_is_refused_whole(chat):
    project_id = await manager(chat)
    evil = bundle({"tasks.jsonl": jsonl(item("m1", {"kind": "image", "path": "a.png"})), "a.png": CHART,
                   "media/inner.png": bundle({"x.png": CHART})})
    await chat.upload("meg", "tasks.zip", evil, caption=PROJECT)
    said = chat.texts("meg")
    assert "Nothing was imported into Drug interaction answers — find the errors:" in said
    assert "media/inner.png in the .zip is itself an archive (ZIP); put its files in the .zip directly" in said
    assert await media_items(chat, project_id) == {}


async def test_an_unreachable_media_store_imports_nothing(open_chat, tmp_path):
    root = tmp_path / "media"
    chat = await open_chat(media_url=str(root))
    project_id = await manager(chat)
    # a plain file where OTHER's folder would go: that put fails as a full or unmounted disk would
    assert sha256_of(OTHER)[:2] != sha256_of(ZIP)[:2]
    root.mkdir(exist_ok=True)
    (root / sha256_of(OTHER)[:2]).write_bytes(b"in the way")
    await chat.upload("meg", "chart-tasks.zip", ZIP, caption=PROJECT)
    said = chat.texts("meg")
    assert "Nothing was imported into Drug interaction answers — find the errors:" in said
    assert ("the media store could not be reached (at line 2), so nothing was imported; try again once it is "
            "back") in said
    assert await media_items(chat, project_id) == {}  # line 1's media were stored, but its row waits for all
