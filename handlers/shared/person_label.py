"""How a person is named to a manager in tallies (ping summaries, /match invitations): one place, so a richer
label (a platform handle beside the name) changes every tally at once. Plain text: callers isolate it with
`user_text` / `joined` where it sits inside a sentence."""
from __future__ import annotations

from storage.uow import UnitOfWork


async def person_label(uow: UnitOfWork, person_id: int) -> str:
    """The person's display name, or `#id` when they have none (a manager can still tell people apart)."""
    person = await uow.people.get(person_id)
    return (person.display_name if person is not None else "") or f"#{person_id}"


async def person_labels(uow: UnitOfWork, person_ids) -> dict[int, str]:
    return {pid: await person_label(uow, pid) for pid in dict.fromkeys(person_ids)}
