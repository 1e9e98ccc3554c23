"""`panelist outbox`: the deliveries that failed or are stuck, and retrying them.

    panelist outbox                      list failed rows, and unsent rows already retried or older than STUCK
    panelist outbox retry ID [ID …]      make those rows due now with a fresh count of attempts
    panelist outbox retry --failed       the same for every failed row

Retrying only changes rows: the running bot's outbox sweep sends them, starting at the first part not yet
delivered (a reply whose text went out and whose chart failed sends only the chart).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from app.cli_text import CliText
from app.settings import Settings
from storage.db import open_database
from storage.migrate import upgrade
from storage.uow import UnitOfWork

STUCK = timedelta(minutes=5)  # unsent for longer than this (with no attempt yet) counts as stuck


def add_parser(sub, say: CliText) -> None:
    outbox = sub.add_parser("outbox", help=say.text("cli.help.outbox"))
    commands = outbox.add_subparsers(dest="outbox_command")
    retry = commands.add_parser("retry", help=say.text("cli.help.outbox_retry"))
    retry.add_argument("ids", nargs="*", type=int)
    retry.add_argument("--failed", action="store_true", help=say.text("cli.help.outbox_failed"))


async def run(settings: Settings, args, now: datetime | None = None) -> int:
    say = CliText.of(settings)
    now = now or datetime.now(timezone.utc)
    async with open_database(settings.database_url, settings.database_pool_size) as db:
        await upgrade(db)
        async with db.transaction() as tx:
            outbox = UnitOfWork(tx).outbox
            if getattr(args, "outbox_command", None) == "retry":
                ids = list(args.ids) + (await outbox.failed_ids() if args.failed else [])
                retried = await outbox.retry(sorted(set(ids)), now)
            else:
                rows = await outbox.troubled(now - STUCK)
    if getattr(args, "outbox_command", None) == "retry":
        if not retried:
            say.err("cli.outbox.nothing_to_retry")
            return 1
        say.out("cli.outbox.retried", len(retried), ids=" ".join(str(i) for i in retried))
        return 0
    if not rows:
        say.out("cli.outbox.none")
        return 0
    for r in rows:
        say.out("cli.outbox.row", id=str(r.id), platform=r.platform, person=str(r.person_id or "-"),
                state=say.text("cli.outbox.state.failed" if r.failed_at else "cli.outbox.state.stuck"),
                created=r.created_at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ"),
                attempts=str(r.attempts), parts=str(r.parts_done), error=(r.error or "").replace("\n", " "))
    return 0
