"""How fast a Telegram long-polling bot is back after SIGKILL (issue 15, point 5): real `panelist run` processes
against the Bot API stand-in.

    python -m bench.recovery                  # SQLite restart, and PostgreSQL takeover if reachable
    python -m bench.recovery --rounds 5 --backend sqlite

Rows (seconds, median and max over `--rounds`):

- `cold start → first getUpdates`: the baseline, a bot started on a database nobody held (same run);
- `restart → first getUpdates` / `restart → staged reply sent`: the bot had a reply committed but not yet taken
  by the Bot API (held there) when it was killed; a new process is spawned at t=0;
- `kill → survivor's first getUpdates` / `kill → stuck reply sent` (PostgreSQL): two processes, the poller is
  killed at t=0, its sibling has been running all along.

`ratio` is a row's median over the cold start's median. Before this work a restart waited out the dead
process's 30 s polling lease and its replies a 60 s claim.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage.db import open_database  # noqa: E402
from tests.backends import PG_URL, drop_schema, postgres_available  # noqa: E402
from tests.bots import BotProcess, HoldingStandIn, until  # noqa: E402
from tests.flows.telegram import telegram_user_id  # noqa: E402


class TimedStandIn(HoldingStandIn):
    """Notes when each getUpdates arrives and when each message is stored (monotonic seconds)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.polled_at: list[float] = []
        self.sent_at: list[float] = []

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        self.polled_at.append(time.monotonic())
        return await super()._get_updates(params)

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        result = await super()._send_message(params)
        self.sent_at.append(time.monotonic())
        return result


def first_after(times: list[float], t0: float) -> float | None:
    later = [t for t in times if t >= t0]
    return later[0] - t0 if later else None


async def staged(url: str) -> bool:
    async with open_database(url) as db:
        async with db.transaction() as tx:
            return bool(await tx.fetchval("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL"))


async def one_round(url: str, logs: Path, siblings: int) -> dict[str, float]:
    api = await TimedStandIn().start()
    bots: list[BotProcess] = []
    out: dict[str, float] = {}
    try:
        t0 = time.monotonic()
        first = await BotProcess(api, url, logs, "first").start()
        bots.append(first)
        await until(lambda: api.polled_at, "the first poll", 60, first)
        out["cold start → first getUpdates"] = first_after(api.polled_at, t0)
        if siblings:
            sibling = await BotProcess(api, url, logs, "sibling").start()
            bots.append(sibling)
            await sibling.ready()
        uid = telegram_user_id("bench")
        api.hold()
        api.push_update(api.message_update(uid, "/help"))
        await until(lambda: staged(url), "a committed reply", 60, *bots)
        await until(lambda: api.held >= 1, "the reply at the Bot API", 60, *bots)
        first.kill()
        await first.wait()
        t0 = time.monotonic()
        api.release()
        if siblings:
            label = "kill → survivor's first getUpdates", "kill → stuck reply sent"
        else:
            bots.append(await BotProcess(api, url, logs, "restarted").start())
            label = "restart → first getUpdates", "restart → staged reply sent"
        await until(lambda: api.messages_to(uid) and first_after(api.polled_at, t0) is not None, "recovery", 120,
                    *bots)
        out[label[0]] = first_after(api.polled_at, t0)
        out[label[1]] = first_after(api.sent_at, t0)
        for bot in bots[1:]:
            await bot.terminate()
    finally:
        for bot in bots:
            await bot.close()
        await api.stop()
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.rounds):
            if args.backend in ("sqlite", "both"):
                url = f"sqlite:///{tmp}/r{n}.db"
                for k, v in (await one_round(url, Path(tmp), 0)).items():
                    results.setdefault(f"sqlite  {k}", []).append(v)
            if args.backend in ("postgres", "both") and postgres_available():
                schema = f"bench_recovery_{n}_{int(time.time())}"
                sep = "&" if "?" in PG_URL else "?"
                url = f"{PG_URL}{sep}schema={schema}"
                try:
                    for k, v in (await one_round(url, Path(tmp), 1)).items():
                        results.setdefault(f"postgres×2  {k}", []).append(v)
                finally:
                    await drop_schema(schema)
    print(f"{'row':58} {'median s':>9} {'max s':>7} {'ratio':>6}")
    for backend in ("sqlite", "postgres×2"):
        rows = {k: v for k, v in results.items() if k.startswith(backend + " ")}
        if not rows:
            continue
        base = statistics.median(rows[f"{backend}  cold start → first getUpdates"])
        for key, values in rows.items():
            med = statistics.median(values)
            print(f"{key:58} {med:9.2f} {max(values):7.2f} {med / base:6.2f}")


if __name__ == "__main__":
    asyncio.run(main())
