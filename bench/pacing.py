"""The pacers against the stand-ins with rate limits on: achieved rates, 429s, and what a person waits for.

    python -m bench.pacing                      # everything
    python -m bench.pacing --only exchange      # the interactive exchange only (--broadcast 600 --rounds 3)

1. Telegram throughput: 200 messages to 20 chats through `Pacer` against a stand-in allowing a burst of 3 per chat
   refilled at 10 a second and 10 overall per 0.1 s (Telegram's limits, scaled up). Slack: 6 messages to each of
   3 channels through `ChannelPacer` against a stand-in allowing a burst of 3 per channel refilled every 0.5 s.
   Seconds, achieved rate, 429 refusals.
2. The interactive exchange (issue 19): the real Telegram adapter long-polls the stand-in with Telegram's limits on
   (`TELEGRAM_RATE_LIMITS`: a burst of 3 per chat refilled at 1 a second, 20 a minute in groups, 30 a second
   overall). One expert at a time onboards — `/start` → reply, their name → reply with buttons, press a domain →
   edit, press Done → reply, two more typed answers — waiting for the bot's answer to each step and then `--think`
   seconds. Per-step latency is pushing the update → the last Bot API call it causes (messages and the callback
   answer) accepted by the stand-in. Three scenarios: a person at a human pace (think 1 s), a robot (think 0:
   after the burst, Telegram's one a second per chat binds), and a person at a human pace while a broadcast to
   `--broadcast` other chats is being swept out. Each runs with this branch's pacer and with the pacer of
   `--before` (git ref; loaded from git into this process, so both run against the same stand-in, database and
   machine state).
(The pacing tests check order, completeness and the absence of 429s; speed is measured here.)
"""
from __future__ import annotations

import argparse
import asyncio
import importlib.util
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

BEFORE_REF = "f280ac5"  # the last commit with the 1-message-a-second, one-lane pacer
STEPS = ["/start", "name", "press domain", "press Done", "years", "credentials"]  # bench.telegram's SCRIPT


async def telegram_run() -> None:
    import telegram

    from bot.adapters.telegram.pacing import Pacer
    from bot.adapters.telegram.render import render_reply
    from bot.core.blocks import Reply, text
    from tests.telegram_standin import BotApiStandIn

    async with BotApiStandIn(per_chat_burst=3, per_chat_rate=10.0, global_limit=10, window=0.1) as api:
        async with telegram.Bot(api.token, base_url=api.base_url) as bot:
            pacer = Pacer(per_chat_rate=1 / 0.15, global_rate=60.0)
            chats = [5000 + i for i in range(20)]
            started = time.perf_counter()
            await asyncio.gather(*(pacer.execute(bot, c, render_reply(Reply(blocks=[text(f"m{n}")]), c))
                                   for n in range(10) for c in chats))
            seconds = time.perf_counter() - started
            refused = sum(1 for r in api.refusals if r.error_code == 429)
    rate = 200 / seconds
    print(f"telegram pacer, bulk lane: 200 messages in {seconds:.2f} s = {rate:.0f}/s;"
          f" paced at 60/s = {100 * rate / 60:.0f}% of it (stand-in allows 100/s); 429s {refused}")


async def slack_run() -> None:
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.adapters.slack.pacing import ChannelPacer
    from bot.core.pacing import Lane
    from tests.slack_standin import SlackApiStandIn

    for lane, ideal in ((Lane.INTERACTIVE, "a burst of 3, then 3 more 0.55 s apart = 1.65 s"),
                        (Lane.BULK, "no burst, the reserve stays for replies: 5 gaps of 0.55 s = 2.75 s")):
        async with SlackApiStandIn("xoxb-bench", rate_limit=True, rate_limit_interval=0.5,
                                   rate_limit_burst=3) as slack:
            client = AsyncWebClient(token="xoxb-bench", base_url=slack.base_url)
            pacer = ChannelPacer(interval=0.55, burst=3)
            started = time.perf_counter()
            await asyncio.gather(*(pacer.post_message(client, channel=ch, text=f"{ch}-{i}", lane=lane)
                                   for i in range(6) for ch in ("C1", "C2", "C3")))
            seconds = time.perf_counter() - started
            refused = len(slack.refusals)
        print(f"slack pacer, {lane.value} lane: 18 messages on 3 channels in {seconds:.2f} s (ideal: {ideal},"
              f" channels in parallel); 429s {refused}")


# -- the interactive exchange ------------------------------------------------------------------------------------

def before_pacer(ref: str, repo: str):
    """The Telegram pacer as it was at `ref`, loaded from git into this process (None when git cannot give it)."""
    try:
        source = subprocess.run(["git", "-C", repo, "show", f"{ref}:bot/adapters/telegram/pacing.py"],
                                capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = Path(tempfile.mkdtemp(prefix="panelist-before-pacer-")) / "before_pacing.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("before_pacing", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    class Before(module.Pacer):  # one lane: the adapter's lane is ignored
        async def execute(self, bot, chat_id, calls, after=None, lane=None):
            return await super().execute(bot, chat_id, calls, after)

    return lambda: Before(per_chat_burst=3.0)  # how the adapter built it at that commit


async def exchange(make_pacer, *, think: float, broadcast: int, rounds: int) -> dict:
    from pydantic import SecretStr

    from app.settings import Settings
    from app.wiring import build_runtime
    from bench.telegram import SCRIPT, TimedStandIn, calibrate
    from bot.adapters.telegram.adapter import TelegramAdapter
    from bot.core.blocks import Reply, text
    from bot.core.operations import SendMessage, Target
    from storage.uow import UnitOfWork
    from tests.flows.tasks_data import telegram_people
    from tests.telegram_standin import TELEGRAM_RATE_LIMITS

    url = f"sqlite:///{tempfile.mkdtemp(prefix='panelist-bench-pacing-')}/bench.db"
    async with TimedStandIn(**TELEGRAM_RATE_LIMITS) as api:
        settings = Settings(database_url=url, telegram_token=SecretStr(api.token), telegram_api_url=api.base_url,
                            telegram_file_url=api.file_url)
        runtime = build_runtime(settings)
        await runtime.start()
        adapter = TelegramAdapter(runtime, settings, pacer=make_pacer(), poll_timeout=2.0, commands=False,
                                  lease_ttl=timedelta(seconds=10))
        await adapter.start()
        sweeper = None
        try:
            while not adapter.polling:
                await asyncio.sleep(0.01)
            expect = await calibrate(api, adapter, 1)
            await asyncio.sleep(3.5)  # chat 1's bucket is of no concern, but the bot-wide one refills
            broadcast_done = None
            if broadcast:
                now = datetime.now(timezone.utc)
                async with runtime.db.transaction() as tx:
                    ids = await telegram_people(UnitOfWork(tx), broadcast, 500_000, now)
                await runtime.send([SendMessage(to=Target.person(pid), tag="bench:bc", bulk=True,
                                                message=Reply(blocks=[text("The rubric changed.")])) for pid in ids])
                started = time.perf_counter()

                async def sweep() -> float:
                    while await runtime.sweep_outbox(limit=broadcast):
                        pass
                    return time.perf_counter() - started

                sweeper = asyncio.create_task(sweep())
                await asyncio.sleep(0.5)  # the broadcast is under way
            steps: dict[str, list[float]] = {}
            for r in range(rounds):
                chat = 2000 + r
                for label, (kind, value), n in zip(STEPS, SCRIPT, expect):
                    target = api.counts.get(chat, 0) + n
                    t0 = time.perf_counter()
                    api.push(chat, kind, value.format(name=f"Person {chat}"))
                    done = await api.wait(chat, target, timeout=120)
                    steps.setdefault(label, []).append(done - t0)
                    await asyncio.sleep(think)
            if sweeper is not None:
                broadcast_done = await sweeper
            refused = [int(r.params.get("chat_id", 0)) for r in api.refusals if r.error_code == 429]
            refused = f"{sum(1 for c in refused if 2000 <= c < 3000)}/{sum(1 for c in refused if c >= 500_000)}"
        finally:
            if sweeper is not None and not sweeper.done():
                sweeper.cancel()
            await adapter.stop()
            await runtime.stop()
    return {"steps": steps, "refused": refused, "broadcast_seconds": broadcast_done}


async def exchange_run(args) -> None:
    from bench.common import percentile
    from bot.adapters.telegram.pacing import Pacer

    before = before_pacer(args.before, args.git)
    variants = [("after", Pacer)] + ([("before", before)] if before else [])
    if before is None:
        print(f"(no pacer at git ref {args.before}: the before rows are left out)")
    scenarios = [("human pace (think 1 s)", 1.0, 0), ("robot (think 0)", 0.0, 0),
                 (f"human pace, broadcast to {args.broadcast} running", 1.0, args.broadcast)]
    print(f"\nInteractive exchange through the Telegram stand-in with Telegram's limits on; {args.rounds} experts"
          f" one after another, 6 steps each; latency per step in ms (p50 / max over the experts)\n")
    rows = []
    for name, think, broadcast in scenarios:
        for label, make in variants:
            result = await exchange(make, think=think, broadcast=broadcast, rounds=args.rounds)
            rows.append((name, label, result))
    kinds = list(rows[0][2]["steps"])
    head = (f"{'scenario':38} {'pacer':6} " + " ".join(f"{k[:13]:>13}" for k in kinds)
            + f" {'all p50':>8} {'all max':>8} {'429s':>6} {'broadcast':>10}")
    print(head)
    print("-" * len(head))
    for name, label, result in rows:
        cells = []
        every = []
        for k in kinds:
            values = [v * 1000 for v in result["steps"][k]]
            every += values
            cells.append(f"{percentile(values, 50):.0f}/{max(values):.0f}")
        bc = f"{result['broadcast_seconds']:.1f} s" if result["broadcast_seconds"] else ""
        print(f"{name:38} {label:6} " + " ".join(f"{c:>13}" for c in cells)
              + f" {percentile(every, 50):8.0f} {max(every):8.0f} {result['refused']:>6} {bc:>10}")
    print("\n429s: refusals of the expert's messages / of the broadcast's (each waited out and sent again; the"
          " calibration person's are not counted); broadcast: seconds until the sweep had sent every message")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["throughput", "exchange"], default=None)
    parser.add_argument("--before", default=BEFORE_REF, help="git ref of the pacer to compare with")
    parser.add_argument("--git", default=str(ROOT), help="the git repository to take --before from")
    parser.add_argument("--broadcast", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.only in (None, "throughput"):
        asyncio.run(telegram_run())
        asyncio.run(slack_run())
    if args.only in (None, "exchange"):
        asyncio.run(exchange_run(args))
