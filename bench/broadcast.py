"""A broadcast to N Telegram experts (default 10,000) through the real adapter against the loopback Bot API
with Telegram's rate limits switched on (`TELEGRAM_RATE_LIMITS`: a burst of 3 per chat refilled at 1 a second,
30/s overall; 429 with retry_after beyond). The pacer's bulk lane runs at 27/s (it keeps a token for replies).

    python bench/broadcast.py [--people 10000] [--backend sqlite|postgres]

The broadcast's messages are staged as bulk outbox rows (as /broadcast does) and sent by the paced sweep
(`runtime.sweep_outbox`), exactly as the scheduler would. Prints achieved messages/s against the 30/s limit
(issue 10's goal: at least 90% of it), the 429 refusals the stand-in recorded, and drops: outbox rows not sent,
and recipients who got nothing.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

PG = os.environ.get("PANELIST_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


async def run(people: int, backend: str) -> None:
    from bot.adapters.telegram.adapter import TelegramAdapter
    from app.wiring import build_runtime
    from bot.core.blocks import Heading, LongText, Reply
    from bot.core.operations import SendMessage, Target
    from app.settings import Settings
    from storage.uow import UnitOfWork
    from tests.flows.tasks_data import telegram_people
    from tests.telegram_standin import TELEGRAM_RATE_LIMITS, BotApiStandIn

    per_chat, overall = TELEGRAM_RATE_LIMITS["per_chat_rate"], TELEGRAM_RATE_LIMITS["global_limit"]
    schema = None
    if backend == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp()}/broadcast.db"
    else:
        schema = "bench_" + uuid.uuid4().hex[:8]
        url = f"{PG}?schema={schema}"
    async with BotApiStandIn(**TELEGRAM_RATE_LIMITS) as api:
        settings = Settings(database_url=url, telegram_token=api.token, telegram_api_url=api.base_url,
                            telegram_file_url=api.file_url)
        runtime = build_runtime(settings)
        await runtime.start()
        adapter = TelegramAdapter(runtime, settings, commands=False)
        await adapter.application.initialize()
        now = datetime.now(timezone.utc)
        async with runtime.db.transaction() as tx:
            ids = await telegram_people(UnitOfWork(tx), people, 10_000_000, now)
        ops = [SendMessage(to=Target.person(pid), tag="bc:bench", bulk=True, message=Reply(blocks=[
            Heading(text="Message from your project team"),
            LongText(title="Message", text="New rubric from Monday: justify every score with the passage.")]))
            for pid in ids]
        for start in range(0, len(ops), 1000):
            await runtime.send(ops[start:start + 1000])
        began = time.perf_counter()
        while await runtime.sweep_outbox(limit=500):
            pass
        seconds = time.perf_counter() - began
        async with runtime.db.transaction() as tx:
            counts = await UnitOfWork(tx).outbox.tag_counts("bc:bench")
        reached = len({c.params.get("chat_id") for c in api.calls_of("sendMessage")})
        refused_429 = sum(1 for r in api.refusals if r.error_code == 429)
        await adapter.application.shutdown()
        await runtime.stop()
    if schema:
        import asyncpg

        conn = await asyncpg.connect(PG)
        await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await conn.close()
    rate = counts["sent"] / seconds
    print(f"broadcast to {people:,} Telegram experts ({backend}), stand-in limits {per_chat}/s per chat, {overall}/s overall")
    print(f"  sent {counts['sent']:,}  failed {counts['failed']}  not sent {counts['pending']}  recipients reached {reached:,}")
    print(f"  {seconds:.1f} s → {rate:.1f} messages/s = {100 * rate / overall:.0f}% of the {overall}/s limit;"
          f" 429 refusals {refused_429}; drops {people - reached}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--backend", default="sqlite", choices=["sqlite", "postgres"])
    args = ap.parse_args()
    asyncio.run(run(args.people, args.backend))


if __name__ == "__main__":
    main()
