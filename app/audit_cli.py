"""`panelist audit [--person WHO] [--since DATE] [--until DATE] [--action PREFIX]`: who did what, when.

One line per audit entry, oldest first: the time (UTC), who acted, the action, and its details, with every person
the details name shown by name. `--person` keeps what that person did and what was done to them (grants, reviews,
approvals, payouts, exports, erasures…).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from app.cli_text import CliText
from app.person_lookup import labels, person_named
from app.settings import Settings
from storage.db import open_database
from storage.migrate import upgrade
from storage.repos.state import SUBJECT_KEYS
from storage.uow import UnitOfWork

DEFAULT_DAYS = 30
MAX_LINES = 10_000


def add_parser(sub, say: CliText) -> None:
    audit = sub.add_parser("audit", help=say.text("cli.help.audit"))
    audit.add_argument("--person", help=say.text("cli.help.audit_person"))
    audit.add_argument("--since", type=date.fromisoformat, help=say.text("cli.help.audit_since"))
    audit.add_argument("--until", type=date.fromisoformat, help=say.text("cli.help.audit_until"))
    audit.add_argument("--action", default="", help=say.text("cli.help.audit_action"))


def _day(d: date) -> datetime:
    return datetime.combine(d, time(0), timezone.utc)


def render(entry: dict, names: dict[int, str], say: CliText) -> str:
    who = names.get(entry["person_id"], say.text("cli.audit.system")) if entry["person_id"] else say.text(
        "cli.audit.system")
    details = " ".join(f"{k}={names.get(v, v) if k in SUBJECT_KEYS and isinstance(v, int) else v}"
                       for k, v in entry["detail"].items())
    at = entry["at"] if isinstance(entry["at"], datetime) else datetime.fromisoformat(str(entry["at"]))
    return f"{at.astimezone(timezone.utc):%Y-%m-%d %H:%M:%S}  {who}  {entry['action']}  {details}".rstrip()


async def run(settings: Settings, args, now: datetime | None = None) -> int:
    say = CliText.of(settings)
    now = now or datetime.now(timezone.utc)
    since = _day(args.since) if args.since else now - timedelta(days=DEFAULT_DAYS)
    until = _day(args.until) + timedelta(days=1) if args.until else now + timedelta(seconds=1)
    async with open_database(settings.database_url, settings.database_pool_size) as db:
        await upgrade(db)
        person = None
        if args.person:
            person = await person_named(db, say, args.person)
            if person is None:
                return 2
        async with db.transaction() as tx:
            uow = UnitOfWork(tx)
            entries = await uow.audit.between(since, until, person, args.action, MAX_LINES + 1)
            named = {e["person_id"] for e in entries if e["person_id"]} | {
                v for e in entries for k, v in e["detail"].items() if k in SUBJECT_KEYS and isinstance(v, int)}
            names = await labels(uow, named)
    for entry in entries[:MAX_LINES]:
        print(render(entry, names, say))
    if len(entries) > MAX_LINES:
        say.err("cli.audit.more", MAX_LINES, shown=str(MAX_LINES))
    if not entries:
        say.err("cli.audit.none")
    return 0
