"""`panelist person export WHO --out FILE` and `panelist person forget WHO --yes`: a manager or admin acting on a
person's data rights from the shell (issue 21), by the same rules as `/mydata` and `/forget` in chat."""
from __future__ import annotations

import secrets
from datetime import datetime, timezone
from pathlib import Path

from app.cli_text import CliText
from app.person_lookup import person_named
from app.settings import Settings
from handlers.shared.person_archive import erase_person, person_archive
from storage.db import open_database
from storage.migrate import upgrade
from storage.uow import UnitOfWork


def add_parser(sub, say: CliText) -> None:
    person = sub.add_parser("person", help=say.text("cli.help.person")).add_subparsers(dest="person_command",
                                                                                       required=True)
    export = person.add_parser("export", help=say.text("cli.help.person_export"))
    export.add_argument("who")
    export.add_argument("--out", required=True)
    forget = person.add_parser("forget", help=say.text("cli.help.person_forget"))
    forget.add_argument("who")
    forget.add_argument("--yes", action="store_true", help=say.text("cli.help.person_forget_yes"))


async def _pseudonym_key(uow: UnitOfWork, settings: Settings) -> bytes:
    """The key the running bot makes pseudonyms with (bot.core.runtime: the setting, else the stored secret)."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    return (await uow.kv.get_or_create("action_secret", secrets.token_urlsafe(32))).encode()


async def run(settings: Settings, args, now: datetime | None = None) -> int:
    say = CliText.of(settings)
    now = now or datetime.now(timezone.utc)
    async with open_database(settings.database_url, settings.database_pool_size) as db:
        await upgrade(db)
        person = await person_named(db, say, args.who)
        if person is None:
            return 2
        async with db.transaction() as tx:
            uow = UnitOfWork(tx)
            if args.person_command == "export":
                out = Path(args.out)
                if out.exists():
                    say.err("backup.problem.exists", path=str(out))
                    return 1
                data, records = await person_archive(uow, person, now)
                out.write_bytes(data)
                await uow.audit.log(None, "data.exported", {"person": person, "records": records, "via": "cli"}, now)
                say.out("cli.person_exported", records, records=str(records), file=str(out))
                return 0
            if not args.yes:
                say.err("cli.person_forget_confirm", who=args.who)
                return 2
            await uow.erasures.request(person, now, now, by=None)
            await uow.erasures.claim_due(now)
            await erase_person(uow, await _pseudonym_key(uow, settings), person, now)
    say.out("cli.person_forgotten", who=args.who)
    return 0
