"""One bot process for the multi-process test and the benchmark: `python -m tests.multiproc.worker DATABASE_URL`.

It starts a real runtime (build_runtime, real storage) with a recording "console" adapter, then reads stdin:

- an event as one JSON line: `accept` it (the inbox write), print `ACK <delivery_id>` — from here on the
  platform may forget the delivery — then process it in the background;
- `RECOVER`: process inbox rows accepted but never processed (what a restart or a sibling does after a crash),
  then print `RECOVERED <n>`;
- `SWEEP`: send outbox rows nobody is sending, then print `SWEPT <n>`.
- `TICK <name>`: run the tick registered under that name (`@router.tick`), then print `TICKED <name> <n>`.
- `PAUSE` (only when started with a third argument `pausable`): print `PAUSED`; from then on the next transaction
  that commits prints `COMMITTED` and never returns, so a test can SIGKILL the process right after a commit,
  before anything that was to follow it.

Every delivery is printed as `OUT {"chat": …, "text": …, "buttons": [[label, payload], …], "turn_ms": …}`.
`DONE <delivery_id> <ms>` follows each processed event (ms from the line arriving to the turn's replies sent).
`READY <process id>` is printed once the runtime is started. End of stdin: finish in-flight work and exit.
"""
from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from contextlib import asynccontextmanager

from pydantic import TypeAdapter

from bot.adapters.console.render import render_reply
from app.wiring import build_runtime
from bot.adapters.console import CONSOLE
from bot.core.events import Event
from bot.core.operations import Delivery, EditMessage, FormErrors, Notice, PublishHome, SendMessage
from app.settings import Settings
from storage.db import open_database

EVENT = TypeAdapter(Event)


def emit(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class RecordingAdapter:
    """Writes one JSON line per delivery instead of talking to a platform."""

    platform = "console"
    capabilities = CONSOLE

    def __init__(self) -> None:
        self.count = 0

    async def deliver(self, d: Delivery, progress=None) -> str | None:
        op = d.op
        out: dict = {"chat": d.chat_id, "buttons": []}
        if isinstance(op, (SendMessage, EditMessage, PublishHome)):
            body, buttons = render_reply(op.message)
            out["text"] = body
            out["buttons"] = [[str(b.label), b.payload] for b in buttons if b.payload]
        elif isinstance(op, Notice):
            out["text"] = f"(i) {op.text}"
        elif isinstance(op, FormErrors):
            out["text"] = "(!) " + "; ".join(map(str, op.errors.values()))
        else:
            out["text"] = f"({op.kind})"
        emit("OUT " + json.dumps(out, ensure_ascii=False))
        self.count += 1
        return f"m{self.count}"


class PauseAfterCommit:
    """The real database, with the one switch `PAUSE` needs (everything else is the database's own)."""

    def __init__(self, db) -> None:
        self._db = db
        self.armed = False

    def __getattr__(self, name: str):
        return getattr(self._db, name)

    @asynccontextmanager
    async def transaction(self):
        async with self._db.transaction() as tx:
            yield tx
        if self.armed:  # committed (transaction() returns only once durable); stop here for the kill
            emit("COMMITTED")
            await asyncio.Event().wait()


async def handle_line(runtime, line: str) -> None:
    if line == "PAUSE":
        runtime.db.armed = True
        emit("PAUSED")
        return
    if line.startswith("TICK "):
        name = line.removeprefix("TICK ")
        emit(f"TICKED {name} {await runtime.run_tick(runtime.router.ticks[name])}")
        return
    if line == "RECOVER":
        emit(f"RECOVERED {await runtime.recover_inbox()}")
        return
    if line == "SWEEP":
        emit(f"SWEPT {await runtime.sweep_outbox()}")
        return
    started = time.perf_counter()
    event = EVENT.validate_json(line)
    await runtime.accept(event)
    emit(f"ACK {event.delivery_id}")
    await runtime.process(event)
    emit(f"DONE {event.delivery_id} {(time.perf_counter() - started) * 1000:.3f}")


async def main(url: str, pool_size: int, pausable: bool = False) -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    runtime = build_runtime(Settings(database_url=url, database_pool_size=pool_size),
                            db=PauseAfterCommit(open_database(url, pool_size)) if pausable else None)
    await runtime.start()
    runtime.register(RecordingAdapter())
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 22)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    tasks: set[asyncio.Task] = set()

    async def guarded(line: str) -> None:
        try:
            await handle_line(runtime, line)
        except Exception:
            logging.exception("line failed: %.200s", line)
            emit("ERROR " + line[:200])

    emit(f"READY {runtime.process_id}")
    try:
        while raw := await reader.readline():
            line = raw.decode().strip()
            if line:
                task = asyncio.create_task(guarded(line))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.gather(*tasks)
    finally:
        await runtime.stop()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10,
                     len(sys.argv) > 3 and sys.argv[3] == "pausable"))
