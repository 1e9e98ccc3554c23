"""Keep Python's cyclic garbage collector off what start-up built, once the bot has started.

Start-up leaves a large, long-lived heap: five catalogs of 1,400-odd messages, routers, forms, compiled
templates, the library modules. Every turn makes thousands of short-lived objects, so collections run often, and
each collection of the oldest generation walked that whole heap again. In the benchmarks (bench/README.md,
"The garbage collector") that was a quarter or more of the bot's CPU: `gc.freeze()` after start-up and a young
generation collected every 10,000 allocations instead of 700 raised throughput by 30–50% on Telegram, Slack and
the chat path alike.

Only for a process that is the bot (`panelist run`): frozen objects are never collected as cycles, so a test
process, which builds and drops many runtimes, must not call it.
"""
from __future__ import annotations

import gc
import logging

log = logging.getLogger("panelist.heap")

YOUNG_GENERATION_THRESHOLD = 10_000  # CPython's default is 700; the older generations keep theirs


def settle_heap() -> None:
    """Collect once, move everything alive now out of the collector's sight, and collect the young less often."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, old)
    log.info("heap: %d start-up objects frozen; the young generation is collected every %d allocations",
             gc.get_freeze_count(), YOUNG_GENERATION_THRESHOLD)
