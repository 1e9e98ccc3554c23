"""Rules of fair assignment that are not SQL: which kind of item to serve next and which slot it takes."""
from __future__ import annotations

from datetime import datetime, timedelta


def prefer_gold(gold_served: int, total_served: int, gold_ratio: float) -> bool:
    """Serve a gold item when this person's share of gold is below the project's ratio.

    Deterministic per person, so gold is mixed in evenly and nobody can tell gold apart by timing.
    """
    if gold_ratio <= 0:
        return False
    if gold_ratio >= 1:
        return True
    return gold_served < gold_ratio * (total_served + 1)


def free_slot(used: set[int], overlap: int) -> int | None:
    for slot in range(overlap):
        if slot not in used:
            return slot
    return None


def lease_end(assigned_at: datetime, lease_minutes: int) -> datetime:
    return assigned_at + timedelta(minutes=lease_minutes)


def late_submit_allowed(filled: int, overlap: int) -> bool:
    """A submit after the lease ended counts only if the item still needs answers."""
    return filled < overlap
