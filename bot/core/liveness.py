"""Liveness: which processes are running, so what a dead one held is taken at once rather than after a TTL.

Each runtime keeps a row in `processes` (storage/repos/liveness.py) and beats it every `beat` seconds from a task
of its own. On every beat it also renews its claims on outbox rows still queued in its pacer (a paced backlog is
never taken by a sweeper while this process is alive) and judges the other processes. One is dead when

- it is on this machine, in this pid namespace, and its pid is gone (`os.kill(pid, 0)`): known at once, so a bot
  killed with SIGKILL and restarted takes over its own lease and claims in the first second;
- it is on this host with our own pid under another id and has missed a beat (a container restarted as pid 1);
- its beat has not changed for `dead_after` seconds of our own clock while we beat without failing (timed
  with our monotonic clock, so clocks of other hosts do not matter, and after our own database outage we watch
  afresh instead of judging everybody dead).

A dead process's row is deleted; storage treats leases, outbox claims and inbox rows of a holder without a row
as free. A process that finds its own row gone (judged dead while alive, e.g. its event loop stalled) registers
again; whatever another process took meanwhile stays taken. `stop()` (a clean stop) releases its leases and
claims and deletes its row.
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable

log = logging.getLogger("panelist.liveness")

BEAT = 2.0  # seconds between beats
DEAD_AFTER = 8.0  # seconds a beat may stay unchanged before its process is judged dead (other hosts)


def host_name() -> str:
    return socket.gethostname()


def pid_namespace() -> str:
    """What makes pids comparable: this boot of this machine and this pid namespace ('' where unknown)."""
    parts = []
    for path, read in (("/proc/sys/kernel/random/boot_id", _read), ("/proc/self/ns/pid", os.readlink)):
        try:
            parts.append(read(path))
        except OSError:
            parts.append("")
    return "/".join(parts) if any(parts) else ""


def _read(path: str) -> str:
    with open(path, encoding="ascii") as f:
        return f.read().strip()


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists, owned by someone else
        return True
    return True


def _wall() -> datetime:
    return datetime.now(timezone.utc)


class Liveness:
    """`hold(ids)` / `let_go(ids)` mark outbox rows this process is about to send (their claims are renewed
    until let go); `start()` registers and judges the others once before anything is claimed."""

    def __init__(self, db: Any, unit_of_work: Callable[[Any], Any], process_id: str, *,
                 claim: timedelta, clock: Callable[[], datetime], beat: float = BEAT,
                 dead_after: float = DEAD_AFTER) -> None:
        self.db = db
        self.unit_of_work = unit_of_work
        self.process_id = process_id
        self.claim = claim
        self.clock = clock  # the runtime's clock: claims are compared with it
        self.beat = beat
        self.dead_after = dead_after
        self.host = host_name()
        self.ns = pid_namespace()
        self.pid = os.getpid()
        self.started_at = _wall()
        self._held: dict[int, int] = {}  # outbox id -> how many deliveries hold it
        self._seen: dict[str, tuple[datetime, float]] = {}  # process id -> (its beat, when it last changed)
        self._failing = False
        self._task: asyncio.Task | None = None
        self.buried: list[str] = []  # processes this one judged dead (observable in tests and benchmarks)

    # outbox rows queued for sending ---------------------------------------------------------------------------
    def hold(self, ids: Iterable[int]) -> None:
        for i in ids:
            self._held[i] = self._held.get(i, 0) + 1

    def let_go(self, ids: Iterable[int]) -> None:
        for i in ids:
            n = self._held.get(i, 0) - 1
            if n > 0:
                self._held[i] = n
            else:
                self._held.pop(i, None)

    @property
    def held(self) -> list[int]:
        return sorted(self._held)

    # lifecycle ------------------------------------------------------------------------------------------------
    async def start(self) -> None:
        async with self.db.transaction() as tx:
            uow = self.unit_of_work(tx)
            await uow.processes.register(self.process_id, self.host, self.ns, self.pid, self.started_at, _wall())
            await self._judge(uow)
        self._task = asyncio.create_task(self._run(), name="liveness")

    async def stop(self) -> None:
        if self._task is None:
            return  # never started
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None
        try:
            async with self.db.transaction() as tx:
                await self.unit_of_work(tx).processes.forget(self.process_id)
        except Exception as exc:  # the database is away: the others judge this process dead by its silence
            log.warning("liveness: could not release this process's leases and claims (%s)", type(exc).__name__)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.beat)
            try:
                await self.beat_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not self._failing:
                    log.warning("liveness: beat failed (%s); retrying", type(exc).__name__)
                self._failing = True

    async def beat_once(self) -> None:
        """Beat, renew the claims on rows still queued here, judge the others: one short transaction."""
        async with self.db.transaction() as tx:
            uow = self.unit_of_work(tx)
            if not await uow.processes.beat(self.process_id, _wall()):
                log.warning("liveness: this process was judged dead by another (it stalled for %.0fs or more?);"
                            " registering again", self.dead_after)
                await uow.processes.register(self.process_id, self.host, self.ns, self.pid, self.started_at,
                                             _wall())
            held = self.held
            if held:
                await uow.processes.renew_claims(self.process_id, held, self.clock() + self.claim)
            if self._failing:  # we could not watch the others meanwhile: watch afresh
                self._seen.clear()
                self._failing = False
                log.info("liveness: beating again")
            await self._judge(uow)

    async def _judge(self, uow: Any) -> None:
        now = time.monotonic()
        dead: list[tuple[str, str]] = []
        rows = await uow.processes.all()
        for row in rows:
            pid, beat = row["process_id"], row["beat_at"]
            if pid == self.process_id:
                continue
            seen = self._seen.get(pid)
            if seen is None or seen[0] != beat:
                self._seen[pid] = seen = (beat, now)
            unchanged = now - seen[1]
            local = row["host"] == self.host
            if local and row["ns"] == self.ns and row["pid"] != self.pid and not pid_alive(row["pid"]):
                dead.append((pid, f"pid {row['pid']} is gone"))
            elif local and row["pid"] == self.pid and unchanged > 1.5 * self.beat:
                dead.append((pid, "its pid is ours now"))
            elif unchanged > self.dead_after:
                dead.append((pid, f"no beat for {unchanged:.0f}s"))
        live = {r["process_id"] for r in rows}
        for pid in list(self._seen):
            if pid not in live:
                del self._seen[pid]
        if dead:
            await uow.processes.bury([pid for pid, _ in dead])
            for pid, why in dead:
                self._seen.pop(pid, None)
                self.buried.append(pid)
                log.warning("liveness: process %s is dead (%s); taking over what it held", pid, why)
