"""The media of imported task lines: each attachment's bytes found (a path in the .zip, or an https URL on the
command line), checked by content (domain.media_check) and stored in the blob store, so the item that is saved
names its media by `BlobRef`.

A bad medium makes its line a `LineProblem` naming the attachment (`responses[1].attachments[0]: not an image (it
is PDF)`); the same file named by many lines is read, checked and stored once per import (and the store itself keeps
each content once). A store that cannot be written raises `MediaStoreDown`: the caller stops and stores no row
whose media are missing. In chat no URL is fetched — a turn holds a database transaction and must not wait on the
network — so a URL there is a line problem that says what to do instead.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from bot.blobs import BlobRef, BlobStore, BlobStoreUnavailable
from bot.i18n.text import Msg, msg
from domain.media_check import MAX_BYTES, MAX_IMPORT_MEDIA_BYTES, MediaRefused, check_media, megabytes
from domain.task_bundle import MemberMissing, MemberTooBig, TaskBundle, member_path
from domain.task_import import Attachment, GoodLine, LineProblem, TaskItem

__all__ = ["FETCH_TIMEOUT", "Fetch", "MediaResolver", "MediaStoreDown", "fetch_reason"]

FETCH_TIMEOUT = 30.0  # seconds for one URL
MAX_LISTED_REASONS = 5

# fetch(url, *, max_bytes, timeout) -> (bytes, content type); failures carry `.code` (storage/blobs/fetch.py)
Fetch = Callable[..., Awaitable[tuple[bytes, str]]]

_FETCH_REASONS = {
    "not_https": msg("import.fetch_reason.not_https"),
    "private_address": msg("import.fetch_reason.private_address"),
    "too_big": msg("import.fetch_reason.too_big"),
    "http_status": msg("import.fetch_reason.http_status"),
    "timeout": msg("import.fetch_reason.timeout"),
    "unreachable": msg("import.fetch_reason.unreachable"),
    "too_many_redirects": msg("import.fetch_reason.too_many_redirects"),
}


def fetch_reason(code: str | None) -> Msg:
    return _FETCH_REASONS.get(code or "", _FETCH_REASONS["unreachable"])


class MediaStoreDown(Exception):
    """The blob store could not take a medium: the import stops; `line_no` is the first line not imported."""

    def __init__(self, line_no: int, detail: str) -> None:
        super().__init__(detail)
        self.line_no = line_no
        self.detail = detail


class _Refused(Exception):
    def __init__(self, reason: Msg) -> None:
        self.reason = reason


@dataclass
class MediaResolver:
    """Resolves the attachments of one import. `bundle`: the .zip the lines came in (None for a bare JSONL);
    `fetcher`: how to get a URL (None in chat: URLs refused); `store`: False for a check-only pass (all-or-nothing's
    first pass stores nothing)."""

    blobs: BlobStore | None
    bundle: TaskBundle | None = None
    fetcher: Fetch | None = None
    store: bool = True
    budget: int = MAX_IMPORT_MEDIA_BYTES
    _done: dict[tuple[str, str, str], BlobRef | Msg | None] = field(default_factory=dict)
    _spent: int = 0

    async def resolve(self, line: GoodLine) -> GoodLine | LineProblem:
        item = line.item
        if not _has_media(item):
            return line
        reasons: list[Msg] = []

        async def each(where: str, attachments: list[Attachment]) -> list[Attachment]:
            out = []
            for i, attachment in enumerate(attachments):
                try:
                    out.append(await self._one(attachment, line.line_no))
                except _Refused as refused:
                    reasons.append(msg("spec.problem.at", path=f"{where}[{i}]", problem=refused.reason))
                    out.append(attachment)
            return out

        update: dict = {"attachments": await each("attachments", item.attachments),
                        "context_attachments": await each("context_attachments", item.context_attachments)}
        responses = []
        for j, response in enumerate(item.responses):
            found = await each(f"responses[{j}].attachments", response.attachments)
            responses.append(response.model_copy(update={"attachments": found}))
        update["responses"] = responses
        if reasons:
            return LineProblem(line_no=line.line_no, code="bad_media", reasons=reasons[:MAX_LISTED_REASONS],
                               more=max(0, len(reasons) - MAX_LISTED_REASONS))
        return line.model_copy(update={"item": item.model_copy(update=update)}) if self.store else line

    async def _one(self, attachment: Attachment, line_no: int) -> Attachment:
        if attachment.blob is not None:  # only the importer names stored bytes; a file may not claim a hash
            raise _Refused(msg("import.problem.media_blob_given"))
        source, where = ("path", attachment.path) if attachment.path is not None else ("url", attachment.url or "")
        key = (source, where, attachment.kind)
        if key not in self._done:
            try:
                self._done[key] = await self._fetch_check_store(source, where, attachment.kind, line_no)
            except _Refused as refused:
                self._done[key] = refused.reason
        done = self._done[key]
        if isinstance(done, Msg):
            raise _Refused(done)
        return attachment if done is None else attachment.model_copy(update={"blob": done})

    async def _fetch_check_store(self, source: str, where: str, kind: str, line_no: int) -> BlobRef | None:
        data = self._member(where, kind) if source == "path" else await self._download(where, kind)
        name = PurePosixPath(urlsplit(where).path if source == "url" else where).name
        try:
            facts = check_media(data, kind, name=name)
        except MediaRefused as refused:
            raise _Refused(refused.message) from None
        self._spent += len(data)
        if self._spent > self.budget:
            raise _Refused(msg("import.problem.media_budget", limit=megabytes(self.budget)))
        if not self.store:
            return None
        if self.blobs is None:
            raise MediaStoreDown(line_no, "no media store is configured")
        try:
            return await self.blobs.put(data, facts.mime, name, width=facts.width, height=facts.height)
        except BlobStoreUnavailable as exc:
            raise MediaStoreDown(line_no, str(exc)) from None

    def _member(self, path: str, kind: str) -> bytes:
        if self.bundle is None:
            raise _Refused(msg("import.problem.media_path_no_zip", path=path))
        safe = member_path(path)
        if safe is None:
            raise _Refused(msg("import.problem.media_unsafe_path", path=path))
        try:
            return self.bundle.read(safe, MAX_BYTES[kind])
        except MemberMissing:
            raise _Refused(msg("import.problem.media_missing", path=path)) from None
        except MemberTooBig as big:
            raise _Refused(msg("media.problem.too_big", size=megabytes(big.size),
                               limit=megabytes(MAX_BYTES[kind]))) from None

    async def _download(self, url: str, kind: str) -> bytes:
        if self.fetcher is None:
            raise _Refused(msg("import.problem.media_url_in_chat"))
        try:
            data, _content_type = await self.fetcher(url, max_bytes=MAX_BYTES[kind], timeout=FETCH_TIMEOUT)
        except Exception as exc:  # the fetcher's refusals carry a code; anything else is "could not reach"
            code = getattr(exc, "code", None)
            raise _Refused(msg("import.problem.media_fetch", url=url[:200], reason=fetch_reason(code))) from None
        return data  # the server's content type is a claim; the content decides


def _has_media(item: TaskItem) -> bool:
    return bool(item.attachments or item.context_attachments or any(r.attachments for r in item.responses))
