"""`panelist assessment create FILE`: what a manager's upload of an assessment file does, from the shell."""
from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from domain.project_spec import MAX_SPEC_BYTES
from app.settings import Settings
from storage.db import open_database
from storage.migrate import upgrade
from storage.uow import UnitOfWork


def add_parser(sub) -> None:
    """The `assessment` subcommand, for app/cli.py's parser."""
    assessment = sub.add_parser("assessment", help="screening assessments").add_subparsers(
        dest="assessment_command", required=True)
    create = assessment.add_parser("create", help="create an assessment from a file (YAML or JSON)")
    create.add_argument("file")


async def run(settings: Settings, args) -> int:
    from handlers.shared.assessment_files import create_assessment

    if getattr(args, "assessment_command", "create") != "create":
        return 1
    path = Path(args.file)
    if not path.is_file():
        print(f"panelist: no such file: {path}", file=sys.stderr)
        return 2
    if path.stat().st_size > MAX_SPEC_BYTES:
        print(f"panelist: an assessment file is at most {MAX_SPEC_BYTES // 1_000_000} MB", file=sys.stderr)
        return 2
    async with open_database(settings.database_url, settings.database_pool_size) as db:
        await upgrade(db)
        async with db.transaction() as tx:
            created = await create_assessment(UnitOfWork(tx), path.read_bytes(), path.name, None,
                                              datetime.now(timezone.utc))
    if created.errors:
        from app.admin_cli import refused

        return refused("assessment", created.errors)
    if created.exists:
        print(f"an assessment with id {created.spec.id!r} exists already; nothing changed")
        return 1
    spec = created.spec
    print(f"created assessment {spec.id!r} ({spec.title}, {spec.domain}, {len(spec.items)} items,"
          f" {spec.time_limit_minutes} min, pass {round(spec.pass_score * 100)}%)")
    return 0
