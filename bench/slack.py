"""Benchmark: signed Slack requests through the real Bolt app + our runtime, next to a bare Bolt app (issue 5).

How to run (from the repository root, with the project's venv):

    /work/venv/bin/python bench/slack.py                      # 500 requests, 50 users, SQLite
    /work/venv/bin/python bench/slack.py --requests 2000 --users 100 --backend postgres
    /work/venv/bin/python bench/slack.py --pacing             # with the real 1 message/s per channel pacer

Everything runs on loopback in one process and one event loop: the load generator, the aiohttp servers and
the Web API stand-in (`tests/slack_standin`, no rate limiting). Two apps are measured in the same run:

* **panelist** — `app.serve.http_app` with our `SlackAdapter` (Bolt `AsyncApp`, signature check, inbox row
  written before the ack, turn processed after it, outbox, rendering, pacer with interval 0 unless --pacing)
  on a fresh database. Requests: a mix of `/panelist help`, `/panelist profile` and a button press (the
  "English" button of `/panelist language`, which runs a turn that stores the locale and answers), from
  `--users` people, each person sending one request at a time (so every user's requests are sequential
  and up to `--users` are in flight).
* **bare Bolt** — an `AsyncApp` with one slash-command listener that acks and posts one message with
  `chat.postMessage`, behind its own aiohttp server; the same number of slash commands from the same users.
  Measured twice: as it is, and writing each request to an SQLite inbox and committing before its ack
  (`bench.common.DurableInbox`: the least an app that loses nothing does, a baseline that pays for durability
  as Panelist does).

Per request: *ack* = time until the HTTP response; *last call* = time until the last Web API call the request
caused was answered by the stand-in (every request here causes exactly one `chat.postMessage`). Setup (first
contact of each user: identity, users.info, the language buttons) is not timed.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request  # noqa: E402
from slack_bolt.app.async_app import AsyncApp  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402

from bench.common import DurableInbox, add_heap_option, settle_heap_if  # noqa: E402
from bot.adapters.slack.adapter import SlackAdapter  # noqa: E402
from bot.adapters.slack.pacing import ChannelPacer  # noqa: E402
from app.wiring import build_runtime  # noqa: E402
from app.serve import http_app  # noqa: E402
from app.settings import Settings  # noqa: E402
from tests.slack_standin import SlackApiStandIn  # noqa: E402
from tests.slack_standin.signing import (  # noqa: E402
    block_actions_payload, interaction_body, signed_headers, slash_command_body,
)

TEAM = "T0BENCH"
TOKEN = "xoxb-bench"
SECRET = "bench-signing-secret"


def dm(uid: str) -> str:
    return "D" + uid.lstrip("UW")[:10].rjust(8, "0")


class Timed:
    """Wraps the stand-in's method handlers: when each chat.postMessage to a channel was answered."""

    def __init__(self, standin: SlackApiStandIn) -> None:
        self.waiters: dict[str, list[tuple[int, asyncio.Future]]] = {}
        self.counts: dict[str, int] = {}
        self.times: dict[str, list[float]] = {}
        original = standin._handlers

        def handlers():
            table = original()
            post = table["chat.postMessage"]

            def timed_post(params):
                result = post(params)
                channel = result["channel"]
                self.counts[channel] = self.counts.get(channel, 0) + 1
                self.times.setdefault(channel, []).append(time.perf_counter())
                for n, fut in self.waiters.get(channel, []):
                    if self.counts[channel] >= n and not fut.done():
                        fut.set_result(None)
                return result

            table["chat.postMessage"] = timed_post
            return table

        standin._handlers = handlers

    def count(self, channel: str) -> int:
        return self.counts.get(channel, 0)

    async def wait(self, channel: str, n: int, timeout: float = 30.0) -> float:
        if self.count(channel) < n:
            fut = asyncio.get_running_loop().create_future()
            self.waiters.setdefault(channel, []).append((n, fut))
            await asyncio.wait_for(fut, timeout)
        return self.times[channel][n - 1]


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, f"http://127.0.0.1:{port}/slack/events"


def bare_bolt(standin: SlackApiStandIn, inbox: DurableInbox | None = None) -> web.Application:
    bolt = AsyncApp(client=AsyncWebClient(token=TOKEN, base_url=standin.base_url), signing_secret=SECRET,
                    process_before_response=False)

    @bolt.command("/panelist")
    async def command(ack, body, client):
        if inbox is not None:  # kept before the ack, as Slack does not send an acked request again
            await inbox.record(body["trigger_id"], json.dumps(body))
        await ack()
        await client.chat_postMessage(channel=body["channel_id"], text="ok")

    async def handle(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", handle)
    return app


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


async def run(url: str, timed: Timed, plan: list[tuple[str, str]],
              make_body, users: list[str]) -> dict:
    """Send `plan` ([(user, kind)]), each user's requests in order; up to len(users) in flight."""
    acks: list[float] = []
    lasts: list[float] = []
    by_user: dict[str, list[str]] = {u: [] for u in users}
    for user, kind in plan:
        by_user[user].append(kind)
    errors = 0

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=len(users))) as http:
        async def one_user(user: str) -> None:
            nonlocal errors
            for kind in by_user[user]:
                body = make_body(user, kind)
                headers = signed_headers(SECRET, body)
                before = timed.count(dm(user))
                t0 = time.perf_counter()
                async with http.post(url, data=body.encode(), headers=headers) as resp:
                    await resp.read()
                    status = resp.status
                acks.append(time.perf_counter() - t0)
                if status != 200:
                    errors += 1
                    continue
                done = await timed.wait(dm(user), before + 1)
                lasts.append(done - t0)

        started = time.perf_counter()
        await asyncio.gather(*(one_user(u) for u in users))
        wall = time.perf_counter() - started
    return {"n": len(plan), "wall": wall, "rps": len(plan) / wall, "ack50": pct(acks, 50), "ack99": pct(acks, 99),
            "last50": pct(lasts, 50), "last99": pct(lasts, 99), "errors": errors}


async def main(args) -> None:
    random.seed(args.seed)
    tmp = tempfile.mkdtemp(prefix="panelist-bench-slack-")
    schema = None
    if args.backend == "postgres":
        import uuid

        pg = os.environ.get("PANELIST_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
        schema = "bench_" + uuid.uuid4().hex[:12]
        database_url = f"{pg}{'&' if '?' in pg else '?'}schema={schema}"
    else:
        database_url = f"sqlite:///{tmp}/bench.db"
    users = [f"U{n:08d}" for n in range(1, args.users + 1)]
    async with SlackApiStandIn(token=TOKEN, team_id=TEAM) as standin:
        for u in users:
            standin.add_user(u)
        timed = Timed(standin)
        settings = Settings(database_url=database_url, slack_bot_token=TOKEN, slack_signing_secret=SECRET,
                            slack_api_url=standin.base_url)
        runtime = build_runtime(settings)
        await runtime.start()
        adapter = SlackAdapter(runtime, settings, pacer=ChannelPacer() if args.pacing else ChannelPacer(interval=0.0))
        ours_runner, ours_url = await serve(http_app(runtime, [adapter]))
        bare_runner, bare_url = await serve(bare_bolt(standin))
        inbox = await DurableInbox().open()
        durable_runner, durable_url = await serve(bare_bolt(standin, inbox))
        settle_heap_if(args.heap)
        try:
            # setup: every user's first contact, and the language buttons to press later
            english: dict[str, dict] = {}

            def command(user: str, text: str) -> str:
                return slash_command_body(TEAM, user, text, trigger_id=standin.new_trigger_id(), channel_id=dm(user))

            async with aiohttp.ClientSession() as http:
                async def first(user: str) -> None:
                    before = timed.count(dm(user))
                    body = command(user, "language")
                    async with http.post(ours_url, data=body.encode(), headers=signed_headers(SECRET, body)) as r:
                        assert r.status == 200, await r.text()
                    await timed.wait(dm(user), before + 1)
                    message = standin.messages_in(dm(user))[-1]
                    for block in message["blocks"]:
                        for el in block.get("elements") or []:
                            if el.get("type") == "button" and el["text"]["text"] == "English":
                                english[user] = {"action_id": el["action_id"], "value": el["value"],
                                                 "ts": message["ts"]}
                await asyncio.gather(*(first(u) for u in users))
            await adapter.drain()

            def ours_body(user: str, kind: str) -> str:
                if kind == "press":
                    b = english[user]
                    return interaction_body(block_actions_payload(
                        TEAM, user, b["action_id"], b["value"], trigger_id=standin.new_trigger_id(),
                        channel_id=dm(user), message_ts=b["ts"]))
                return command(user, kind)

            kinds = ["help", "profile", "press"]
            plan = [(users[i % len(users)], kinds[i % len(kinds)]) for i in range(args.requests)]
            slash_plan = [(users[i % len(users)], "help") for i in range(args.requests)]
            results = {}
            for rnd in range(args.rounds):
                results.setdefault("bare Bolt (slash → ack → postMessage)", []).append(
                    await run(bare_url, timed, slash_plan, command, users))
                results.setdefault("bare Bolt + durable inbox row", []).append(
                    await run(durable_url, timed, slash_plan, command, users))
                results.setdefault("panelist mix (help/profile/button)", []).append(
                    await run(ours_url, timed, plan, ours_body, users))
                results.setdefault("panelist slash only (/panelist help)", []).append(
                    await run(ours_url, timed, slash_plan, command, users))
            await adapter.drain()
            refusals = list(standin.refusals)
            async with runtime.db.transaction() as tx:
                failed = await tx.fetchval("SELECT COUNT(*) FROM inbox WHERE error IS NOT NULL OR processed_at IS NULL")
        finally:
            await ours_runner.cleanup()
            await bare_runner.cleanup()
            await durable_runner.cleanup()
            await inbox.close()
            await adapter.stop()
            await runtime.stop()
            if schema:
                from tests.backends import drop_schema

                await drop_schema(schema)

    print(f"\nSlack benchmark: {args.requests} signed requests per run, {args.users} users, backend {args.backend}, "
          f"pacing {'1 msg/s per channel' if args.pacing else 'off'}, heap {args.heap}, best of {args.rounds} rounds (by req/s)\n")
    head = f"{'app':40} {'req/s':>8} {'ack p50':>9} {'ack p99':>9} {'last p50':>9} {'last p99':>9} {'errors':>6}"
    print(head)
    print("-" * len(head))
    best = {}
    for name, runs in results.items():
        r = max(runs, key=lambda x: x["rps"])
        best[name] = r
        print(f"{name:40} {r['rps']:8.0f} {r['ack50'] * 1000:7.1f}ms {r['ack99'] * 1000:7.1f}ms "
              f"{r['last50'] * 1000:7.1f}ms {r['last99'] * 1000:7.1f}ms {r['errors']:6d}")
    for base_name in ("bare Bolt (slash → ack → postMessage)", "bare Bolt + durable inbox row"):
        bare = best[base_name]
        print()
        for name, r in best.items():
            if not name.startswith("panelist"):
                continue
            print(f"ratio {name} / {base_name}: throughput {r['rps'] / bare['rps']:.2f}×, "
                  f"ack p50 {r['ack50'] / bare['ack50']:.2f}×, last-call p50 {r['last50'] / bare['last50']:.2f}×, "
                  f"last-call p99 {r['last99'] / bare['last99']:.2f}×")
    print(f"\nstand-in refusals: {len(refusals)}; inbox rows failed or unprocessed: {failed}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--pacing", action="store_true", help="use the real 1 message/s per channel pacer")
    parser.add_argument("--seed", type=int, default=1)
    add_heap_option(parser)
    asyncio.run(main(parser.parse_args()))
