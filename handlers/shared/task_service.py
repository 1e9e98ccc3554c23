"""Project creation and task import: one implementation for the chat upload and the `panelist` CLI."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Awaitable, BinaryIO, Callable

from domain.project_spec import ProjectSpec, SpecError, SpecProblem, parse_project_spec
from domain.task_import import GoodLine, ImportReport, LineProblem, iter_task_lines
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


async def _import(stream: BinaryIO, spec: ProjectSpec, all_or_nothing: bool,
                  insert: Callable[[list[GoodLine]], Awaitable[list[str]]]) -> ImportReport:
    """Read the stream line by line; insert good lines in batches through `insert` (bounded memory).

    With `all_or_nothing`, a first pass only checks, and any problem imports nothing.
    """
    report = ImportReport()
    if all_or_nothing:
        for line in iter_task_lines(stream, spec):
            if isinstance(line, LineProblem):
                report.add_problem(line)
        if report.problem_count:
            return report
        stream.seek(0)
    batch: list[GoodLine] = []

    async def flush() -> None:
        new = await insert(batch)
        report.imported += len(new)
        report.unchanged_existing += len(batch) - len(new)
        batch.clear()

    for line in iter_task_lines(stream, spec):
        if isinstance(line, LineProblem):
            report.add_problem(line)
            continue
        batch.append(line)
        if len(batch) >= BATCH:
            await flush()
    if batch:
        await flush()
    return report


def _rows(spec: ProjectSpec, lines: list[GoodLine]) -> list[tuple[str, str, bool, int]]:
    return [(g.item.external_id, g.item.model_dump_json(), g.item.gold is not None, spec.overlap) for g in lines]


async def _log(uow: UnitOfWork, actor: int | None, project: ProjectRow, report: ImportReport, via: str,
               now: datetime) -> None:
    await uow.audit.log(actor, "tasks.imported", {
        "project": project.id, "imported": report.imported, "existing": report.unchanged_existing,
        "problems": report.problem_count, "via": via}, now)


async def import_in_transaction(uow: UnitOfWork, project: ProjectRow, stream: BinaryIO, all_or_nothing: bool,
                                now: datetime, actor: int | None) -> ImportReport:
    """A chat upload: everything in the turn's transaction, so it commits with the inbox row."""
    spec = spec_of(project)
    report = await _import(stream, spec, all_or_nothing,
                           lambda batch: uow.tasks.insert_many(project.id, _rows(spec, batch), now))
    await _log(uow, actor, project, report, "chat", now)
    return report


async def import_file(db: Database, project: ProjectRow, path: str, all_or_nothing: bool, now: datetime
                      ) -> ImportReport:
    """The CLI path (the project already resolved by name): a file of any size, in short transactions of BATCH
    lines."""
    spec = spec_of(project)

    async def insert(batch: list[GoodLine]) -> list[str]:
        async with db.transaction() as tx:
            return await UnitOfWork(tx).tasks.insert_many(project.id, _rows(spec, batch), now)

    with open(path, "rb") as stream:
        report = await _import(stream, spec, all_or_nothing, insert)
    async with db.transaction() as tx:
        await _log(UnitOfWork(tx), None, project, report, "cli", now)
    return report
