"""How manager views name a person: "Ana Pérez (@ana)" — the profile name and the handle of the platform they
used last (domain.people_names.person_label), so the manager can tell two Anas apart and knows what to type."""
from __future__ import annotations

from domain.people_names import person_label
from storage.uow import UnitOfWork


async def label_of(uow: UnitOfWork, person_id: int, fallback: str | None = None) -> str:
    """The label; `fallback` (default "#id") when the person has neither a name nor a handle."""
    name, handle, platform_name = await uow.identities.naming(person_id)
    return person_label(name or platform_name, handle, fallback if fallback is not None else f"#{person_id}")



async def labels_of(uow: UnitOfWork, person_ids) -> dict[int, str]:
    """`label_of` for each of `person_ids` (each once): the names in a tally (ping summaries, /match batches)."""
    return {pid: await label_of(uow, pid) for pid in dict.fromkeys(person_ids)}
