"""Benchmark: one person floods 5,000 messages through the Telegram stand-in while another sends `/help` at
intervals; how long does the other person wait during the flood? (issue 15, point 4)

How to run (from the repository root, with the project's venv):

    .venv/bin/python bench/flood.py                          # SQLite, 5,000 messages arriving at 500/s
    .venv/bin/python bench/flood.py --backend postgres
    .venv/bin/python bench/flood.py --rate 0                 # all 5,000 queued in the stand-in at once

Everything runs on loopback in one process and one event loop: the real `TelegramAdapter` (PTB, leased long
polling, inbox row before the offset moves, a turn per update, pacer unlimited unless --pacing) against the
Bot API stand-in (`tests/telegram_standin`), on a fresh database per scenario. Two people: the flooder, who
sends `--messages` plain text messages (pushed into the stand-in at `--rate` per second, or all at once), and
the prober, who sends `/help`, waits for the answer, pauses `--interval` seconds and sends it again.

Scenarios, each its own database and bot (the limits are the defaults unless said):

* **quiet** — the prober alone, `--probes` times: the baseline.
* **flood, limit on** — the prober's `/help` from the moment the flood is pushed until every flood message is
  processed (inbox rows processed).
* **flood, limit off** — the same with the limit lifted (`flood_burst` of a billion): every flood message is a
  full turn with a reply, as before the limit existed. Its own quiet baseline is measured first, too.

Latency per probe: from pushing `/help` into the stand-in until the Bot API answered the bot's reply to the
prober's chat. Ratios are against the quiet baseline of the same run. Also printed: how long the flood took to
be processed, the replies the flooder got (the limit: the burst, one notice and what refilled meanwhile).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path and bench/telegram.py would shadow `telegram`.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from pydantic import SecretStr  # noqa: E402

from app.settings import Settings  # noqa: E402
from app.wiring import build_runtime  # noqa: E402
from bench.common import percentile  # noqa: E402
from bot.adapters.telegram.adapter import TelegramAdapter  # noqa: E402
from bot.adapters.telegram.pacing import Pacer  # noqa: E402
from tests.telegram_standin import BotApiStandIn  # noqa: E402

FLOODER, PROBER = 7_000_001, 7_000_002
NOTICE = "faster than I can read them"


class TimedStandIn(BotApiStandIn):
    """The stand-in, noting each message sent per chat and waking whoever waits for one."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.sent: dict[int, int] = {}
        self.notices: dict[int, int] = {}
        self.waiters: dict[int, list[tuple[int, asyncio.Future]]] = {}

    def _respond(self, method, params, result=None, error=None):
        if error is None and method == "sendMessage" and isinstance(params.get("chat_id"), int):
            chat = params["chat_id"]
            self.sent[chat] = self.sent.get(chat, 0) + 1
            if NOTICE in str(params.get("text", "")):
                self.notices[chat] = self.notices.get(chat, 0) + 1
            now = time.perf_counter()
            for n, fut in self.waiters.get(chat, []):
                if self.sent[chat] >= n and not fut.done():
                    fut.set_result(now)
        return super()._respond(method, params, result, error)

    async def reply_to(self, chat: int, text: str, timeout: float = 600.0) -> float:
        """Push `text` from `chat` and return the seconds until the bot's next message to that chat."""
        target = self.sent.get(chat, 0) + 1
        fut = asyncio.get_running_loop().create_future()
        self.waiters.setdefault(chat, []).append((target, fut))
        t0 = time.perf_counter()
        self.push_update(self.message_update(chat, text, first_name="Probe" if chat == PROBER else "Flood"))
        try:
            done = await asyncio.wait_for(fut, timeout)
        finally:
            self.waiters[chat] = [(n, f) for n, f in self.waiters[chat] if f is not fut]
        return done - t0


class Bot:
    """A runtime and its Telegram adapter on a fresh database, polling a stand-in of its own."""

    def __init__(self, args, limit: bool) -> None:
        self.args, self.limit = args, limit
        self.schema: str | None = None

    async def __aenter__(self) -> "Bot":
        if self.args.backend == "postgres":
            pg = os.environ.get("PANELIST_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
            self.schema = "bench_" + uuid.uuid4().hex[:12]
            url = f"{pg}{'&' if '?' in pg else '?'}schema={self.schema}"
        else:
            url = f"sqlite:///{tempfile.mkdtemp(prefix='panelist-bench-flood-')}/bench.db"
        self.api = await TimedStandIn().start()
        extra = {} if self.limit else {"flood_burst": 10**9}
        settings = Settings(database_url=url, telegram_token=SecretStr(self.api.token),
                            telegram_api_url=self.api.base_url, telegram_file_url=self.api.file_url, **extra)
        self.runtime = build_runtime(settings)
        await self.runtime.start()
        pacer = Pacer(per_chat_burst=3.0) if self.args.pacing else Pacer(
            per_chat_rate=1e6, global_rate=1e6, per_chat_burst=1e6, global_burst=1e6)
        self.adapter = TelegramAdapter(self.runtime, settings, pacer=pacer, poll_timeout=2.0,
                                       lease_ttl=timedelta(seconds=10))
        await self.adapter.start()
        while not self.adapter.polling:
            await asyncio.sleep(0.01)
        await self.api.reply_to(PROBER, "/help")  # both people exist before anything is timed
        await self.api.reply_to(FLOODER, "/help")
        return self

    async def __aexit__(self, *exc) -> None:
        await self.adapter.stop()
        await self.runtime.stop()
        await self.api.stop()
        if self.schema:
            from tests.backends import drop_schema

            await drop_schema(self.schema)

    async def flood_processed(self) -> int:
        async with self.runtime.db.transaction() as tx:
            return int(await tx.fetchval(
                "SELECT COUNT(*) FROM inbox WHERE actor_key = $1 AND processed_at IS NOT NULL AND payload LIKE $2",
                f"telegram:{FLOODER}", '%"kind":"text"%'))


async def probe_quiet(bot: Bot, args) -> list[float]:
    got = []
    for _ in range(args.probes):
        got.append(await bot.api.reply_to(PROBER, "/help"))
        await asyncio.sleep(args.interval)
    return got


async def probe_flood(bot: Bot, args) -> tuple[list[float], float]:
    """Push the flood, probe until every flood message is processed; returns the latencies and the seconds the
    flood took to be processed."""
    done = asyncio.Event()

    async def push() -> None:
        gap = 1.0 / args.rate if args.rate else 0.0
        start = time.perf_counter()
        for i in range(args.messages):
            bot.api.push_update(bot.api.message_update(FLOODER, f"spam spam spam {i}", first_name="Flood"))
            if gap:
                delay = start + (i + 1) * gap - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)

    async def watch() -> None:
        while await bot.flood_processed() < args.messages:
            await asyncio.sleep(0.2)
        done.set()

    async def probe(got: list[float]) -> None:
        while not done.is_set():
            got.append(await bot.api.reply_to(PROBER, "/help"))
            try:
                await asyncio.wait_for(done.wait(), args.interval)
            except asyncio.TimeoutError:
                pass

    latencies: list[float] = []
    t0 = time.perf_counter()
    await asyncio.gather(push(), watch(), probe(latencies))
    took = time.perf_counter() - t0
    await bot.adapter.drain()
    return latencies, took


def stats(values: list[float]) -> dict:
    ms = [v * 1000 for v in values]
    return {"n": len(ms), "p50": percentile(ms, 50), "p95": percentile(ms, 95), "max": max(ms) if ms else float("nan")}


async def scenario(args, limit: bool) -> dict:
    async with Bot(args, limit) as bot:
        quiet = stats(await probe_quiet(bot, args))
        latencies, took = await probe_flood(bot, args)
        flood = stats(latencies)
        refusals = len(bot.api.refusals)
        return {"quiet": quiet, "flood": flood, "took": took, "flooder_replies": bot.api.sent.get(FLOODER, 0) - 1,
                "notices": bot.api.notices.get(FLOODER, 0), "refusals": refusals,
                "unprocessed": args.messages - await bot.flood_processed()}


async def main(args) -> None:
    on = await scenario(args, limit=True)
    off = await scenario(args, limit=False) if not args.skip_unlimited else None

    arrival = "all at once" if not args.rate else f"at {args.rate:g}/s"
    print(f"\nFlood benchmark: {args.messages} plain messages from one person ({arrival}), another person's /help"
          f" every {args.interval:g} s; backend {args.backend}; pacing {'production' if args.pacing else 'off'}\n")
    head = f"{'scenario':30} {'probes':>6} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} {'p50 x':>7} {'p95 x':>7}" \
           f" {'max x':>7}"
    print(head)
    print("-" * len(head))

    def row(name: str, r: dict, base: dict) -> None:
        print(f"{name:30} {r['n']:6d} {r['p50']:9.1f} {r['p95']:9.1f} {r['max']:9.1f} {r['p50'] / base['p50']:7.2f}"
              f" {r['p95'] / base['p95']:7.2f} {r['max'] / base['max']:7.2f}")

    row("quiet (limit on)", on["quiet"], on["quiet"])
    row("flood, limit on", on["flood"], on["quiet"])
    if off:
        row("quiet (limit off)", off["quiet"], on["quiet"])
        row("flood, limit off", off["flood"], on["quiet"])
    print()
    for name, r in (("limit on", on), ("limit off", off)):
        if r:
            print(f"{name}: flood processed in {r['took']:.1f} s ({args.messages / r['took']:.0f} msgs/s); replies to"
                  f" the flooder {r['flooder_replies']} (notices {r['notices']}); unprocessed {r['unprocessed']};"
                  f" stand-in refusals {r['refusals']}")
    print("ratios (x) are against the quiet baseline with the limit on, from this run")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=500.0, help="flood messages per second (0: all at once)")
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between a reply and the next /help")
    parser.add_argument("--probes", type=int, default=50, help="/help probes in the quiet baseline")
    parser.add_argument("--pacing", action="store_true", help="the production pacer instead of an unlimited one")
    parser.add_argument("--skip-unlimited", action="store_true", help="skip the scenario with the limit lifted")
    asyncio.run(main(parser.parse_args()))
