"""The scheduler only ticks; the database is the truth.

APScheduler 3.x (AsyncIOScheduler, UTC, in-memory job store) calls the tick functions; each tick claims its
work in the database, so several processes ticking at once send nothing twice. `coalesce` makes a tick missed
during downtime run once, not once per missed interval.
"""
from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta
from typing import Awaitable, Callable

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger("panelist.scheduler")
Tick = Callable[[], Awaitable[object]]


class FailureLog:
    """How a failing tick is logged: one line when it starts failing (its traceback at DEBUG), then at most one
    line a minute while it keeps failing, and one when it works again. A database outage would otherwise write a
    long traceback for every job at every tick."""

    EVERY = 60.0  # seconds between lines about the same failing tick

    def __init__(self, name: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self.clock = clock
        self.count = 0  # failures in the current streak
        self.unreported = 0
        self.last_line = 0.0

    def failed(self, exc: Exception) -> None:
        self.count += 1
        now = self.clock()
        cause = f"{type(exc).__name__}: {exc}".strip()[:300]
        if self.count == 1:
            log.error("tick %s failed: %s", self.name, cause)
            log.debug("tick %s failed", self.name, exc_info=exc)
        elif now - self.last_line >= self.EVERY:
            log.error("tick %s still failing (%d more times): %s", self.name, self.unreported + 1, cause)
        else:
            self.unreported += 1
            return
        self.last_line, self.unreported = now, 0

    def worked(self) -> None:
        if self.count:
            log.warning("tick %s works again after %d failed runs", self.name, self.count)
        self.count = self.unreported = 0


class Ticker:
    """`on_run(name, seconds, ok)` and `on_missed(name)` are told about every run and every skipped run (metrics)."""

    def __init__(self, on_run: Callable[[str, float, bool], None] | None = None,
                 on_missed: Callable[[str], None] | None = None) -> None:
        self._scheduler = AsyncIOScheduler(timezone="UTC", job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": None,
        })
        self._running: set[asyncio.Task] = set()  # ticks in progress, so a stop can wait for them
        self.on_run = on_run
        if on_missed is not None:  # late past its grace, or its previous run still going
            self._scheduler.add_listener(lambda event: on_missed(event.job_id),
                                         EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)

    def every(self, seconds: float, tick: Tick, name: str) -> None:
        failures = FailureLog(name)

        async def guarded() -> None:
            task = asyncio.current_task()
            self._running.add(task)
            started, ok = time.perf_counter(), False
            try:
                await tick()
                ok = True
            except asyncio.CancelledError:  # stopped (see `drain`): the tick's transaction rolled back
                log.info("tick %s stopped before it finished", name)
            except Exception as exc:  # one failing tick must not stop the others
                failures.failed(exc)
            else:
                failures.worked()
            finally:
                self._running.discard(task)
                if self.on_run is not None:
                    self.on_run(name, time.perf_counter() - started, ok)

        self._scheduler.add_job(guarded, "interval", seconds=seconds, id=name, name=name)

    def start(self) -> None:
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    async def drain(self, grace: float = 10.0) -> None:
        """After `stop()`: let ticks in progress finish for up to `grace` seconds, then cancel them (what a cancelled
        sweep had claimed is released by the runtime's stop), so nothing runs on after the database is closed."""
        if not self._running:
            return
        _, pending = await asyncio.wait(set(self._running), timeout=grace)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)


def core_ticks(ticker: Ticker, runtime) -> None:
    """What every process ticks: leftover outbox rows, inbox rows a crashed process accepted, old tokens."""
    ticker.every(2, lambda: runtime.sweep_outbox(limit=500), "outbox.sweep")
    # Rows of dead processes and this process's own failed turns are taken at once (the 30 s grace is for rows
    # of no known process); a live process's queued rows are left to it (runtime.unprocessed).
    ticker.every(5, lambda: runtime.recover_inbox(grace=timedelta(seconds=30)), "inbox.recover")
    ticker.every(3600, runtime.purge_expired, "tokens.purge")
    ticker.every(600, runtime.purge_old, "retention.purge")


def router_ticks(ticker: Ticker, runtime) -> None:
    """What the application registered with `@router.tick`, each run by the runtime in its own transaction."""
    for tick in runtime.router.ticks.values():
        ticker.every(tick.every, lambda tick=tick: runtime.run_tick(tick), tick.name)
