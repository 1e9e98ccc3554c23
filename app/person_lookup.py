"""A person named on the command line — `telegram:123`, `slack:T1/U2`, `@handle` or a name — by the same rule as
in chat (domain.people_names)."""
from __future__ import annotations

from app.cli_text import CliText
from domain.people_names import Ambiguous, Exact, person_label, resolve
from handlers.shared.people_names import candidates
from storage.uow import UnitOfWork


async def person_named(db, say: CliText, typed: str) -> int | None:
    """The person `typed` names, or None after saying why on stderr (several: their labels on stdout)."""
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        found = await candidates(uow)
        result = resolve(typed, found)
        if isinstance(result, Exact):
            return result.project_id  # (the same result type names a person here)
        if isinstance(result, Ambiguous):
            say.err("cli.person_ambiguous", len(result.project_ids), name=repr(typed))
            for pid in result.project_ids:
                name, handle, platform_name = await uow.identities.naming(pid)
                print(f"{person_label(name or platform_name, handle, f'#{pid}')}  (#{pid})")
            return None
    say.err("cli.no_person", name=repr(typed))
    return None


async def labels(uow: UnitOfWork, person_ids: set[int]) -> dict[int, str]:
    """How each person is shown to an operator: "Ana Pérez (@ana) #4"."""
    out = {}
    for pid in sorted(person_ids):
        name, handle, platform_name = await uow.identities.naming(pid)
        out[pid] = f"{person_label(name or platform_name, handle, '')} #{pid}".strip()
    return out
