"""`panelist project pause|resume|close|deadline|edit PROJECT …`: what `/project …` does in chat (issue 18,
point 10), through the same service (handlers.shared.project_lifecycle). Members are told by the running bot:
each notice is a reminder due now, sent by its reminder tick in their language and zone."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from app.cli_text import CliText
from app.project_lookup import project_named
from domain.dates import DateInvalid
from domain.instructions import with_instructions
from domain.project_lifecycle import LifecycleRefused, parse_deadline
from domain.project_spec import SpecError, parse_project_spec
from handlers.shared.project_lifecycle import (
    EditRefused, change_deadline, change_status, close_report, publish_edit, tell_members_later,
)
from handlers.shared.task_service import spec_of
from storage.uow import UnitOfWork

VERBS = ("pause", "resume", "close", "deadline", "edit")
NEWS = {"pause": "paused", "resume": "resumed", "close": "closed"}
SPEC_SUFFIXES = (".yaml", ".yml", ".json")


def add_parsers(project_sub, say: CliText) -> None:
    for verb in ("pause", "resume", "close"):
        project_sub.add_parser(verb, help=say.text(f"cli.help.project_{verb}")).add_argument("project")
    deadline = project_sub.add_parser("deadline", help=say.text("cli.help.project_deadline"))
    deadline.add_argument("project")
    deadline.add_argument("date", nargs="+")
    edit = project_sub.add_parser("edit", help=say.text("cli.help.project_edit"))
    edit.add_argument("project")
    edit.add_argument("file")


async def run(db, say: CliText, args, now: datetime) -> int:
    from app.admin_cli import refused

    if (project := await project_named(db, say, args.project)) is None:
        return 2
    verb = args.project_command
    try:
        async with db.transaction() as tx:
            uow = UnitOfWork(tx)
            project = await uow.projects.get(project.id)
            if verb in NEWS:
                await change_status(uow, project, verb, None, now)
                told = await tell_members_later(uow, project, NEWS[verb], now)
                say.out(f"cli.project_{NEWS[verb]}", name=repr(project.name), count=told)
                if verb == "close":
                    items, held = await close_report(uow, project, now)
                    say.out("cli.project_remaining", items=str(items), held=str(held))
                return 0
            if verb == "deadline":
                deadline = parse_deadline(" ".join(args.date), now, say.tz, say.locale)
                await change_deadline(uow, project, deadline, None, now)
                told = await tell_members_later(uow, project, "deadline", now)
                say.out("cli.project_deadline", name=repr(project.name), at=deadline.isoformat(), count=told)
                return 0
            path = Path(args.file)
            if not path.is_file():
                say.err("cli.no_such_file", path=str(path))
                return 2
            if path.suffix.lower() in SPEC_SUFFIXES:
                new = parse_project_spec(path.read_bytes(), path.name)
            else:
                new = with_instructions(spec_of(project), path.read_text(encoding="utf-8"))
            version, found = await publish_edit(uow, project, new, None, now)
            told = await tell_members_later(uow, project, "edited", now, version)
            say.out("cli.project_edited", name=repr(project.name), version=str(version), count=told)
            for change in found:
                print(f"  {change.criterion or change.section}")
            return 0
    except LifecycleRefused as exc:
        say.err("cli.project_refused", reason=say.text(exc.reason_key, name=repr(project.name)))
    except DateInvalid as exc:
        say.err("cli.project_refused", reason=say.text(exc.reason_key, **exc.params))
    except SpecError as exc:
        return refused(say, "spec", exc.errors)
    except EditRefused as exc:
        key = "lifecycle.edit.fixed" if exc.fields else "lifecycle.edit.unchanged"
        say.err("cli.project_refused", reason=say.text(key, name=repr(project.name), fields=", ".join(exc.fields)))
    except (ValidationError, UnicodeDecodeError):  # instructions text that is empty, too long or not UTF-8
        say.err("cli.project_refused", reason=say.text("lifecycle.edit.invalid"))
    return 1
