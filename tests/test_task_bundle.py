"""TaskBundle: a task .zip is read safely or refused as a whole with the reason, never extracted."""
from __future__ import annotations

import gzip
import io
import os
import zipfile

import pytest

from domain import task_bundle
from domain.task_bundle import BundleRefused, MemberMissing, MemberTooBig, TaskBundle, member_path
from tests.media_files import PDF, bundle, image, jsonl, zip_with_entry

TASKS = jsonl({"external_id": "a", "prompt": "Q?"})


def opened(data: bytes) -> TaskBundle:
    return TaskBundle.open(io.BytesIO(data))


def refusal(data: bytes) -> BundleRefused:
    with pytest.raises(BundleRefused) as caught:
        opened(data)
    return caught.value


def test_a_good_bundle_streams_its_jsonl_and_reads_members(tmp_path):
    before = set(os.listdir(tmp_path))
    png = image()
    with opened(bundle({"tasks.jsonl": TASKS, "media/chart.png": png, "media/": b""})) as b:
        assert b.jsonl == "tasks.jsonl" and "media/chart.png" in b
        with b.open_jsonl() as stream:
            assert stream.read() == TASKS
        assert b.read("media/chart.png", 10_000) == png
        with pytest.raises(MemberMissing):
            b.read("media/other.png", 10_000)
        with pytest.raises(MemberTooBig):
            b.read("media/chart.png", 10)
    assert set(os.listdir(tmp_path)) == before and not os.listdir(tmp_path)  # nothing written anywhere near


def test_member_paths():
    assert member_path("./media//a.png") == "media/a.png"
    for unsafe in ["../a.png", "media/../../a.png", "/etc/passwd", "media\\a.png", "C:/a.png", "a\x00.png", ""]:
        assert member_path(unsafe) is None, unsafe


@pytest.mark.parametrize("name", ["../evil.png", "media/../../evil.png", "/abs/evil.png", "media\\evil.png"])
def test_unsafe_names_refuse_the_zip(name):
    error = refusal(bundle({"tasks.jsonl": TASKS, name: image()}))
    assert error.code == "unsafe_path" and repr(name) in str(error)


def test_a_symlink_is_refused():
    link = zipfile.ZipInfo("media/chart.png")
    link.create_system = 3
    link.external_attr = (0o120777 << 16)
    error = refusal(zip_with_entry(link, b"/etc/passwd", {"tasks.jsonl": TASKS}))
    assert error.code == "special_file" and str(error) == "media/chart.png in the .zip is a link or a special file, not a plain file"


@pytest.mark.parametrize("inner, what", [
    (bundle({"x.png": image()}), "ZIP"), (gzip.compress(b"payload" * 100), "GZIP")])
def test_nested_archives_are_found_by_content(inner, what):
    error = refusal(bundle({"tasks.jsonl": TASKS, "media/innocent.png": inner}))
    assert error.code == "nested"
    assert str(error) == f"media/innocent.png in the .zip is itself an archive ({what}); put its files in the .zip directly"


def test_a_zip_bomb_is_refused_from_the_directory():
    error = refusal(bundle({"tasks.jsonl": TASKS, "media/zeros.png": b"\0" * (20 * 1024 * 1024)}))
    assert error.code == "ratio" and "zip bomb" in str(error)


def test_total_size_is_enforced_while_streaming(monkeypatch):
    # the directory's sum passes a limit the reading then finds exceeded: the stream, not the claim, decides
    data = bundle({"tasks.jsonl": TASKS, "a.txt": os.urandom(3000), "b.txt": os.urandom(3000)})
    monkeypatch.setattr(task_bundle, "MAX_UNPACKED_BYTES", 5000)
    assert refusal(data).code == "too_large"


def test_a_member_larger_than_declared_is_refused():
    data = bytearray(bundle({"tasks.jsonl": TASKS, "notes.txt": b"hello world, a longer text"},
                            compression=zipfile.ZIP_STORED))
    # lower the declared size in the central directory and the local header: the bytes say otherwise
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("notes.txt")
    for offset in (info.header_offset + 22, bytes(data).rfind(b"PK\x01\x02") + 24):
        data[offset:offset + 4] = (5).to_bytes(4, "little")
    error = refusal(bytes(data))
    assert error.code in ("damaged", "lied_size")


def test_too_many_entries(monkeypatch):
    monkeypatch.setattr(task_bundle, "MAX_ENTRIES", 3)
    error = refusal(bundle({"tasks.jsonl": TASKS, **{f"m/{i}.txt": b"x" for i in range(3)}}))
    assert error.code == "too_many" and str(error) == "the .zip has too many entries: 4, where at most 3 are taken"


def test_exactly_one_jsonl_at_the_top():
    assert refusal(bundle({"media/a.png": image()})).code == "no_jsonl"
    assert str(refusal(bundle({"a.jsonl": TASKS, "b.jsonl": TASKS}))) == (
        "the .zip must hold one .jsonl task file at its top level, not several: a.jsonl, b.jsonl")
    error = refusal(bundle({"folder/tasks.jsonl": TASKS}))
    assert error.code == "jsonl_not_top" and "folder/tasks.jsonl" in str(error)
    # macOS's Finder litter does not count as a second task file
    assert opened(bundle({"tasks.jsonl": TASKS, "__MACOSX/._tasks.jsonl": b"\0\5\x16\x07"})).jsonl == "tasks.jsonl"


def test_encrypted_and_duplicate_entries():
    data = bytearray(bundle({"tasks.jsonl": TASKS, "media/a.pdf": PDF}))
    central = bytes(data).rfind(b"PK\x01\x02")  # the last entry's directory record: mark it encrypted
    data[central + 8] |= 0x1
    error = refusal(bytes(data))
    assert error.code == "encrypted" and str(error) == "media/a.pdf in the .zip is encrypted; send it without a password"
    twice = io.BytesIO()
    with zipfile.ZipFile(twice, "w") as z:
        z.writestr("tasks.jsonl", TASKS)
        z.writestr("a.pdf", PDF)
        with pytest.warns(UserWarning):
            z.writestr("a.pdf", PDF)
    assert refusal(twice.getvalue()).code == "duplicate"


@pytest.mark.parametrize("data", [b"", b"not a zip at all", bundle({"tasks.jsonl": TASKS})[:40]])
def test_what_is_not_a_zip(data):
    assert refusal(data).code == "not_zip"


def test_a_corrupted_member_fails_its_checksum():
    data = bytearray(bundle({"tasks.jsonl": TASKS, "notes.txt": b"hello world " * 10}, compression=zipfile.ZIP_STORED))
    at = bytes(data).find(b"hello world")
    data[at] ^= 0xFF
    assert refusal(bytes(data)).code == "damaged"
