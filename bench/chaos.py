"""Fault injection (issue 15): simulated people on Telegram and Slack while `panelist run` is killed with SIGKILL.

How to run (from the repository root, with the project installed; run by hand, never in the test suite):

    python bench/chaos.py --kills 3 --experts 4                           # SQLite, one process: a quick look
    python bench/chaos.py --backend postgres --processes 2 --kills 50     # PostgreSQL, two processes
    python bench/chaos.py --kills 50 --triple --json chaos.json           # every update delivered three times

What runs: the Telegram Bot API stand-in (long polling) and the Slack Web API stand-in live in this process; the
bot is one or two real `panelist run` subprocesses (settings through `PANELIST_*` variables) on a fresh SQLite
file or PostgreSQL schema, with a pairwise project (overlap 2, 40.00 EUR an hour) made beforehand with the
`panelist project create` and `panelist tasks import` verbs. N experts (every other one on Slack, in a DM with
the bot, so forms are walked step by step) onboard with /start, /join the project and then loop: /next, press a
choice, type a justification, press Submit answer; now and then `/log 15m today ref-…`. A manager on Telegram
(an admin by `PANELIST_ADMINS`) runs /approvals and presses Approve all every few seconds. Each person waits
for the bot's answer before the next input. Meanwhile the bot is killed `--kills` times at random moments (seeded
by `--seed`): SIGKILL, then restarted at once (with two processes: one of them, at random). `--triple` makes the
Telegram stand-in return every update in three getUpdates answers and the Slack side post every request three
times (the copies with `X-Slack-Retry-Num`). Slack requests that get no 200 (the process is dead) are posted
again, with retry headers, to a live process, as Slack retries.

After the last kill the people stop, the bot is left until it is quiet (no pending update, no unprocessed inbox
row, no unsent outbox row, nothing new sent for a few seconds), the manager approves what is left, and the
client-side journal (every input; an input is confirmed when the bot's reply to it was seen) is compared with
the database (bench/chaos_check.py):

* inputs lost: an input a platform handed over (Telegram offset moved past it, Slack got 200) with no processed
  inbox row; a confirmed onboarding, join, answer or /log whose row is missing; approvals announced but not made;
* effects doubled: two submissions of one item by one person, two hours entries for one /log;
* replies sent twice: messages the stand-ins received beyond what the outbox rows marked sent stand for (each
  row rendered with the adapters' own renderers; edits may arrive as new messages);
* replies never sent: outbox rows not sent at the end (failed ones counted apart);
* overlap violations: an item with more submissions or live assignments than its overlap, one person twice;
* ledger mismatches: people whose hours ledger differs, to the cent, from the sum of their /log inputs;
* after each kill: seconds until the first getUpdates (with two processes, only kills of the process that held
  the polling lease: the survivor's takeover) and until every reply staged before the kill was sent.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path and bench/telegram.py would shadow `telegram`.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from bench.chaos_check import as_json, check  # noqa: E402
from bench.chaos_people import (  # noqa: E402
    REPLY_TIMEOUT, SLACK_SECRET, SLACK_TOKEN, TEAM, ChaosBotApi, Expert, Journal, Manager, SlackSide, TelegramSide,
    telegram_user_id,
)
from storage.db import open_database  # noqa: E402
from tests.flows.tasks_data import pairwise_spec  # noqa: E402
from tests.slack_standin import SlackApiStandIn  # noqa: E402

PROJECT = "Chaos tenancy pairs"
SPEC = pairwise_spec(PROJECT)
RECOVERY_TIMEOUT = 150.0  # seconds to wait for a poll / the staged replies after a kill before giving up


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tasks_file(path: Path, items: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for n in range(1, items + 1):
            out.write(json.dumps({
                "external_id": f"C{n:05d}",
                "prompt": f"Case C{n:05d}: my landlord in England kept my whole deposit without saying why. "
                          f"What can I do?",
                "responses": [
                    {"id": "a", "text": "Ask for an itemised list of deductions in writing; if the deposit was "
                                        "never protected you can claim up to three times the deposit in court."},
                    {"id": "b", "text": "Landlords can keep deposits if they want to."}],
            }) + "\n")


class Bot:
    """One `panelist run` slot: started, killed with SIGKILL, started again; its output goes to a log file."""

    def __init__(self, index: int, env: dict[str, str], workdir: Path) -> None:
        self.index = index
        self.port = free_port()
        self.env = {**env, "PANELIST_HTTP_PORT": str(self.port)}
        self.workdir = workdir
        self.proc: asyncio.subprocess.Process | None = None
        self.generation = 0
        self.up = False
        self.ready_at = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    async def start(self) -> None:
        self.generation += 1
        log = open(self.workdir / f"bot{self.index}-{self.generation:03d}.log", "wb")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "app.cli", "run", cwd=self.workdir, env=self.env, stdout=log, stderr=log)
        log.close()

    async def ready(self, timeout: float = 60.0) -> bool:
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=1)) as http:
            while time.monotonic() < deadline and self.proc.returncode is None:
                try:
                    async with http.get(self.url + "/healthz") as resp:
                        if resp.status == 200:
                            self.up = True
                            self.ready_at = time.monotonic()
                            return True
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    pass
                await asyncio.sleep(0.05)
        return False

    async def kill(self) -> None:
        self.up = False
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> int | None:
        self.up = False
        if self.proc is None or self.proc.returncode is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), 30)
        except asyncio.TimeoutError:
            self.proc.kill()
            return await self.proc.wait()


async def cli(env: dict[str, str], workdir: Path, *args: str) -> None:
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "app.cli", *args, cwd=workdir, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"panelist {' '.join(args)} failed:\n{out.decode()}")


async def pending_before(db, when: datetime) -> int:
    async with db.transaction() as tx:
        return int(await tx.fetchval("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"
                                     " AND created_at <= $1", when))


async def lease_holder(db) -> str | None:
    async with db.transaction() as tx:
        return await tx.fetchval("SELECT holder FROM leases WHERE name LIKE 'telegram.polling:%'")


async def wait_until(predicate, timeout: float, step: float = 0.02) -> float | None:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if await predicate():
            return time.monotonic()
        await asyncio.sleep(step)
    return None


async def monkey(args, rng: random.Random, bots: list[Bot], api: ChaosBotApi, db, kills: list[dict]) -> None:
    """Kill a process at a random moment, restart it at once, measure the recovery; `args.kills` times."""
    for k in range(args.kills):
        await asyncio.sleep(rng.uniform(*args.gap))
        victim = rng.choice(bots)
        holder = await lease_holder(db)
        held = len(bots) == 1 or (holder is not None and f":{victim.pid}:" in holder)
        t_kill = time.monotonic()
        kill_at = datetime.now(timezone.utc)
        await victim.kill()
        await victim.start()
        ready = asyncio.create_task(victim.ready())
        record = {"kill": k + 1, "process": victim.index, "held_polling": held, "poll_s": None, "first_s": None,
                  "stuck_s": None}

        async def polled() -> bool:
            return bool(api.get_updates_at) and api.get_updates_at[-1] > t_kill

        async def staged_sent() -> bool:
            return await pending_before(db, kill_at) == 0

        async def first_sent() -> bool:  # the first one out: recovery; the rest may wait on the chat's pacer
            return await pending_before(db, kill_at) < record["stuck_rows"]

        record["stuck_rows"] = await pending_before(db, kill_at)
        waits = []
        if held:
            waits.append(("poll_s", wait_until(polled, RECOVERY_TIMEOUT)))
        if record["stuck_rows"]:
            waits.append(("first_s", wait_until(first_sent, RECOVERY_TIMEOUT, step=0.05)))
            waits.append(("stuck_s", wait_until(staged_sent, RECOVERY_TIMEOUT, step=0.2)))
        for key, at in zip([k for k, _ in waits], await asyncio.gather(*(w for _, w in waits))):
            record[key] = round(at - t_kill, 2) if at is not None else None
        record["ready_s"] = round(victim.ready_at - t_kill, 2) if await ready else None
        kills.append(record)
        poll = (f"first getUpdates after {record['poll_s']} s" if held else "it was not polling")
        stuck = (f"{record['stuck_rows']} staged replies sent after {record['stuck_s']} s (the first after "
                 f"{record['first_s']} s)" if record["stuck_rows"]
                 else "no staged replies")
        print(f"  kill {k + 1}/{args.kills}: process {victim.index}: {poll}, {stuck}, ready after "
              f"{record['ready_s']} s", flush=True)


async def settle(db, api: ChaosBotApi, slack: SlackSide, quiet: float, timeout: float = 300.0) -> bool:
    """Wait until nothing is pending anywhere and nothing new was sent for `quiet` seconds."""
    start = last_change = time.monotonic()
    last = None
    while time.monotonic() - start < timeout:
        async with db.transaction() as tx:
            unsent = await tx.fetchval("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL")
            unprocessed = await tx.fetchval("SELECT COUNT(*) FROM inbox WHERE processed_at IS NULL")
        now = (len(api.visible), len(slack.standin.calls), len(api.pending_updates), int(unsent), int(unprocessed))
        if now != last or any(now[2:]):
            last, last_change = now, time.monotonic()
        elif time.monotonic() - last_change >= quiet:
            return True
        await asyncio.sleep(0.5)
    return False


def summary(values: list[float]) -> str:
    if not values:
        return "-"
    return f"median {statistics.median(values):.1f}, max {max(values):.1f}"


def report(args, f, kills: list[dict], seconds: float, people: int) -> str:
    polls = [k["poll_s"] for k in kills if k["poll_s"] is not None]
    polls_missing = sum(1 for k in kills if k["held_polling"] and k["poll_s"] is None)
    stuck = [k["stuck_s"] for k in kills if k["stuck_s"] is not None]
    first = [k["first_s"] for k in kills if k["first_s"] is not None]
    stuck_missing = sum(1 for k in kills if k["stuck_rows"] and k["stuck_s"] is None)
    target = "2" if args.processes == 1 else "10"
    poll_name = "restart -> first getUpdates (s)" if args.processes == 1 else "kill -> survivor polls (s)"
    rows = [
        ("kills", str(len(kills)), ""),
        ("inputs sent / confirmed", f"{f.inputs_sent} / {f.inputs_confirmed}", f"{f.inputs_unconfirmed} unanswered"),
        ("inputs lost", str(len(f.lost)), "goal 0"),
        ("effects doubled", str(len(f.doubled)), "goal 0"),
        ("replies sent twice", str(f.replies_twice), f"goal <= 1 per kill ({len(kills)})"),
        ("replies never sent", str(f.never_sent), f"{f.failed} of them failed"),
        ("overlap violations", str(len(f.overlap)), "goal 0"),
        ("ledger mismatches", str(len(f.ledger)), f"goal 0 ({f.counts.get('ledger_cents', 0) / 100:.2f} EUR in the ledger)"),
        (poll_name, summary(polls), f"goal <= {target}; {len(polls)} kills measured"
                                    + (f", {polls_missing} never within {RECOVERY_TIMEOUT:.0f} s" if polls_missing else "")),
        ("kill -> first staged reply sent (s)", summary(first), f"goal <= {target}; {len(first)} kills with replies pending"),
        ("kill -> staged replies sent (s)", summary(stuck), f"goal <= {target}; {len(stuck)} kills with replies pending"
                                    + (f", {stuck_missing} never within {RECOVERY_TIMEOUT:.0f} s" if stuck_missing else "")),
    ]
    head = (f"Chaos run: {args.backend}, {args.processes} process{'es' if args.processes > 1 else ''}, "
            f"{people} experts + 1 manager, seed {args.seed}, triple delivery {'on' if args.triple else 'off'}, "
            f"{seconds:.0f} s")
    width = max(len(r[0]) for r in rows)
    lines = [head, ""] + [f"{name:<{width}}  {value:>18}  {note}" for name, value, note in rows]
    for title, items in (("lost", f.lost), ("doubled", f.doubled), ("overlap", f.overlap), ("ledger", f.ledger),
                         ("sent twice", f.replies_twice_detail)):
        for item in items[:10]:
            lines.append(f"  {title}: {item}")
        if len(items) > 10:
            lines.append(f"  {title}: … {len(items) - 10} more")
    return "\n".join(lines)


async def main(args) -> int:
    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="panelist-chaos-"))
    schema = None
    if args.backend == "postgres":
        pg = os.environ.get("PANELIST_BENCH_POSTGRES_URL") or os.environ.get(
            "PANELIST_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
        schema = "chaos_" + uuid.uuid4().hex[:12]
        database_url = f"{pg}{'&' if '?' in pg else '?'}schema={schema}"
    else:
        database_url = f"sqlite:///{workdir / 'chaos.db'}"
    api = await ChaosBotApi(deliver_times=3 if args.triple else 1).start()
    standin = SlackApiStandIn(token=SLACK_TOKEN, team_id=TEAM)
    await standin.start()
    manager_name = "meg"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PANELIST_")}
    env.update({
        "PYTHONPATH": str(ROOT), "PANELIST_DATABASE_URL": database_url,
        "PANELIST_ADMINS": f"telegram:{telegram_user_id(manager_name)}",
        "PANELIST_SECRET_KEY": "chaos-" + uuid.uuid4().hex,
        "PANELIST_TELEGRAM_TOKEN": api.token, "PANELIST_TELEGRAM_API_URL": api.base_url,
        "PANELIST_TELEGRAM_FILE_URL": api.file_url,
        "PANELIST_SLACK_BOT_TOKEN": SLACK_TOKEN, "PANELIST_SLACK_SIGNING_SECRET": SLACK_SECRET,
        "PANELIST_SLACK_API_URL": standin.base_url,
    })
    (workdir / "spec.yaml").write_text(SPEC, encoding="utf-8")
    tasks_file(workdir / "tasks.jsonl", args.items)
    print(f"chaos: work directory {workdir} (bot logs bot*.log)", flush=True)
    await cli(env, workdir, "project", "create", "spec.yaml")
    await cli(env, workdir, "tasks", "import", PROJECT, "tasks.jsonl")

    bots = [Bot(i, env, workdir) for i in range(args.processes)]
    for bot in bots:
        await bot.start()
    for bot in bots:
        if not await bot.ready():
            raise SystemExit(f"panelist run did not start; see {workdir}/bot{bot.index}-001.log")
    db = open_database(database_url, 2)
    await db.connect()
    telegram = TelegramSide(api)
    slack = SlackSide(standin, lambda: [b.url for b in bots if b.up], args.triple, rng)
    await slack.start()
    journal = Journal()
    experts = [Expert(f"e{i:02d}", telegram if i % 2 else slack, journal, random.Random(rng.random()),
                      project=PROJECT, log_every=args.log_share) for i in range(1, args.experts + 1)]
    manager = Manager(manager_name, telegram, journal, random.Random(rng.random()))
    people = {p.name: p.side.platform for p in experts}
    running = asyncio.Event()
    running.set()
    kills: list[dict] = []
    started = time.monotonic()

    async def expert_life(e: Expert) -> None:
        await e.onboard()
        await e.work(running)

    try:
        await manager.act("/help")
        lives = [asyncio.create_task(expert_life(e)) for e in experts]
        lives.append(asyncio.create_task(manager.work(running, args.approve_every)))
        print(f"chaos: {args.experts} experts and a manager at work; {args.kills} kills to come", flush=True)
        await monkey(args, rng, bots, api, db, kills)
        await asyncio.sleep(max(0.0, args.min_seconds - (time.monotonic() - started)))
        running.clear()
        print("chaos: kills done; letting everyone finish their current input", flush=True)
        await asyncio.wait(lives, timeout=2 * REPLY_TIMEOUT + 60)
        for task in lives:
            task.cancel()
        ends = await asyncio.gather(*lives, return_exceptions=True)
        crashed = [repr(e) for e in ends if isinstance(e, Exception) and not isinstance(e, asyncio.CancelledError)]
        quiet = await settle(db, api, slack, args.quiet)
        for _ in range(10):  # approve what is left, until nothing is waiting
            if await manager.approve() == 0:
                break
        quiet = await settle(db, api, slack, args.quiet) and quiet
        seconds = time.monotonic() - started
        codes = [await bot.stop() for bot in bots]
        await slack.stop()
        findings = await check(db, journal, people, api.visible, standin.calls, slack.acked)
        findings.counts.update({"people_crashed": crashed, "stop_exit_codes": codes, "quiet_at_end": quiet, "slack_posts": slack.posts,
                                "slack_post_failures": slack.post_failures,
                                "telegram_updates": api._next_update_id - 1,
                                "telegram_updates_returned": sum(api._returned.values()) if args.triple else None,
                                "telegram_refusals": len(api.refusals), "slack_refusals": len(standin.refusals),
                                "timeouts": sum(p.timeouts for p in experts + [manager])})
        print()
        print(report(args, findings, kills, seconds, args.experts))
        print(f"\nother counts: {json.dumps(findings.counts)}")
        if args.json:
            Path(args.json).write_text(json.dumps({
                "args": vars(args), "kills": kills, "findings": as_json(findings),
                "journal": [{**i.__dict__, "sent_at": round(i.sent_at - started, 3),
                             "confirmed_at": round(i.confirmed_at - started, 3) if i.confirmed_at else None}
                            for i in journal.inputs]}, indent=1, default=str), encoding="utf-8")
    finally:
        for bot in bots:
            if bot.proc is not None and bot.proc.returncode is None:
                bot.proc.kill()
                await bot.proc.wait()
        await db.close()
        await api.stop()
        await standin.stop()
        if schema:
            from tests.backends import drop_schema

            await drop_schema(schema)
    return 0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--experts", type=int, default=8)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--processes", type=int, choices=[1, 2], default=1)
    parser.add_argument("--triple", action="store_true", help="deliver every update three times")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--gap", type=float, nargs=2, default=[2.0, 8.0], metavar=("MIN", "MAX"),
                        help="seconds between one recovery and the next kill (uniform)")
    parser.add_argument("--items", type=int, default=2000, help="items in the project")
    parser.add_argument("--log-share", type=float, default=0.25, help="share of an expert's rounds that are /log")
    parser.add_argument("--approve-every", type=float, default=10.0, help="seconds between the manager's rounds")
    parser.add_argument("--min-seconds", type=float, default=0.0,
                        help="keep people working at least this long (with --kills 0: a run without faults)")
    parser.add_argument("--quiet", type=float, default=5.0, help="seconds without news that count as quiet")
    parser.add_argument("--json", help="also write the findings and every kill's timings here")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
