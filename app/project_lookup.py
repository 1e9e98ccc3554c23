"""A project named on the command line, by the same rule as in chat (domain.project_names)."""
from __future__ import annotations

from domain.project_names import Ambiguous, Exact, resolve
from storage.repos.projects import ProjectRow
from storage.uow import UnitOfWork

from app.cli_text import CliText


async def project_named(db, say: CliText, typed: str) -> ProjectRow | None:
    """The project `typed` names, or None after saying why on stderr. When several match, their names go to stdout,
    one per line, so a script (or a person) can pick one and run the command again with it; the caller exits 2."""
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        names = await uow.projects.names()
        result = resolve(typed, names)
        if isinstance(result, Exact):
            return await uow.projects.get(result.project_id)
    if isinstance(result, Ambiguous):
        say.err("cli.project_ambiguous", count=len(result.project_ids), name=repr(typed))
        by_id = dict(names)
        for pid in result.project_ids:
            print(by_id[pid])
        return None
    say.err("cli.no_project", name=repr(typed))
    return None
