"""Timing helpers shared by the benchmarks: percentiles, one result row, the printed table."""
from __future__ import annotations

import math
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import aiosqlite


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0–100) by linear interpolation between closest ranks; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (p / 100) * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def best_of(fn, rounds: int) -> float:
    """The fastest of `rounds` calls of `fn`, in seconds: the least disturbed by the rest of a shared machine."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def add_heap_option(parser) -> None:
    """`--heap`: run the bot's heap as `panelist run` does (settled after start-up, app/heap.py) or as it was."""
    parser.add_argument("--heap", choices=("settled", "as-is"), default="settled",
                        help="settled: gc.freeze() and a larger young generation after start-up, as `panelist run`"
                             " does (app/heap.py); as-is: Python's defaults, as before")


def settle_heap_if(mode: str) -> None:
    """Called right after the bot's runtime started, where `panelist run` settles its heap."""
    if mode == "settled":
        from app.heap import settle_heap

        settle_heap()


class DurableInbox:
    """The least a bot that promises "nothing lost" does per delivery: one INSERT of it and a COMMIT, on an
    SQLite file with our PRAGMAs (WAL, synchronous=FULL), through aiosqlite as a plain bot would. The bare-SDK
    benchmarks run their bare bot a second time with this before its reply, so their ratios can be read against
    a baseline that pays for durability as Panelist does, next to the issue's baseline that does not."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="panelist-bench-inbox-")) / "inbox.db"
        self._db: aiosqlite.Connection | None = None

    async def open(self) -> "DurableInbox":
        from storage.sqlite import PRAGMAS

        self._db = await aiosqlite.connect(self.path)
        for pragma in PRAGMAS:
            await self._db.execute(f"PRAGMA {pragma}")
        await self._db.execute("CREATE TABLE inbox (delivery_id TEXT PRIMARY KEY, payload TEXT NOT NULL)")
        await self._db.commit()
        return self

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    async def __aenter__(self) -> "DurableInbox":
        return await self.open()

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def record(self, delivery_id: str, payload: str) -> None:
        await self._db.execute("INSERT OR IGNORE INTO inbox (delivery_id, payload) VALUES (?, ?)",
                               (delivery_id, payload))
        await self._db.commit()


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """`with stopwatch() as t: ...` then `t[0]` is the elapsed seconds."""
    box: list[float] = []
    start = time.perf_counter()
    try:
        yield box
    finally:
        box.append(time.perf_counter() - start)


@dataclass
class Result:
    backend: str
    processes: int
    messages: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds if self.seconds else math.nan

    @property
    def p50(self) -> float:
        return percentile(self.latencies_ms, 50)

    @property
    def p99(self) -> float:
        return percentile(self.latencies_ms, 99)


def table(results: list[Result], baseline: Result | None) -> str:
    head = f"{'backend':<22} {'processes':>9} {'messages':>9} {'msgs/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7}  note"
    lines = [head, "-" * len(head)]
    for r in results:
        ratio = r.per_second / baseline.per_second if baseline and baseline.per_second else math.nan
        lines.append(f"{r.backend:<22} {r.processes:>9} {r.messages:>9} {r.per_second:>9.0f} {r.p50:>8.2f}"
                     f" {r.p99:>8.2f} {ratio:>6.3f}x  {r.note}")
    return "\n".join(lines)
