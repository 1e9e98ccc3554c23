"""Admin verbs of the `panelist` command that do what a manager can do in chat."""
from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from app.cli_text import CliText
from app.settings import Settings
from domain.project_spec import SpecProblem, problem_count
from storage.db import open_database
from storage.migrate import upgrade
from storage.uow import UnitOfWork


def refused(say: CliText, what: str, errors: list[SpecProblem]) -> int:
    """Every problem of a refused file (`what`: spec or assessment), one per line, on stderr; the exit code for it."""
    say.err(f"cli.refused.{what}", count=problem_count(errors))
    for error in errors:
        print(f"  {error.render(say)}", file=sys.stderr)
    return 1


async def run_admin(settings: Settings, args) -> int:
    from app import lifecycle_cli
    from app.project_lookup import project_named
    from handlers.shared.task_service import create_project, import_file

    say = CliText.of(settings)
    now = datetime.now(timezone.utc)
    async with open_database(settings.database_url, settings.database_pool_size) as db:
        await upgrade(db)
        if args.command == "project" and args.project_command == "create":
            path = Path(args.file)
            if not path.is_file():
                say.err("cli.no_such_file", path=str(path))
                return 2
            if path.stat().st_size > 1_000_000:
                say.err("cli.spec_too_large")
                return 2
            async with db.transaction() as tx:
                created = await create_project(UnitOfWork(tx), path.read_bytes(), path.name, None, now)
            if created.errors:
                return refused(say, "spec", created.errors)
            if created.exists:
                say.out("cli.project_exists", name=repr(created.spec.name))
                return 1
            say.out("cli.project_created", name=repr(created.spec.name), id=str(created.project_id))
            return 0
        if args.command == "project" and args.project_command in lifecycle_cli.VERBS:
            return await lifecycle_cli.run(db, say, args, now)
        if args.command == "tasks" and args.tasks_command == "import":
            if not Path(args.file).is_file():
                say.err("cli.no_such_file", path=str(args.file))
                return 2
            if (project := await project_named(db, say, args.project)) is None:
                return 2
            from storage.blobs import default_media_url, open_blob_store

            blobs = open_blob_store(settings.media_url or default_media_url(settings.database_url))
            report = await import_file(db, project, args.file, args.all_or_nothing, now, blobs=blobs)
            for reason in report.refused:  # a refused .zip, or a media store that could not be reached
                print(say(reason), file=sys.stderr)
            if report.store_detail:
                print(f"  {report.store_detail}", file=sys.stderr)
            for problem in report.problems:
                print(f"  {problem.render(say)}", file=sys.stderr)
            if report.problem_count > len(report.problems):
                say.err("cli.more_problems", count=report.problem_count - len(report.problems))
            summary = say.text("cli.import_summary", name=project.name, imported=str(report.imported),
                               existing=str(report.unchanged_existing), problems=str(report.problem_count))
            if args.all_or_nothing and report.problem_count:
                summary = say.text("cli.import_refused_all", summary=summary)
            print(summary)
            return 0 if report.ok else 1
    return 1
