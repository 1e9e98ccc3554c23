"""Admin verbs of the `panelist` command that do what a manager can do in chat."""
from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from app.settings import Settings
from storage.db import open_database
from storage.migrate import upgrade
from storage.uow import UnitOfWork


def refused(what: str, errors: list[str]) -> int:
    """Every problem of a refused file, one per line, on stderr; the exit code for it."""
    print(f"{what} refused ({len(errors)} problems); nothing was created:", file=sys.stderr)
    for error in errors:
        print(f"  {error}", file=sys.stderr)
    return 1


async def run_admin(settings: Settings, args) -> int:
    from handlers.shared.task_service import create_project, import_file

    now = datetime.now(timezone.utc)
    async with open_database(settings.database_url, settings.database_pool_size) as db:
        await upgrade(db)
        if args.command == "project" and args.project_command == "create":
            path = Path(args.file)
            if not path.is_file():
                print(f"panelist: no such file: {path}", file=sys.stderr)
                return 2
            if path.stat().st_size > 1_000_000:
                print("panelist: a project spec is at most 1 MB", file=sys.stderr)
                return 2
            async with db.transaction() as tx:
                created = await create_project(UnitOfWork(tx), path.read_bytes(), path.name, None, now)
            if created.errors:
                return refused("spec", created.errors)
            if created.exists:
                print(f"a project named {created.spec.name!r} exists already; nothing changed")
                return 1
            print(f"created project {created.spec.name!r} (id {created.project_id})")
            return 0
        if args.command == "tasks" and args.tasks_command == "import":
            if not Path(args.file).is_file():
                print(f"panelist: no such file: {args.file}", file=sys.stderr)
                return 2
            project, report = await import_file(db, args.project, args.file, args.all_or_nothing, now)
            if project is None:
                print(f"panelist: no project named {args.project!r}", file=sys.stderr)
                return 2
            for problem in report.problems:
                print(f"  {problem}", file=sys.stderr)
            if report.problem_count > len(report.problems):
                print(f"  … and {report.problem_count - len(report.problems)} more", file=sys.stderr)
            refused = args.all_or_nothing and report.problem_count
            print(f"{project.name}: imported {report.imported}, unchanged (already there) {report.unchanged_existing},"
                  f" problems {report.problem_count}" + (" — all-or-nothing: nothing imported" if refused else ""))
            return 1 if report.problem_count else 0
    return 1
