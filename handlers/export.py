"""/export: a manager receives a project's answers as a training-data file (jsonl, csv, dpo, sft, aggregated).

`/export PROJECT FORMAT [approved] [since:YYYY-MM-DD] [until:YYYY-MM-DD] [exclude-paused] [include-unreviewed]
[consensus] [conversational] [with-media]`; without a format the formats come as buttons, without anything the
projects do. `with-media` (jsonl) sends a zip of the records and their media when it fits the upload limit; dpo,
sft and aggregated are text only and say how many items had media they left out.
The file is built by the same streaming code as `panelist export` (`write_export`); in chat it stops at the upload
limit and says to use the command line. An export that comes out empty says why (`domain.exports.why_empty`).
Exports carry pseudonyms only, never a name or a platform id.
"""
from __future__ import annotations

import base64
import io
import re
import shutil
import tempfile
import zipfile
from contextlib import aclosing
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, BinaryIO, Literal

from pydantic import Field

from bot.blobs import CHUNK_BYTES, BlobMissing, BlobRef, BlobStore, BlobStoreUnavailable
from bot.core.actions import ActionData
from bot.core.blocks import Buttons, File, button, text
from handlers.shared.context import Context
from bot.core.router import Router
from bot.i18n.text import msg
from domain.exports import (
    FORMATS, ExportArgsError, Exporter, ExportFilters, ItemCache, applies_to, check_options, check_range, export_row,
    exporter_for, media_path, parse_chat_args, parse_day, why_empty,
)
from handlers.shared.project_names import find_project
from handlers.shared.replies import say
from handlers.shared.task_service import spec_of
from handlers.shared.project_render import project_button_label
from storage.repos.exports import ExportQueries, OpenTx, iter_submissions
from storage.repos.projects import ProjectRow

router = Router("export")
MAX_LISTED = 15
JSONL_NAME = "data.jsonl"  # the records inside an export's zip, beside its media/ folder
SPOOL_BYTES = 8 * 1024 * 1024  # with media, the records wait here (then on disk) until the blobs are known


class PickProject(ActionData, name="export.pick"):
    project: int = Field(alias="p")


class RunExport(ActionData, name="export.run"):
    """A format for a project, keeping the filters that were typed (`until` is already the exclusive bound)."""

    project: int = Field(alias="p")
    fmt: Literal[tuple(FORMATS)] = Field(alias="f")  # type: ignore[valid-type]
    approved_only: bool = Field(default=False, alias="a")
    exclude_paused: bool = Field(default=False, alias="x")
    since: date | None = Field(default=None, alias="s")
    until: date | None = Field(default=None, alias="u")
    include_unreviewed: bool = Field(default=False, alias="i")
    consensus: bool = Field(default=False, alias="k")
    conversational: bool = Field(default=False, alias="c")
    with_media: bool = Field(default=False, alias="m")


@dataclass
class ExportResult:
    records: int = 0
    bytes: int = 0
    truncated: bool = False  # stopped at max_bytes: the file holds the first `records` records
    exporter: Exporter | None = None  # what it read and left out, for `why_empty`
    media_files: int = 0  # with_media: distinct blobs written into the zip
    too_big: bool = False  # with_media and max_bytes: the records and their media do not fit; nothing written
    missing_media: tuple[str, ...] = ()  # with_media: hashes the store does not hold; nothing written

    @property
    def media_items(self) -> int:
        """`dpo`, `sft`, `aggregated`: items whose media the text-only file leaves out (to be said, never silently)."""
        return len(self.exporter.media_items) if self.exporter is not None else 0


class MediaStoreMissing(RuntimeError):
    """`with_media` needs the blob store, and none was given."""


async def write_export(open_tx: OpenTx, project: ProjectRow, fmt: str, filters: ExportFilters, secret: bytes,
                       out: BinaryIO, max_bytes: int | None = None, blobs: BlobStore | None = None) -> ExportResult:
    """Stream the export into `out` (UTF-8), page by page. With `max_bytes`, stop before the first record that
    would not fit, so the file always ends on a whole record. With `filters.with_media`, `out` gets a zip of the
    records and the media they point at, read from `blobs` (see `write_media_zip`)."""
    has_media = False
    if fmt == "csv":  # its header says whether there is a `media` column
        async with open_tx() as tx:
            has_media = await ExportQueries(tx).project_has_media(project.id)
    exporter = exporter_for(fmt, spec_of(project), filters, has_media=has_media)
    if not filters.with_media:
        return await _write_lines(open_tx, project, exporter, filters, secret, out, max_bytes)
    if blobs is None:
        raise MediaStoreMissing("an export with media needs the blob store")
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as records:
        result = await _write_lines(open_tx, project, exporter, filters, secret, records, max_bytes)
        media = exporter.media
        missing = [sha for sha in media if not await blobs.has(sha)]
        if missing:  # found before a byte is written: a zip with paths to nothing would fail whoever loads it
            result.missing_media = tuple(missing)
            return result
        if max_bytes is not None and (result.truncated or zip_size_bound(result.bytes, media) > max_bytes):
            result.too_big, result.truncated, result.records = True, False, 0  # a zip of part of it would mislead
            return result
        records.seek(0)
        result.bytes = await write_media_zip(out, records, result.bytes, media, blobs)
        result.media_files = len(media)
    return result


async def _write_lines(open_tx: OpenTx, project: ProjectRow, exporter: Exporter, filters: ExportFilters,
                       secret: bytes, out: BinaryIO, max_bytes: int | None) -> ExportResult:
    result = ExportResult(exporter=exporter)
    items = ItemCache()

    def put(lines: list[str]) -> bool:
        if not lines:
            return True
        chunk = "".join(lines).encode()
        if max_bytes is not None and result.bytes + len(chunk) > max_bytes:
            result.truncated = True
            return False
        out.write(chunk)
        result.bytes += len(chunk)
        return True

    put(exporter.start())  # a CSV header: not a record
    # aclosing: a capped export stops early, and the page being read ahead must finish inside this call
    async with aclosing(iter_submissions(open_tx, project.id, filters, by_item=exporter.by_item)) as rows:
        async for raw in rows:
            before = exporter.records
            if not put(exporter.feed(export_row(raw, secret, items))):
                result.records = before
                return result
    before = exporter.records
    result.records = exporter.records if put(exporter.finish()) else before
    return result


ZIP_ENTRY_BYTES = 400  # a member's local header, data descriptor and central directory entry, at most (ZIP64 too)


def zip_size_bound(records_bytes: int, media: dict[str, tuple[str, int]]) -> int:
    """The most the zip can take: every member as it is plus its headers, and the records' worst case deflated
    (deflate grows data it cannot compress by a few bytes per 16 KB block; JSON text it shrinks)."""
    return (records_bytes + records_bytes // 1000 + sum(size for _, size in media.values())
            + ZIP_ENTRY_BYTES * (len(media) + 1) + 100)


class _Counting:
    """A write-only stream that counts what passes (zipfile writes a stream it cannot seek with data
    descriptors, so a pipe such as standard output works)."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.written = 0

    def write(self, data: bytes) -> int:
        self.out.write(data)
        self.written += len(data)
        return len(data)

    def flush(self) -> None:
        self.out.flush()


async def write_media_zip(out: BinaryIO, records: BinaryIO, records_bytes: int, media: dict[str, tuple[str, int]],
                          blobs: BlobStore) -> int:
    """A zip of `data.jsonl` (the records, deflated) and each blob once as `media/<sha256><ext>` (stored: media are
    compressed already), written member by member and each blob chunk by chunk from the store, so no more than a
    chunk of media is in memory. Returns the bytes written."""
    stamp = datetime.now(timezone.utc).timetuple()[:6]
    seekable = out.seekable() if hasattr(out, "seekable") else False
    target: Any = out if seekable else _Counting(out)
    start = out.tell() if seekable else 0
    with zipfile.ZipFile(target, "w", allowZip64=True) as archive:
        info = zipfile.ZipInfo(JSONL_NAME, stamp)
        info.compress_type, info.file_size = zipfile.ZIP_DEFLATED, records_bytes
        with archive.open(info, "w") as member:
            shutil.copyfileobj(records, member, CHUNK_BYTES)
        for sha, (mime, size) in media.items():
            info = zipfile.ZipInfo(media_path(sha, mime), stamp)
            info.compress_type, info.file_size = zipfile.ZIP_STORED, size  # the size decides ZIP64 up front
            with archive.open(info, "w") as member:
                async for chunk in blobs.open(BlobRef(sha256=sha, size=size, mime=mime)):
                    member.write(chunk)
    return out.tell() - start if seekable else target.written


def _run_button(project: ProjectRow, fmt: str, filters: ExportFilters) -> RunExport:
    """The format's button, keeping the filters that were typed."""
    return RunExport(project=project.id, fmt=fmt, approved_only=filters.approved_only,
                     exclude_paused=filters.exclude_paused, include_unreviewed=filters.include_unreviewed,
                     consensus=filters.consensus, conversational=filters.conversational,
                     with_media=filters.with_media, since=filters.since.date() if filters.since is not None else None,
                     until=filters.until.date() if filters.until is not None else None)


def _filters_from(press: RunExport) -> ExportFilters:
    since = parse_day(press.since.isoformat()) if press.since else None
    until = parse_day(press.until.isoformat()) if press.until else None
    check_range(since, until)
    return ExportFilters(approved_only=press.approved_only, exclude_paused=press.exclude_paused, since=since,
                         until=until, include_unreviewed=press.include_unreviewed, consensus=press.consensus,
                         conversational=press.conversational, with_media=press.with_media)


@router.command("export", roles={"manager"}, help_key="command.export.help")
async def export_command(ctx: Context, event) -> list:
    typed = (getattr(event, "args", "") or "").strip()
    if not typed:
        projects = await ctx.uow.projects.staff_projects()
        if not projects:
            return [say("export.no_projects")]
        rows = [[button(project_button_label(p), PickProject(project=p.id))] for p in projects[:MAX_LISTED]]
        return [ctx.reply(text(msg("export.pick_project")), text(msg("export.usage")), Buttons(rows=rows))]
    try:
        request = parse_chat_args(typed)
    except ExportArgsError as exc:
        return [ctx.reply(text(exc.message), text(msg("export.usage")))]
    fmt = request.fmt
    # a choice among several projects goes on with what was typed: the format and filters when given
    found = await find_project(ctx, request.project, lambda p: PickProject(project=p.id) if fmt is None
                               else _run_button(p, fmt, request.filters))
    if isinstance(found, list):
        return found
    if fmt is None:
        return await _format_buttons(ctx, found, request.filters)
    return await _run(ctx, found, fmt, request.filters)


async def _format_buttons(ctx: Context, project: ProjectRow, filters: ExportFilters) -> list:
    task_type = project.task_type
    buttons = [button(msg(f"export.format.{f}"), _run_button(project, f, filters))
               for f in FORMATS if applies_to(f, task_type)]
    hints = [text(msg("export.filters_hint"))]
    async with ctx.uow.this_transaction()() as tx:
        if await ExportQueries(tx).project_has_media(project.id):  # how to take the media along
            hints.append(text(msg("export.media_hint", name=project.name)))
    return [ctx.reply(text(msg("export.pick_format", name=project.name)),
                      Buttons(rows=[buttons[i:i + 2] for i in range(0, len(buttons), 2)]), *hints)]


@router.action(PickProject, roles={"manager"})
async def project_picked(ctx: Context, event, press: PickProject) -> list:
    project = await ctx.uow.projects.get(press.project)
    if project is None:
        return [say("error.button_expired")]
    return await _format_buttons(ctx, project, ExportFilters())


@router.action(RunExport, roles={"manager"})
async def format_picked(ctx: Context, event, press: RunExport) -> list:
    project = await ctx.uow.projects.get(press.project)
    if project is None:
        return [say("error.button_expired")]
    try:
        filters = _filters_from(press)
    except ExportArgsError as exc:
        return [ctx.reply(text(exc.message))]
    return await _run(ctx, project, press.fmt, filters)


async def _run(ctx: Context, project: ProjectRow, fmt: str, filters: ExportFilters) -> list:
    if not applies_to(fmt, project.task_type):
        usable = ", ".join(f for f in FORMATS if applies_to(f, project.task_type))
        return [say("export.not_applicable", format=fmt, name=project.name,
                    task_type=msg(f"task_type.{project.task_type}"), formats=usable)]
    try:
        check_options(fmt, project.task_type, filters)
    except ExportArgsError as exc:
        return [ctx.reply(text(exc.message))]
    limit = ctx.settings.max_upload_bytes
    buffer = io.BytesIO()  # at most the upload limit: a chat file is held whole for the platform's upload
    try:
        result = await write_export(ctx.uow.this_transaction(), project, fmt, filters, ctx.pseudonym_key, buffer,
                                    max_bytes=limit, blobs=ctx.runtime.blobs)
    except (MediaStoreMissing, BlobMissing, BlobStoreUnavailable):
        return [say("export.media_unavailable", name=project.name)]
    await ctx.audit("export.sent", project=project.id, format=fmt, records=result.records,
                    truncated=result.truncated, filters=filters.describe(), media_files=result.media_files)
    if result.missing_media:
        return [say("export.media_missing", count=len(result.missing_media), name=project.name)]
    if result.too_big:
        return [say("export.media_too_big", limit=max(1, limit // (1024 * 1024)), name=project.name)]
    if result.records == 0:
        if result.truncated:  # not even one record fits a chat file
            return [say("export.truncated", count=0, limit=max(1, limit // (1024 * 1024)), name=project.name,
                        format=fmt)]
        why = why_empty(fmt, project.task_type, result.exporter, project.name, "include-unreviewed")
        return [ctx.reply(text(*why.sentence), *([text(why.hint)] if why.hint else []))]
    exporter = FORMATS[fmt]
    stem = re.sub(r"[^\w]+", "-", project.name.lower(), flags=re.ASCII).strip("-")[:40].strip("-") or "export"
    suffix, mime = (".zip", "application/zip") if filters.with_media else (exporter.suffix, exporter.mime)
    filename = f"{stem}-{fmt}{suffix}"
    blocks = [File(data_b64=base64.b64encode(buffer.getvalue()).decode(), filename=filename, mime=mime,
                   caption=msg("export.caption", count=result.records, name=project.name, format=fmt))]
    if filters.describe():
        blocks.append(text(msg("export.filters", filters=filters.describe())))
    if result.media_items:  # a text-only format never drops media silently
        blocks.append(text(msg("export.media_left_out", count=result.media_items, format=fmt, option="with-media")))
    if result.truncated:
        blocks.append(text(msg("export.truncated", count=result.records, limit=max(1, limit // (1024 * 1024)),
                               name=project.name, format=fmt)))
    return [ctx.reply(*blocks)]
