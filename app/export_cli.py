"""`panelist export PROJECT --format F --out FILE [--approved-only] [--since D] [--until D] [--exclude-paused]
[--include-unreviewed] [--consensus] [--conversational] [--with-media]`.

The same streaming export as `/export` in chat, with no size cap: pages of submissions are read in short
transactions and written straight to the file. `--since`/`--until` are UTC days (`YYYY-MM-DD`), both included.
`--with-media` (jsonl) writes a zip: `data.jsonl` and each blob it points at once under `media/`, read chunk by
chunk from the media store the bot uses. `dpo`, `sft` and `aggregated` are text only and say how many items had media
they left out.
Also runnable on its own: `python -m app.export_cli PROJECT --format F --out FILE`.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from domain.exports import (
    FORMATS, ExportArgsError, ExportFilters, applies_to, check_options, check_range, parse_day, why_empty,
)
from app.cli_text import CliText
from bot.blobs import BlobMissing, BlobStore, BlobStoreUnavailable
from bot.i18n.text import msg
from app.settings import Settings, SettingsError, load_settings


def add_arguments(parser: argparse.ArgumentParser, say: CliText) -> argparse.ArgumentParser:
    parser.add_argument("project", help=say.text("cli.help.export_project"))
    parser.add_argument("--format", required=True, choices=sorted(FORMATS), dest="format")
    parser.add_argument("--out", required=True, help=say.text("cli.help.export_out"))
    parser.add_argument("--approved-only", action="store_true", help=say.text("cli.help.export_approved_only"))
    parser.add_argument("--since", help=say.text("cli.help.export_since"))
    parser.add_argument("--until", help=say.text("cli.help.export_until"))
    parser.add_argument("--exclude-paused", action="store_true", help=say.text("cli.help.export_exclude_paused"))
    parser.add_argument("--include-unreviewed", action="store_true",
                        help=say.text("cli.help.export_include_unreviewed"))
    parser.add_argument("--consensus", action="store_true", help=say.text("cli.help.export_consensus"))
    parser.add_argument("--conversational", action="store_true", help=say.text("cli.help.export_conversational"))
    parser.add_argument("--with-media", action="store_true", help=say.text("cli.help.export_with_media"))
    return parser


def media_store(settings: Settings) -> BlobStore:
    """The store the running bot keeps media in (`PANELIST_MEDIA_URL`, or the folder beside the database)."""
    from storage.blobs import default_media_url, open_blob_store

    return open_blob_store(settings.media_url or default_media_url(settings.database_url))


def filters_from(args: argparse.Namespace) -> ExportFilters:
    since = parse_day(args.since) if args.since else None
    until = parse_day(args.until, end=True) if args.until else None
    check_range(since, until)
    return ExportFilters(approved_only=args.approved_only, since=since, until=until,
                         exclude_paused=args.exclude_paused, include_unreviewed=args.include_unreviewed,
                         consensus=args.consensus, conversational=args.conversational, with_media=args.with_media)


async def pseudonym_secret(db, settings: Settings) -> bytes:
    """The key pseudonyms are made with, exactly as the running bot has it (`Runtime.start`)."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    from storage.uow import UnitOfWork

    async with db.transaction() as tx:
        return (await UnitOfWork(tx).kv.get_or_create("action_secret", secrets.token_urlsafe(32))).encode()


async def run_export(settings: Settings, args: argparse.Namespace) -> int:
    from app.project_lookup import project_named
    from handlers.export import write_export
    from storage.db import open_database
    from storage.migrate import upgrade

    say = CliText.of(settings)
    try:
        filters = filters_from(args)
    except ExportArgsError as exc:
        say.err("cli.error", problem=exc.message)
        return 2
    async with open_database(settings.database_url, settings.database_pool_size) as db:
        await upgrade(db)
        if (project := await project_named(db, say, args.project)) is None:
            return 2
        if not applies_to(args.format, project.task_type):
            usable = ", ".join(f for f in FORMATS if applies_to(f, project.task_type))
            say.err("cli.export_not_applicable", format=args.format, task_type=project.task_type, formats=usable)
            return 2
        try:
            check_options(args.format, project.task_type, filters)
        except ExportArgsError as exc:
            say.err("cli.error", problem=exc.message)
            return 2
        secret = await pseudonym_secret(db, settings)
        blobs = media_store(settings) if filters.with_media else None
        started = time.perf_counter()
        try:
            if args.out == "-":
                result = await write_export(db.transaction, project, args.format, filters, secret, sys.stdout.buffer,
                                            blobs=blobs)
                sys.stdout.buffer.flush()
            else:
                target = Path(args.out)
                partial = target.with_name(target.name + ".partial")
                try:
                    with open(partial, "wb", buffering=1024 * 1024) as out:
                        result = await write_export(db.transaction, project, args.format, filters, secret, out,
                                                    blobs=blobs)
                    if result.missing_media:
                        partial.unlink()
                    else:
                        os.replace(partial, target)  # a reader never sees half a file under the final name
                except BaseException:
                    partial.unlink(missing_ok=True)
                    raise
        except (BlobMissing, BlobStoreUnavailable) as exc:  # the store failed while the zip was being written
            say.err("cli.export_media_failed", detail=str(exc)[:300])
            return 1
        if result.missing_media:
            say.err("cli.export_media_missing", count=len(result.missing_media), first=result.missing_media[0],
                    name=project.name)
            return 1
        seconds = time.perf_counter() - started
        from storage.uow import UnitOfWork

        async with db.transaction() as tx:  # who exported which project, when: the audit (`panelist audit`)
            await UnitOfWork(tx).audit.log(None, "export.written", {
                "project": project.id, "format": args.format, "records": result.records, "via": "cli",
                "with_media": bool(filters.with_media)}, datetime.now(timezone.utc))
        where = msg("cli.standard_output") if args.out == "-" else args.out
        done = msg("cli.export_done", name=project.name,
                   records=msg("cli.export_records", count=result.records, records=str(result.records),
                               format=args.format),
                   size=msg("cli.export_bytes", count=result.bytes, bytes=str(result.bytes)),
                   where=where, seconds=f"{seconds:.1f}")
        if filters.describe():
            done = msg("cli.export_done_filtered", done=done, filters=filters.describe())
        print(say(done), file=sys.stderr)
        if result.media_files:
            print(say(msg("cli.export_media_files", count=result.media_files)), file=sys.stderr)
        if result.media_items:  # a text-only format never drops media silently
            print(say(msg("export.media_left_out", count=result.media_items, format=args.format,
                          option="--with-media")), file=sys.stderr)
        if result.records == 0:  # an empty file says nothing by itself
            why = why_empty(args.format, project.task_type, result.exporter, project.name, "--include-unreviewed")
            print("".join(say(part) for part in why.sentence), file=sys.stderr)
            if why.hint is not None:
                print(say(why.hint), file=sys.stderr)
        return 0


def main(argv: list[str] | None = None) -> int:
    try:
        say = CliText.of(load_settings())
    except SettingsError:  # reported below; help still reads in English
        say = CliText()
    parser = argparse.ArgumentParser(prog="panelist export", description=say.text("cli.help.export_main"))
    parser = add_arguments(parser, say)
    args = parser.parse_args(argv)
    try:
        return asyncio.run(run_export(load_settings(), args))
    except SettingsError as exc:
        CliText().err("cli.configuration_error", detail=exc.message)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
