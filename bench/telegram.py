"""Benchmark: simulated people onboarding through the real PTB Telegram adapter, next to a bare PTB echo bot (issue 4).

How to run (from the repository root, with the project's venv):

    /work/venv/bin/python bench/telegram.py                    # 200 people, SQLite
    /work/venv/bin/python bench/telegram.py --people 500 --backend postgres
    /work/venv/bin/python bench/telegram.py --pacing           # the production pacer (1 msg/s per chat, 30/s overall)

Everything runs on loopback in one process and one event loop: the load generator and the Bot API stand-in
(`tests/telegram_standin`, no rate limits). Both bots long-poll the same stand-in, one after the other (Telegram
allows one getUpdates consumer per token):

* **panelist** — `TelegramAdapter` (PTB `Application`, leased long polling, inbox row before the offset
  confirms, the turn in one transaction, outbox, HTML rendering, pacer — unlimited unless --pacing) on a fresh
  database. Each person: `/start`, their name, presses "Medicine" and "Done", types years and credentials:
  6 updates, each sent only after the bot finished answering the previous one (as a person waits).
* **bare PTB echo** — `Application` with PTB's own `Updater.start_polling` and one `MessageHandler` that
  replies with the text; the same number of people, 6 text messages each, same waiting. Measured three times:
  PTB's default (updates handled one at a time), `concurrent_updates(True)`, and the default again writing each
  update to an SQLite inbox and committing before it replies (`bench.common.DurableInbox`: the least a bot that
  loses nothing does, and a baseline that pays for durability as Panelist does).

Per update: time from pushing it into the stand-in until the last Bot API call it causes (messages sent or
edited, callback answer) was answered. How many calls each onboarding step causes is learned first from one
calibration person (not timed). Throughput: updates / wall time with all people going at once.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path and this file would shadow the `telegram` package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from pydantic import SecretStr  # noqa: E402
from telegram.ext import Application, MessageHandler, filters  # noqa: E402

from bench.common import DurableInbox, add_heap_option, percentile, settle_heap_if  # noqa: E402
from bot.adapters.telegram.adapter import TelegramAdapter  # noqa: E402
from bot.adapters.telegram.pacing import Pacer  # noqa: E402
from app.wiring import build_runtime  # noqa: E402
from app.settings import Settings  # noqa: E402
from tests.telegram_standin import BotApiStandIn  # noqa: E402

VISIBLE = ("sendMessage", "editMessageText", "sendDocument", "sendPhoto", "answerCallbackQuery")
SCRIPT = [("send", "/start"), ("send", "{name}"), ("press", "Medicine"), ("press", "Done"),
          ("send", "12"), ("send", "MD, board-certified")]


class TimedStandIn(BotApiStandIn):
    """The stand-in, noting when each visible call per chat was answered and waking whoever waits for it."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.query_chat: dict[str, int] = {}
        self.counts: dict[int, int] = {}
        self.last_at: dict[int, float] = {}
        self.waiters: dict[int, list[tuple[int, asyncio.Future]]] = {}

    def _respond(self, method, params, result=None, error=None):
        if error is None and method in VISIBLE:
            chat = (self.query_chat.get(str(params.get("callback_query_id"))) if method == "answerCallbackQuery"
                    else params.get("chat_id"))
            if isinstance(chat, int):
                self.counts[chat] = self.counts.get(chat, 0) + 1
                self.last_at[chat] = time.perf_counter()
                for n, fut in self.waiters.get(chat, []):
                    if self.counts[chat] >= n and not fut.done():
                        fut.set_result(None)
        return super()._respond(method, params, result, error)

    async def wait(self, chat: int, n: int, timeout: float = 60.0) -> float:
        if self.counts.get(chat, 0) < n:
            fut = asyncio.get_running_loop().create_future()
            self.waiters.setdefault(chat, []).append((n, fut))
            await asyncio.wait_for(fut, timeout)
        return self.last_at[chat]

    def push(self, chat: int, kind: str, value: str) -> None:
        if kind == "send":
            self.push_update(self.message_update(chat, value))
            return
        for message in reversed(self.messages_to(chat)):
            for row in message.get("reply_markup", {}).get("inline_keyboard", []):
                for b in row:
                    if b["text"] == value or b["text"].endswith(" " + value):
                        update = self.callback_update(chat, b["callback_data"], message["message_id"])
                        self.query_chat[update["callback_query"]["id"]] = chat
                        self.push_update(update)
                        return
            if message.get("reply_markup"):
                break
        raise AssertionError(f"no button {value!r} for {chat}")


async def person(api: TimedStandIn, chat: int, script: list[tuple[str, str]], expect: list[int],
                 latencies: list[float]) -> None:
    """One person: each step waits until the bot made the calls that step causes."""
    for (kind, value), n in zip(script, expect):
        target = api.counts.get(chat, 0) + n
        t0 = time.perf_counter()
        api.push(chat, kind, value.format(name=f"Person {chat}"))
        done = await api.wait(chat, target)
        latencies.append(done - t0)


async def calibrate(api: TimedStandIn, adapter: TelegramAdapter, chat: int) -> list[int]:
    """Calls caused by each step of the script, learned from one person (the adapter drained after each)."""
    expect = []
    for kind, value in SCRIPT:
        before = api.counts.get(chat, 0)
        pending = len(api.pending_updates)
        api.push(chat, kind, value.format(name="Calibration"))
        while len(api.pending_updates) > pending:
            await asyncio.sleep(0.001)
        await adapter.drain()
        expect.append(api.counts.get(chat, 0) - before)
    assert all(expect), f"a step caused no visible call: {expect}"
    return expect


async def run_people(api: TimedStandIn, chats: list[int], script, expect) -> dict:
    latencies: list[float] = []
    started = time.perf_counter()
    await asyncio.gather(*(person(api, c, script, expect, latencies) for c in chats))
    wall = time.perf_counter() - started
    n = len(chats) * len(script)
    return {"updates": n, "wall": wall, "ups": n / wall, "p50": percentile(latencies, 50) * 1000,
            "p99": percentile(latencies, 99) * 1000}


async def bench_panelist(api: TimedStandIn, args, database_url: str) -> tuple[dict, int]:
    settings = Settings(database_url=database_url, telegram_token=SecretStr(api.token),
                        telegram_api_url=api.base_url, telegram_file_url=api.file_url)
    runtime = build_runtime(settings)
    await runtime.start()
    pacer = Pacer(per_chat_burst=3.0) if args.pacing else Pacer(
        per_chat_rate=1e6, global_rate=1e6, per_chat_burst=1e6, global_burst=1e6)
    adapter = TelegramAdapter(runtime, settings, pacer=pacer, poll_timeout=2.0, lease_ttl=timedelta(seconds=10))
    await adapter.start()
    settle_heap_if(args.heap)
    try:
        while not adapter.polling:
            await asyncio.sleep(0.01)
        expect = await calibrate(api, adapter, 1)
        chats = list(range(1000, 1000 + args.people))
        result = await run_people(api, chats, SCRIPT, expect)
        result["expect"] = expect
        await adapter.drain()
        async with runtime.db.transaction() as tx:
            bad = int(await tx.fetchval("SELECT COUNT(*) FROM inbox WHERE error IS NOT NULL OR processed_at IS NULL"))
    finally:
        await adapter.stop()
        await runtime.stop()
    return result, bad


async def bench_echo(api: TimedStandIn, people: int, first_chat: int, concurrent: bool,
                     inbox: DurableInbox | None = None) -> dict:
    builder = Application.builder().token(api.token).base_url(api.base_url).base_file_url(api.file_url)
    if concurrent:
        builder = builder.concurrent_updates(True)
    app = builder.build()

    async def echo(update, context) -> None:
        if inbox is not None:
            await inbox.record(str(update.update_id), update.to_json())
        await update.message.reply_text(update.message.text)

    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    await app.updater.start_polling(poll_interval=0, timeout=2)
    await app.start()
    try:
        script = [("send", f"message {i}") for i in range(len(SCRIPT))]
        chats = list(range(first_chat, first_chat + people))
        return await run_people(api, chats, script, [1] * len(script))
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def main(args) -> None:
    schema = None
    if args.backend == "postgres":
        import uuid

        pg = os.environ.get("PANELIST_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
        schema = "bench_" + uuid.uuid4().hex[:12]
        database_url = f"{pg}{'&' if '?' in pg else '?'}schema={schema}"
    else:
        database_url = f"sqlite:///{tempfile.mkdtemp(prefix='panelist-bench-tg-')}/bench.db"
    try:
        async with TimedStandIn() as api:
            ours, bad = await bench_panelist(api, args, database_url)
            echo_seq = await bench_echo(api, args.people, 100_000, concurrent=False)
            echo_con = await bench_echo(api, args.people, 200_000, concurrent=True)
            async with DurableInbox() as inbox:
                echo_durable = await bench_echo(api, args.people, 300_000, concurrent=False, inbox=inbox)
            refusals = list(api.refusals)
    finally:
        if schema:
            from tests.backends import drop_schema

            await drop_schema(schema)

    print(f"\nTelegram benchmark: {args.people} people x {len(SCRIPT)} updates, backend {args.backend}, "
          f"pacing {'production (1 msg/s per chat, 30/s overall)' if args.pacing else 'off'}, heap {args.heap}; "
          f"calls per onboarding step {ours['expect']}\n")
    head = f"{'bot':44} {'updates':>8} {'updates/s':>10} {'p50 ms':>8} {'p99 ms':>8}"
    print(head)
    print("-" * len(head))
    rows = [("panelist (PTB adapter, onboarding)", ours), ("bare PTB echo (default, sequential)", echo_seq),
            ("bare PTB echo (concurrent_updates)", echo_con),
            ("bare PTB echo + durable inbox row", echo_durable)]
    for name, r in rows:
        print(f"{name:44} {r['updates']:8d} {r['ups']:10.0f} {r['p50']:8.1f} {r['p99']:8.1f}")
    print()
    for name, base in rows[1:]:
        print(f"ratio panelist / {name}: throughput {ours['ups'] / base['ups']:.2f}x, "
              f"p50 {ours['p50'] / base['p50']:.2f}x, p99 {ours['p99'] / base['p99']:.2f}x")
    print(f"\nstand-in refusals: {len(refusals)}; inbox rows failed or unprocessed: {bad}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pacing", action="store_true", help="the production pacer instead of an unlimited one")
    add_heap_option(parser)
    asyncio.run(main(parser.parse_args()))
