"""When a failed delivery is tried again: exponential backoff with jitter, bounded in attempts.

`next_try(attempts, ...)` is the delay before attempt `attempts + 1` after `attempts` failures, or None when
the bound is reached (the row is then marked failed). Full jitter over the upper half (between half and all of
`base * 2**(attempts-1)`, capped) spreads the retries of many rows that failed together; a platform's
`retry_after` is a floor.
"""
from __future__ import annotations

import random
from datetime import timedelta

CAP = timedelta(minutes=30)


def next_try(attempts: int, *, max_attempts: int, base: float, retry_after: float | None = None,
             cap: timedelta = CAP, rand: random.Random | None = None) -> timedelta | None:
    """`attempts`: failures so far, this one included (1 after the first)."""
    if attempts >= max_attempts:
        return None
    ceiling = min(cap.total_seconds(), base * 2 ** max(0, attempts - 1))
    delay = ceiling * (0.5 + 0.5 * (rand or random).random())
    if retry_after is not None:
        delay = max(delay, retry_after)
    return timedelta(seconds=delay)
