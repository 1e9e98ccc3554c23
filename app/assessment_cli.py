"""`panelist assessment create FILE`: what a manager's upload of an assessment file does, from the shell."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from domain.project_spec import MAX_SPEC_BYTES
from app.cli_text import CliText
from app.settings import Settings
from storage.db import open_database
from storage.migrate import upgrade
from storage.uow import UnitOfWork


def add_parser(sub, say: CliText) -> None:
    """The `assessment` subcommand, for app/cli.py's parser."""
    assessment = sub.add_parser("assessment", help=say.text("cli.help.assessment")).add_subparsers(
        dest="assessment_command", required=True)
    create = assessment.add_parser("create", help=say.text("cli.help.assessment_create"))
    create.add_argument("file")


async def run(settings: Settings, args) -> int:
    from handlers.shared.assessment_files import create_assessment

    if getattr(args, "assessment_command", "create") != "create":
        return 1
    say = CliText.of(settings)
    path = Path(args.file)
    if not path.is_file():
        say.err("cli.no_such_file", path=str(path))
        return 2
    if path.stat().st_size > MAX_SPEC_BYTES:
        say.err("cli.assessment_too_large", mb=str(MAX_SPEC_BYTES // 1_000_000))
        return 2
    async with open_database(settings.database_url, settings.database_pool_size) as db:
        await upgrade(db)
        async with db.transaction() as tx:
            created = await create_assessment(UnitOfWork(tx), path.read_bytes(), path.name, None,
                                              datetime.now(timezone.utc))
    if created.errors:
        from app.admin_cli import refused

        return refused(say, "assessment", created.errors)
    if created.exists:
        say.out("cli.assessment_exists", id=repr(created.spec.id))
        return 1
    spec = created.spec
    say.out("cli.assessment_created", len(spec.items), id=repr(spec.id), title=spec.title, domain=spec.domain,
            items=str(len(spec.items)), minutes=str(spec.time_limit_minutes),
            pass_percent=str(round(spec.pass_score * 100)))
    return 0
