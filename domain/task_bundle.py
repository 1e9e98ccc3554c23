"""A task .zip: one JSONL at its top level plus the media its lines name by `path`, read safely and never extracted.

`TaskBundle.open` refuses, from the central directory, what no honest bundle holds: unsafe names (absolute, `..`,
backslashes, drive letters), links and other special files, encrypted entries, the same name twice, too many
entries, too much unpacked data, compression beyond any real file's (a zip bomb). It then reads every member once
as a stream with a byte budget (declared sizes are only claims), which also proves the checksums and finds
archives packed inside by their content. Members are read later by name, again within a budget: nothing is
written to disk.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath
from typing import BinaryIO

from bot.i18n.text import msg
from domain.media_check import ARCHIVE_LABELS, MAX_BYTES, SNIFF_BYTES, megabytes, what_it_is
from domain.problems import Invalid

__all__ = ["BundleRefused", "MemberMissing", "MemberTooBig", "TaskBundle", "is_zip", "member_path"]

MAX_ENTRIES = 20_000
MAX_UNPACKED_BYTES = 4096 * 1024 * 1024  # all members together
MAX_MEMBER_BYTES = max(MAX_BYTES.values())  # any medium (the JSONL may use the whole budget)
MAX_RATIO = 200  # unpacked / packed: text compresses ~10:1, a zip bomb ~1000:1
RATIO_FLOOR_BYTES = 1024 * 1024  # smaller members cannot bomb anything; their ratio is not judged
READ_CHUNK = 64 * 1024
TASK_SUFFIXES = (".jsonl", ".ndjson")
IGNORED_TOP = ("__MACOSX/",)  # what macOS's Finder adds to every zip it makes

_S_IFMT, _S_IFREG, _S_IFDIR = 0o170000, 0o100000, 0o040000


class BundleRefused(Invalid):
    """The whole .zip is refused (its lines are not read): `code` for counting, the message for people."""

    def __init__(self, code: str, message) -> None:
        super().__init__(message)
        self.code = code


class MemberMissing(KeyError):
    """A `path` that names no file in the bundle."""


class MemberTooBig(ValueError):
    """A member longer than the caller's limit (found while reading, whatever its entry declared)."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def is_zip(head: bytes) -> bool:
    """Whether these first bytes are a zip's (an empty zip starts with its end record)."""
    return head[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def member_path(path: str) -> str | None:
    """A relative `/` path inside a zip, normalised ("./a//b.png" → "a/b.png"); None when it is unsafe: absolute,
    with `..`, a backslash, a drive letter or a control character."""
    if not path or path.startswith("/") or "\\" in path or (len(path) > 1 and path[1] == ":"):
        return None
    if any(ord(c) < 32 or ord(c) == 127 for c in path):
        return None
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        return None
    return "/".join(parts)


class _Budgeted(io.RawIOBase):
    """A member as a stream that refuses to give more than `limit` bytes, whatever the zip declared."""

    def __init__(self, raw: BinaryIO, limit: int, on_over) -> None:
        self._raw, self._left, self._on_over = raw, limit, on_over

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:
        want = READ_CHUNK if size is None or size < 0 else size
        try:
            data = self._raw.read(min(want, self._left + 1))
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise BundleRefused("damaged", msg("bundle.damaged", detail=str(exc)[:200])) from None
        self._left -= len(data)
        if self._left < 0:
            self._on_over()
        return data

    def close(self) -> None:
        self._raw.close()
        super().close()


class TaskBundle:
    def __init__(self, archive: zipfile.ZipFile, jsonl: str, members: dict[str, zipfile.ZipInfo]) -> None:
        self._zip = archive
        self.jsonl = jsonl  # the task file's member name
        self._members = members  # normalised name → entry

    @classmethod
    def open(cls, source: BinaryIO) -> "TaskBundle":
        """Check `source` (a seekable binary file) as a task bundle; `BundleRefused` says why it is not one."""
        try:
            archive = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise BundleRefused("not_zip", msg("bundle.not_zip", detail=str(exc)[:200])) from None
        try:
            packed = source.seek(0, io.SEEK_END)
            members = _check_directory(archive.infolist(), packed)
            jsonl = _the_task_file(members)
            bundle = cls(archive, jsonl, members)
            bundle._read_everything()
        except BaseException:
            archive.close()
            raise
        return bundle

    def __enter__(self) -> "TaskBundle":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    def __contains__(self, path: str) -> bool:
        return path in self._members

    def open_jsonl(self) -> BinaryIO:
        """The task file as a stream (opened anew for each pass)."""
        return self._open(self.jsonl, MAX_UNPACKED_BYTES)

    def read(self, path: str, max_bytes: int) -> bytes:
        """The whole of member `path` (a `member_path`); `MemberMissing`, or `MemberTooBig` past `max_bytes`."""
        if path not in self._members:
            raise MemberMissing(path)
        info = self._members[path]
        if info.file_size > max_bytes:
            raise MemberTooBig(info.file_size)
        with self._open(path, max_bytes) as stream:
            data = stream.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise MemberTooBig(len(data))
        return data

    def _open(self, path: str, limit: int) -> BinaryIO:
        info = self._members[path]

        def over() -> None:
            raise BundleRefused("lied_size", msg("bundle.lied_size", path=path))

        try:
            raw = self._zip.open(info)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
            raise BundleRefused("damaged", msg("bundle.damaged", detail=str(exc)[:200])) from None
        return _Budgeted(raw, min(limit, info.file_size), over)  # type: ignore[return-value]

    def _read_everything(self) -> None:
        """Stream each member once: the total stays within budget, every checksum holds, and no member is an
        archive of its own (by content: a renamed .zip is still a zip)."""
        total = 0
        for path in self._members:
            with self._open(path, MAX_UNPACKED_BYTES) as stream:
                head = stream.read(SNIFF_BYTES)
                if what_it_is(head) in ARCHIVE_LABELS:
                    raise BundleRefused("nested", msg("bundle.nested", path=path, what=what_it_is(head)))
                total += len(head)
                while chunk := stream.read(READ_CHUNK):
                    total += len(chunk)
                    if total > MAX_UNPACKED_BYTES:
                        raise BundleRefused("too_large", msg("bundle.too_large",
                                                             limit=megabytes(MAX_UNPACKED_BYTES)))


def _check_directory(entries: list[zipfile.ZipInfo], packed: int) -> dict[str, zipfile.ZipInfo]:
    if len(entries) > MAX_ENTRIES:
        raise BundleRefused("too_many", msg("bundle.too_many", found=str(len(entries)), limit=str(MAX_ENTRIES)))
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in entries:
        name = member_path(info.filename)
        if name is None:
            raise BundleRefused("unsafe_path", msg("bundle.unsafe_path", path=repr(info.filename[:200])))
        mode = (info.external_attr >> 16) & _S_IFMT
        if info.is_dir() or mode == _S_IFDIR:
            continue
        if mode not in (0, _S_IFREG):
            raise BundleRefused("special_file", msg("bundle.special_file", path=name))
        if info.flag_bits & 0x1:
            raise BundleRefused("encrypted", msg("bundle.encrypted", path=name))
        if name.startswith(IGNORED_TOP) or PurePosixPath(name).name.startswith("._"):
            continue
        if name in members:
            raise BundleRefused("duplicate", msg("bundle.duplicate", path=name))
        total += info.file_size
        if total > MAX_UNPACKED_BYTES:
            raise BundleRefused("too_large", msg("bundle.too_large", limit=megabytes(MAX_UNPACKED_BYTES)))
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise BundleRefused("ratio", msg("bundle.ratio", path=name, ratio=str(MAX_RATIO)))
        members[name] = info
    if total > RATIO_FLOOR_BYTES and total > MAX_RATIO * max(packed, 1):
        raise BundleRefused("ratio", msg("bundle.ratio", path="*", ratio=str(MAX_RATIO)))
    return members


def _the_task_file(members: dict[str, zipfile.ZipInfo]) -> str:
    found = sorted(n for n in members if "/" not in n and n.lower().endswith(TASK_SUFFIXES))
    if len(found) == 1:
        return found[0]
    if not found:
        deeper = sorted(n for n in members if n.lower().endswith(TASK_SUFFIXES))
        if deeper:
            raise BundleRefused("jsonl_not_top", msg("bundle.jsonl_not_top", path=deeper[0]))
        raise BundleRefused("no_jsonl", msg("bundle.no_jsonl"))
    raise BundleRefused("many_jsonl", msg("bundle.many_jsonl", names=", ".join(found[:5])))
