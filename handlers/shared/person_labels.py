"""How manager views name a person: "Ana Pérez (@ana)" — the profile name and the handle of the platform they
used last (domain.people_names.person_label), so the manager can tell two Anas apart and knows what to type."""
from __future__ import annotations

from typing import Iterable

from domain.people_names import person_label
from storage.uow import UnitOfWork


async def label_of(uow: UnitOfWork, person_id: int, fallback: str | None = None) -> str:
    """The label; `fallback` (default "#id") when the person has neither a name nor a handle."""
    person = await uow.people.get(person_id)
    identities = await uow.identities.for_person(person_id)  # the one used last first
    handle = next((i.username for i in identities if i.username), None)
    name = (person.display_name if person else "") or next((i.display_name for i in identities if i.display_name), "")
    return person_label(name, handle, fallback if fallback is not None else f"#{person_id}")


async def labels(uow: UnitOfWork, person_ids: Iterable[int], fallback=None) -> dict[int, str]:
    """`label_of` for each id; `fallback(person_id)` names those with neither name nor handle."""
    out: dict[int, str] = {}
    for pid in dict.fromkeys(person_ids):
        out[pid] = await label_of(uow, pid, fallback(pid) if fallback else None)
    return out
