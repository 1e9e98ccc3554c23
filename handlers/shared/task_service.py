"""Project creation and task import: one implementation for the chat upload and the `panelist` CLI.

A task file is a JSONL, or a .zip holding one JSONL and the media its lines name (domain.task_bundle); which one
is told by the content. Each good line's media are resolved (handlers.shared.task_media) before the line is stored.
The CLI stores in short transactions of BATCH lines, resolving (and fetching URLs) before each one, never inside;
a chat upload is one turn's transaction, so its lines are all resolved first and stored only if the media store
took every medium.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import AsyncIterator, Awaitable, BinaryIO, Callable

from bot.blobs import BlobStore
from bot.i18n.text import msg
from domain.project_spec import ProjectSpec, SpecError, SpecProblem, parse_project_spec
from domain.task_bundle import BundleRefused, TaskBundle, is_zip
from domain.task_import import GoodLine, ImportReport, LineProblem, iter_task_lines
from handlers.shared.task_media import Fetch, MediaResolver, MediaStoreDown
from storage.db import Database
from storage.repos.projects import ProjectRow
from storage.uow import UnitOfWork

BATCH = 500


@lru_cache(maxsize=256)
def spec_from_json(spec_json: str) -> ProjectSpec:
    """The parsed spec, cached: it is read on every step of every task form."""
    return ProjectSpec.model_validate_json(spec_json)


def spec_of(project: ProjectRow) -> ProjectSpec:
    return spec_from_json(project.spec)


@dataclass
class Created:
    project_id: int | None = None
    spec: ProjectSpec | None = None
    errors: list[SpecProblem] = field(default_factory=list)  # catalog messages: the caller shows them in its locale
    exists: bool = False


async def create_project(uow: UnitOfWork, data: bytes, filename: str, created_by: int | None,
                         now: datetime) -> Created:
    try:
        spec = parse_project_spec(data, filename)
    except SpecError as exc:
        return Created(errors=exc.errors)
    project_id = await uow.projects.create(spec.name, spec.domain, spec.task_type, spec.model_dump_json(),
                                           spec.deadline, created_by, now)
    if project_id is None:
        return Created(spec=spec, exists=True)
    await uow.audit.log(created_by, "project.created", {"project": project_id, "name": spec.name}, now)
    return Created(project_id=project_id, spec=spec)


async def _resolved(open_lines: Callable[[], BinaryIO], spec: ProjectSpec,
                    media: MediaResolver) -> AsyncIterator[GoodLine | LineProblem]:
    """Every line of the file, a good one with its media resolved (or turned into a problem)."""
    with open_lines() as stream:
        for line in iter_task_lines(stream, spec):
            yield await media.resolve(line) if isinstance(line, GoodLine) else line


async def _import(open_lines: Callable[[], BinaryIO], spec: ProjectSpec, all_or_nothing: bool,
                  resolver: Callable[[bool], MediaResolver],
                  insert: Callable[[list[GoodLine]], Awaitable[list[str]]], hold: bool = False) -> ImportReport:
    """Read the lines; resolve each good line's media; insert good lines in batches through `insert`.

    With `all_or_nothing`, a first pass only checks (media too, storing nothing), and any problem imports nothing.
    With `hold`, nothing is inserted until every line was resolved, so a media store that fails midway leaves
    nothing stored. `MediaStoreDown` ends the import with `report.refused` saying so.
    """
    report = ImportReport()
    if all_or_nothing:
        async for line in _resolved(open_lines, spec, resolver(False)):
            if isinstance(line, LineProblem):
                report.add_problem(line)
        if report.problem_count:
            return report
    media = resolver(True)
    batch: list[GoodLine] = []
    held: list[list[GoodLine]] = []

    async def flush() -> None:
        if hold:
            held.append(list(batch))
        else:
            await _insert(report, insert, batch)
        batch.clear()

    try:
        async for line in _resolved(open_lines, spec, media):
            if isinstance(line, LineProblem):
                report.add_problem(line)
                continue
            batch.append(line)
            if len(batch) >= BATCH:
                await flush()
    except MediaStoreDown as down:
        report.store_detail = down.detail
        if hold:  # nothing was inserted, and nothing will be
            report.refused.append(msg("import.store_down_all", line=str(down.line_no)))
            return report
        await _insert(report, insert, batch)  # the lines before it: every one of their media is stored
        report.refused.append(msg("import.store_down", line=str(down.line_no)))
        return report
    if batch:
        await flush()
    for lines in held:
        await _insert(report, insert, lines)
    return report


async def _insert(report: ImportReport, insert: Callable[[list[GoodLine]], Awaitable[list[str]]],
                  lines: list[GoodLine]) -> None:
    new = await insert(lines)
    report.imported += len(new)
    report.unchanged_existing += len(lines) - len(new)


def _rows(spec: ProjectSpec, lines: list[GoodLine]) -> list[tuple[str, str, bool, int]]:
    return [(g.item.external_id, g.item.model_dump_json(), g.item.gold is not None, spec.overlap) for g in lines]


async def _log(uow: UnitOfWork, actor: int | None, project: ProjectRow, report: ImportReport, via: str,
               now: datetime) -> None:
    await uow.audit.log(actor, "tasks.imported", {
        "project": project.id, "imported": report.imported, "existing": report.unchanged_existing,
        "problems": report.problem_count, "via": via, "refused": bool(report.refused)}, now)


def _open_bundle(source: BinaryIO, report: ImportReport) -> TaskBundle | None:
    """The .zip as a bundle, or None with the reason in `report.refused`."""
    try:
        return TaskBundle.open(source)
    except BundleRefused as refused:
        report.refused.append(refused.message)
        return None


async def import_in_transaction(uow: UnitOfWork, project: ProjectRow, source: bytes | BinaryIO, all_or_nothing: bool,
                                now: datetime, actor: int | None, blobs: BlobStore | None = None,
                                filename: str = "") -> ImportReport:
    """A chat upload (a JSONL or a .zip, told by content; at most the upload limit, so held in memory): everything
    in the turn's transaction, so it commits with the inbox row. Media by URL are refused here (no network inside
    a transaction)."""
    spec = spec_of(project)
    data = source if isinstance(source, bytes) else source.read()
    bundle = None
    if is_zip(data[:4]) or filename.lower().endswith(".zip"):
        refused = ImportReport()
        if (bundle := _open_bundle(io.BytesIO(data), refused)) is None:
            await _log(uow, actor, project, refused, "chat", now)
            return refused
    try:
        report = await _import(
            bundle.open_jsonl if bundle else lambda: io.BytesIO(data), spec, all_or_nothing,
            lambda store: MediaResolver(blobs, bundle, fetcher=None, store=store),
            lambda batch: uow.tasks.insert_many(project.id, _rows(spec, batch), now), hold=True)
    except BundleRefused as refused:  # a member that reads differently than the directory promised
        report = ImportReport(refused=[refused.message])
    finally:
        if bundle is not None:
            bundle.close()
    await _log(uow, actor, project, report, "chat", now)
    return report


async def import_file(db: Database, project: ProjectRow, path: str, all_or_nothing: bool, now: datetime,
                      blobs: BlobStore | None = None, fetch: Fetch | None = None) -> ImportReport:
    """The CLI path (the project already resolved by name): a JSONL or a .zip of any size, in short transactions
    of BATCH lines. Media by `https://` URL are fetched with `fetch` (default: storage.blobs.fetch.fetch_https)
    before each batch's transaction, never inside one."""
    spec = spec_of(project)

    async def insert(batch: list[GoodLine]) -> list[str]:
        async with db.transaction() as tx:
            return await UnitOfWork(tx).tasks.insert_many(project.id, _rows(spec, batch), now)

    with open(path, "rb") as source:
        bundle = None
        report = ImportReport()
        if is_zip(source.read(4)) or path.lower().endswith(".zip"):
            source.seek(0)
            bundle = _open_bundle(source, report)
        if not report.refused:
            def plain() -> BinaryIO:
                source.seek(0)
                return _Unclosed(source)  # type: ignore[return-value]

            try:
                report = await _import(
                    bundle.open_jsonl if bundle else plain, spec, all_or_nothing,
                    lambda store: MediaResolver(blobs, bundle, fetcher=fetch or _fetch_https, store=store), insert)
            except BundleRefused as refused:
                report.refused.append(refused.message)
            finally:
                if bundle is not None:
                    bundle.close()
    async with db.transaction() as tx:
        await _log(UnitOfWork(tx), None, project, report, "cli", now)
    return report


class _Unclosed:
    """The CLI's open file for one pass: leaving the pass does not close it (the next pass seeks back)."""

    def __init__(self, raw: BinaryIO) -> None:
        self._inner = raw

    def read(self, size: int = -1) -> bytes:
        return self._inner.read(size)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass


async def _fetch_https(url: str, *, max_bytes: int, timeout: float) -> tuple[bytes, str]:
    """storage.blobs.fetch.fetch_https, imported when a URL is first met (only the CLI fetches)."""
    from storage.blobs.fetch import fetch_https

    return await fetch_https(url, max_bytes=max_bytes, timeout=timeout)
