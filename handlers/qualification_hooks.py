"""Where projects meet qualifications (issue 8): what a person holds, read at /projects, /join and /next."""
from __future__ import annotations

from datetime import datetime

from storage.uow import UnitOfWork


async def qualifications_of(uow: UnitOfWork, person_id: int, now: datetime) -> dict[str, int]:
    """Valid (unexpired, unrevoked) qualifications: qualification/domain name → level."""
    return {}
