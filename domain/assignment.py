"""Rules of fair assignment that are not SQL: which kind of item to serve next and which slot it takes."""
from __future__ import annotations

import random
from typing import Callable


def prefer_gold(gold_served: int, total_served: int, gold_ratio: float,
                rng: Callable[[], float] = random.random) -> bool:
    """Serve a gold item so this person's share of gold tracks the project's ratio, at random moments.

    The deficit (gold owed so far) is the probability of serving gold now; a whole item owed forces it. So the
    share never drifts by more than one item, and no fixed position (first, every tenth) gives gold away.
    """
    if gold_ratio <= 0:
        return False
    if gold_ratio >= 1:
        return True
    deficit = gold_ratio * (total_served + 1) - gold_served
    if deficit >= 1:
        return True
    if deficit <= 0:
        return False
    return rng() < deficit


def free_slot(used: set[int], overlap: int) -> int | None:
    for slot in range(overlap):
        if slot not in used:
            return slot
    return None


def late_submit_allowed(filled: int, overlap: int) -> bool:
    """A submit after the lease ended counts only if the item still needs answers."""
    return filled < overlap
