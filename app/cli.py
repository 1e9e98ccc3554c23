"""The `panelist` command: demo, run, db upgrade, db copy, project, tasks, assessment, spec, export, outbox."""
from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from app.cli_text import CliText
from app.settings import SettingsError, load_settings


def _parser(say: CliText) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="panelist", description=say.text("cli.help.panelist"))
    sub = p.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help=say.text("cli.help.demo"))
    demo.add_argument("--db", default="panelist-demo.db", help=say.text("cli.help.demo_db"))
    sub.add_parser("run", help=say.text("cli.help.run"))
    sub.add_parser("doctor", help=say.text("cli.help.doctor"))
    project = sub.add_parser("project", help=say.text("cli.help.project")).add_subparsers(
        dest="project_command", required=True)
    create = project.add_parser("create", help=say.text("cli.help.project_create"))
    create.add_argument("file")
    from app import lifecycle_cli

    lifecycle_cli.add_parsers(project, say)
    tasks = sub.add_parser("tasks", help=say.text("cli.help.tasks")).add_subparsers(dest="tasks_command", required=True)
    imp = tasks.add_parser("import", help=say.text("cli.help.tasks_import"))
    imp.add_argument("project")
    imp.add_argument("file", help=say.text("cli.help.tasks_import_file"))
    imp.add_argument("--all-or-nothing", action="store_true", help=say.text("cli.help.all_or_nothing"))
    from app import assessment_cli, audit_cli, export_cli, outbox_cli, person_cli, spec_cli

    assessment_cli.add_parser(sub, say)
    spec_cli.add_parser(sub, say)
    outbox_cli.add_parser(sub, say)
    audit_cli.add_parser(sub, say)
    person_cli.add_parser(sub, say)
    export_cli.add_arguments(sub.add_parser("export", help=say.text("cli.help.export")), say)
    db = sub.add_parser("db", help=say.text("cli.help.db"))
    dbsub = db.add_subparsers(dest="db_command", required=True)
    dbsub.add_parser("upgrade", help=say.text("cli.help.db_upgrade"))
    copy = dbsub.add_parser("copy", help=say.text("cli.help.db_copy"))
    copy.add_argument("--from", dest="source", required=True)
    copy.add_argument("--to", dest="target", required=True)
    dbsub.add_parser("backup", help=say.text("cli.help.db_backup")).add_argument("file")
    dbsub.add_parser("restore", help=say.text("cli.help.db_restore")).add_argument("file")
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        say = CliText.of(load_settings())
    except SettingsError:  # reported below, once a command needs the settings; help still reads in English
        say = CliText()
    args = _parser(say).parse_args(argv)
    try:
        if args.command == "demo":
            from app.demo import run_demo

            asyncio.run(run_demo(Path(args.db).resolve(), interactive=sys.stdin.isatty()))
            return 0
        if args.command == "spec":  # no database; the language is the settings' when they read
            from app.spec_cli import run as run_spec

            return run_spec(say, args)
        settings = load_settings()
        if args.command == "doctor":
            from app.doctor import line, run_checks

            checks = asyncio.run(run_checks(settings))
            say = CliText.of(settings)
            for check in checks:
                print(line(check, say))
            return 1 if any(c.status == "fail" for c in checks) else 0
        if args.command == "run":
            from app.heap import settle_heap
            from app.serve import serve

            return asyncio.run(serve(settings, on_started=settle_heap))
        if args.command == "assessment":
            from app.assessment_cli import run as run_assessment

            return asyncio.run(run_assessment(settings, args))
        if args.command == "person":
            from app.person_cli import run as run_person

            return asyncio.run(run_person(settings, args))
        if args.command == "audit":
            from app.audit_cli import run as run_audit

            return asyncio.run(run_audit(settings, args))
        if args.command == "outbox":
            from app.outbox_cli import run as run_outbox

            return asyncio.run(run_outbox(settings, args))
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
            print(CliText.of(settings).text("cli.db_upgraded", count=len(applied), database=redact_url(settings.database_url),
                                            number=str(len(applied)), migrations=" ".join(applied)).rstrip())
            return 0
        if args.command == "db" and args.db_command == "copy":
            from storage.copy import CopyError, copy_database

            say = CliText.of(settings)
            try:
                report = asyncio.run(copy_database(args.source, args.target))
            except CopyError as exc:
                say.err("cli.db_copy_refused", detail=exc.message)
                return 1
            for table, count in report.items():
                say.out("cli.db_copy_table", count, table=table, rows=str(count))
            return 0
        if args.command == "db" and args.db_command in ("backup", "restore"):
            from storage.backup import backup, restore
            from storage.copy import CopyError

            say = CliText.of(settings)
            try:
                if args.db_command == "backup":
                    report = asyncio.run(backup(settings.database_url, Path(args.file)))
                else:
                    report = asyncio.run(restore(Path(args.file), settings.database_url))
            except CopyError as exc:
                say.err("cli.db_backup_refused", verb=args.db_command, detail=exc.message)
                return 1
            rows = sum(report.values())
            say.out(f"cli.db_{args.db_command}_done", rows, file=args.file, tables=str(len(report)), rows=str(rows))
            return 0
    except SettingsError as exc:
        CliText().err("cli.configuration_error", detail=exc.message)
        return 2
    except KeyboardInterrupt:
        return 130
    return 1


if __name__ == "__main__":
    sys.exit(main())
