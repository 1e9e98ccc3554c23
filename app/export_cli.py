"""`panelist export PROJECT --format F --out FILE [--approved-only] [--since D] [--until D] [--exclude-paused]`.

The same streaming export as `/export` in chat, with no size cap: pages of submissions are read in short
transactions and written straight to the file. `--since`/`--until` are UTC days (`YYYY-MM-DD`), both included.
Also runnable on its own: `python -m app.export_cli PROJECT --format F --out FILE`.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import time
from pathlib import Path

from domain.exports import FORMATS, ExportArgsError, ExportFilters, applies_to, check_range, parse_day
from app.settings import Settings, SettingsError, load_settings


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("project", help="the project's name")
    parser.add_argument("--format", required=True, choices=sorted(FORMATS), dest="format")
    parser.add_argument("--out", required=True, help="the file to write ('-' for standard output)")
    parser.add_argument("--approved-only", action="store_true", help="only answers a reviewer approved")
    parser.add_argument("--since", help="first day, YYYY-MM-DD (UTC), included")
    parser.add_argument("--until", help="last day, YYYY-MM-DD (UTC), included")
    parser.add_argument("--exclude-paused", action="store_true",
                        help="leave out experts whose work in the project is paused")
    return parser


def filters_from(args: argparse.Namespace) -> ExportFilters:
    since = parse_day(args.since) if args.since else None
    until = parse_day(args.until, end=True) if args.until else None
    check_range(since, until)
    return ExportFilters(approved_only=args.approved_only, since=since, until=until,
                         exclude_paused=args.exclude_paused)


async def pseudonym_secret(db, settings: Settings) -> bytes:
    """The key pseudonyms are made with, exactly as the running bot has it (`Runtime.start`)."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    from storage.uow import UnitOfWork

    async with db.transaction() as tx:
        return (await UnitOfWork(tx).kv.get_or_create("action_secret", secrets.token_urlsafe(32))).encode()


async def run_export(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.export import write_export
    from storage.db import open_database
    from storage.migrate import upgrade
    from storage.uow import UnitOfWork

    try:
        filters = filters_from(args)
    except ExportArgsError as exc:
        print(f"panelist: {_english(exc)}", file=sys.stderr)
        return 2
    async with open_database(settings.database_url, settings.database_pool_size) as db:
        await upgrade(db)
        async with db.transaction() as tx:
            project = await UnitOfWork(tx).projects.by_name(args.project)
        if project is None:
            print(f"panelist: no project named {args.project!r}", file=sys.stderr)
            return 2
        if not applies_to(args.format, project.task_type):
            usable = ", ".join(f for f in FORMATS if applies_to(f, project.task_type))
            print(f"panelist: the {args.format} export does not fit a {project.task_type} project;"
                  f" use one of: {usable}", file=sys.stderr)
            return 2
        secret = await pseudonym_secret(db, settings)
        started = time.perf_counter()
        if args.out == "-":
            result = await write_export(db.transaction, project, args.format, filters, secret, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            target = Path(args.out)
            partial = target.with_name(target.name + ".partial")
            with open(partial, "wb", buffering=1024 * 1024) as out:
                result = await write_export(db.transaction, project, args.format, filters, secret, out)
            os.replace(partial, target)  # a reader never sees half a file under the final name
        seconds = time.perf_counter() - started
        where = "standard output" if args.out == "-" else args.out
        print(f"{project.name}: {result.records} {args.format} records, {result.bytes} bytes to {where}"
              f" in {seconds:.1f} s" + (f" (filters: {filters.describe()})" if filters.describe() else ""),
              file=sys.stderr)
        return 0


def _english(exc: ExportArgsError) -> str:
    from bot.i18n.catalog import default_catalogs

    return default_catalogs().render(exc.message, "en")


def main(argv: list[str] | None = None) -> int:
    parser = add_arguments(argparse.ArgumentParser(prog="panelist export",
                                                   description="Export a project's answers to a file."))
    args = parser.parse_args(argv)
    try:
        return asyncio.run(run_export(load_settings(), args))
    except SettingsError as exc:
        print(f"panelist: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
