"""Where projects meet qualifications (issue 8): what a person holds, read at /projects, /join and /next."""
from __future__ import annotations

from datetime import datetime

from storage.uow import UnitOfWork


async def qualifications_of(uow: UnitOfWork, person_id: int, now: datetime) -> dict[str, int]:
    """Valid (unexpired, unrevoked) qualifications: qualification/domain name → highest level held."""
    held: dict[str, int] = {}
    for q in await uow.qualifications.valid(person_id, now):
        held[q.name] = max(held.get(q.name, 0), q.level)
    return held
