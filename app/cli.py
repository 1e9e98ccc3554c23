"""The `panelist` command: demo, run, db upgrade, db copy."""
from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from app.settings import SettingsError, load_settings


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="panelist", description="Expert AI-training work in chat.")
    sub = p.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="a fresh demo database and a console chat as the demo expert")
    demo.add_argument("--db", default="panelist-demo.db", help="demo database file (recreated)")
    sub.add_parser("run", help="every configured adapter plus the scheduler")
    project = sub.add_parser("project", help="projects").add_subparsers(dest="project_command", required=True)
    create = project.add_parser("create", help="create a project from a spec file (YAML or JSON)")
    create.add_argument("file")
    tasks = sub.add_parser("tasks", help="tasks").add_subparsers(dest="tasks_command", required=True)
    imp = tasks.add_parser("import", help="import a JSONL task file into a project")
    imp.add_argument("project")
    imp.add_argument("file")
    imp.add_argument("--all-or-nothing", action="store_true", help="refuse the whole file if any line is bad")
    from app import assessment_cli, export_cli

    assessment_cli.add_parser(sub)
    export_cli.add_arguments(sub.add_parser("export", help="export a project's answers as training data"))
    db = sub.add_parser("db", help="database operations")
    dbsub = db.add_subparsers(dest="db_command", required=True)
    dbsub.add_parser("upgrade", help="apply missing migrations to PANELIST_DATABASE_URL")
    copy = dbsub.add_parser("copy", help="copy every table from one database to another")
    copy.add_argument("--from", dest="source", required=True)
    copy.add_argument("--to", dest="target", required=True)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            from app.demo import run_demo

            asyncio.run(run_demo(Path(args.db).resolve(), interactive=sys.stdin.isatty()))
            return 0
        settings = load_settings()
        if args.command == "run":
            from app.serve import serve

            return asyncio.run(serve(settings))
        if args.command == "assessment":
            from app.assessment_cli import run as run_assessment

            return asyncio.run(run_assessment(settings, args))
        if args.command == "export":
            from app.export_cli import run_export

            return asyncio.run(run_export(settings, args))
        if args.command in ("project", "tasks"):
            from app.admin_cli import run_admin

            return asyncio.run(run_admin(settings, args))
        if args.command == "db" and args.db_command == "upgrade":
            from storage.db import open_database, redact_url
            from storage.migrate import upgrade

            async def _upgrade() -> list[str]:
                async with open_database(settings.database_url) as db:
                    return await upgrade(db)

            applied = asyncio.run(_upgrade())
            print(f"{redact_url(settings.database_url)}: applied {len(applied)} migration(s) {' '.join(applied)}".rstrip())
            return 0
        if args.command == "db" and args.db_command == "copy":
            from storage.copy import CopyError, copy_database

            try:
                report = asyncio.run(copy_database(args.source, args.target))
            except CopyError as exc:
                print(f"panelist: db copy refused: {exc}", file=sys.stderr)
                return 1
            for table, count in report.items():
                print(f"{table}: {count} rows")
            return 0
    except SettingsError as exc:
        print(f"panelist: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 1


if __name__ == "__main__":
    sys.exit(main())
