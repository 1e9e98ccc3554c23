"""Benchmark: the closed expert loop through the real adapters and the platform stand-ins (issue 19).

How to run (from the repository root, with the project's venv):

    .venv/bin/python -m bench.loop                                   # everything: 4 surfaces x C 1,8,32 x 2 backends
    .venv/bin/python -m bench.loop --platform telegram-polling --backend sqlite --experts 1 --seconds 10
    .venv/bin/python -m bench.loop --platform slack-dm,slack-modal --experts 1,8 --json loop.json
    .venv/bin/python -m bench.loop --profile sample --platform telegram-polling --experts 8   # where the time goes

An expert sends /next, presses a choice, types a reason and confirms, and loops, each input only once the bot
answered the previous one (as a person waits). C experts (`--experts`) loop at once for `--seconds` seconds per
cell, on a fresh database per cell (SQLite file; PostgreSQL schema `bench_<random>`, dropped after), against a
pairwise project (bench/chaos.py's spec, `--items` items, overlap 2). Surfaces (`--platform`):

* **telegram-polling** / **telegram-webhook** — the real `TelegramAdapter` (PTB) against the Bot API stand-in
  (`tests/telegram_standin`), long polling or webhook behind the project's HTTP app; inputs are updates.
* **slack-dm** — the real `SlackAdapter` (Bolt) behind the project's HTTP app, the expert in a DM with the bot:
  `next` typed as a DM, buttons as block_actions, the reason as a DM message.
* **slack-modal** — the same app, `/panelist next` as a slash command (it carries a trigger id, so the task opens
  as a modal); the expert picks the choice and types the reason in the modal (client side, no request) and
  submits it: two requests per submission.

Platform limits on: the stand-ins enforce Telegram's limits (`TELEGRAM_RATE_LIMITS`: 1 message a second per chat,
30 overall, else 429 with `retry_after`) and Slack's (1 message a second per channel), and the adapters run their
production pacers (`Pacer()`, `ChannelPacer()` with their default settings, whatever those are at the time).

The bot's own per-person flood limit (issue 15) is lifted in every mode: these experts type the moment the bot
answers, faster than a person could, and it would skip their typed lines.

The driver is the flow harness of tests/flows (the same person-side code the flow tests use). A step is one
input: it ends when the platform confirmed handing it over (Telegram: the update left getUpdates / the webhook
answered; Slack: the signed request got its HTTP answer) and every turn the adapter had in hand at that moment is
done, replies sent (`adapter.drain()`). With C = 1 that is exactly the expert's own wait; with C > 1 a step also
waits for the other experts' turns that were in flight with it, so latency there is an upper bound.

Printed per cell: submissions/s (over the timed window; steps cut off at its end do not count), per-step
latency p50/p90/p99 (ms, every step of every submission), messages per submission (calls an expert sees that the
stand-in accepted between the start of their submission's first step and the end of its last, over the counted
submissions: Telegram sendMessage, editMessageText, answerCallbackQuery, sendDocument, sendPhoto; Slack
chat.postMessage, chat.update, chat.postEphemeral, views.open, views.update), 429s the stand-in answered, and CPU
ms per submission (`time.process_time()` of this one process over the window: bot, stand-in and driver
together, since they share the event loop; PostgreSQL's own CPU is not in it).
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path and bench/telegram.py would shadow `telegram`.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import percentile  # noqa: E402
from tests.flows.tasks_data import pairwise_spec  # noqa: E402

PLATFORMS = ("telegram-polling", "telegram-webhook", "slack-dm", "slack-modal")
PROJECT = "Loop tenancy pairs"
SPEC = pairwise_spec(PROJECT)
REASON = ("Legal accuracy in case {case}: A names the deposit protection scheme and the claim of up to three times "
          "the deposit, while B says landlords can keep deposits, which would mislead the tenant into losing money.")
TG_VISIBLE = ("sendMessage", "editMessageText", "sendDocument", "sendPhoto", "answerCallbackQuery")
SLACK_VISIBLE = ("chat.postMessage", "chat.update", "chat.postEphemeral", "views.open", "views.update")


# The bot's per-person flood limit (issue 15) is lifted: these experts type the moment the bot answers, faster than
# a person, and the limit would skip their typed lines (it is not a platform limit).
NO_FLOOD_LIMIT = {"flood_burst": 10**9}


def pg_url() -> str:
    return (os.environ.get("PANELIST_BENCH_POSTGRES_URL") or os.environ.get("PANELIST_TEST_POSTGRES_URL")
            or "postgresql://postgres@127.0.0.1:5432/postgres")


def tasks_jsonl(items: int) -> bytes:
    out = io.StringIO()
    for n in range(1, items + 1):
        out.write(json.dumps({
            "external_id": f"C{n:05d}",
            "prompt": f"Case C{n:05d}: my landlord in England kept my whole deposit without saying why. What can I do?",
            "responses": [
                {"id": "a", "text": "Ask for an itemised list of deductions in writing; if the deposit was never "
                                    "protected you can claim up to three times the deposit in court."},
                {"id": "b", "text": "Landlords can keep deposits if they want to."}],
        }) + "\n")
    return out.getvalue().encode()


# ---------------------------------------------------------------- one cell

@dataclass
class Cell:
    platform: str
    backend: str
    experts: int
    submissions: int = 0
    seconds: float = 0.0
    cpu: float = 0.0
    steps_ms: list[float] = field(default_factory=list)
    by_step: dict[str, list[float]] = field(default_factory=dict)
    messages: int = 0
    throttled: int = 0
    refusals: int = 0
    stuck: int = 0
    note: str = ""

    @property
    def rate(self) -> float:
        return self.submissions / self.seconds if self.seconds else 0.0

    def row(self) -> dict:
        per = (lambda x: x / self.submissions) if self.submissions else (lambda x: float("nan"))
        return {"platform": self.platform, "backend": self.backend, "C": self.experts,
                "submissions": self.submissions, "seconds": round(self.seconds, 2), "subs_per_s": round(self.rate, 2),
                "p50_ms": percentile(self.steps_ms, 50), "p90_ms": percentile(self.steps_ms, 90),
                "p99_ms": percentile(self.steps_ms, 99), "msgs_per_sub": per(self.messages),
                "cpu_ms_per_sub": per(self.cpu * 1000), "throttled_429": self.throttled,
                "other_refusals": self.refusals, "stuck": self.stuck,
                "by_step_p50_ms": {k: percentile(v, 50) for k, v in self.by_step.items()},
                "by_step_max_ms": {k: max(v) for k, v in self.by_step.items()}}


def harness_for(platform: str, url: str, limits: bool = True):
    """A flow harness with the production pacer and the platform's limits in its stand-in (`limits`), or with
    both lifted (the harness's own fast pacers, unlimited stand-ins): what is left is the bot's own cost."""
    if not limits:
        from tests.flows.slack import SlackHarness
        from tests.flows.telegram import TelegramHarness

        if platform.startswith("telegram"):
            return TelegramHarness(url, webhook=platform.endswith("webhook"), **NO_FLOOD_LIMIT)
        return SlackHarness(url, **NO_FLOOD_LIMIT)
    if platform.startswith("telegram"):
        from bot.adapters.telegram.pacing import Pacer
        from tests.flows.telegram import RecordingStandIn, TelegramHarness
        from tests.telegram_standin.server import TELEGRAM_RATE_LIMITS

        class Limited(TelegramHarness):
            async def start_adapter(self, wait: bool) -> None:
                if self.api is None:
                    self.api = await RecordingStandIn(**TELEGRAM_RATE_LIMITS).start()
                await super().start_adapter(wait)

        return Limited(url, webhook=platform.endswith("webhook"), adapter_options={"pacer": Pacer()}, **NO_FLOOD_LIMIT)
    from bot.adapters.slack.pacing import ChannelPacer
    from tests.flows.slack import TEAM, TOKEN, SlackHarness
    from tests.slack_standin import SlackApiStandIn

    class LimitedSlack(SlackHarness):
        async def _start_adapter(self) -> None:
            if self.standin is None:
                # Slack: "1 per second per channel, short bursts allowed"; the stand-in allows the burst the pacer uses
                self.standin = SlackApiStandIn(token=TOKEN, team_id=TEAM, rate_limit=True, rate_limit_burst=3)
                await self.standin.start()
            await super()._start_adapter()
            self.adapter.pacer = ChannelPacer()  # the harness runs an unpaced one; production paces

    return LimitedSlack(url, **NO_FLOOD_LIMIT)


class Seen:
    """The calls a person sees that the stand-in accepted, counted per person (scanned as they come) and in all,
    and the stand-in's 429s and other refusals."""

    def __init__(self, chat) -> None:
        self.chat = chat
        self.per_person: dict[str, int] = {}
        self.total = 0
        self._scanned = 0

    def _owner(self, method: str, params: dict, response: dict | None) -> str | None:
        chat = self.chat
        if hasattr(chat, "api"):  # Telegram
            if method == "answerCallbackQuery":
                return chat._queries.get(str(params.get("callback_query_id")))
            return chat._users.get(params.get("chat_id"))
        if method == "chat.postEphemeral":
            return chat._users.get(params.get("user"))
        if method == "views.open":
            return chat._triggers.get(params.get("trigger_id"))
        if method == "views.update":
            view_id = (response or {}).get("view", {}).get("id")
            return next((u for u, m in chat._modals.items() if m.view.get("id") == view_id), None)
        return chat._user_of_channel((response or {}).get("channel") or params.get("channel") or "")

    def scan(self) -> None:
        chat = self.chat
        if hasattr(chat, "api"):
            calls = [(m, p, None) for m, p, _ in chat.api.shown[self._scanned:] if m in TG_VISIBLE]
            self._scanned = len(chat.api.shown)
        else:
            new = chat.standin.calls[self._scanned:]
            self._scanned = len(chat.standin.calls)
            calls = [(c.method, c.params, c.response) for c in new
                     if c.method in SLACK_VISIBLE and (c.response or {}).get("ok")]
        for method, params, response in calls:
            self.total += 1
            owner = self._owner(method, params, response)
            if owner is not None:
                self.per_person[owner] = self.per_person.get(owner, 0) + 1

    def of(self, name: str) -> int:
        self.scan()
        return self.per_person.get(name, 0)

    def refused(self) -> tuple[int, int]:
        """(429s, other refusals) so far."""
        chat = self.chat
        refusals = chat.api.refusals if hasattr(chat, "api") else chat.standin.refusals
        throttled = sum(1 for r in refusals if "429" in str(r) or "Too Many" in str(r) or "rate" in str(r).lower())
        return throttled, len(refusals) - throttled


async def seed(chat, items: int, names: list[str]) -> None:
    from handlers.shared.task_service import create_project, import_in_transaction
    from storage.uow import UnitOfWork
    from tests.flows.helpers import name_person
    from tests.flows.tasks_data import add_member

    now = datetime.now(timezone.utc)
    async with chat.runtime.db.transaction() as tx:
        uow = UnitOfWork(tx)
        created = await create_project(uow, SPEC.encode(), "loop.yaml", None, now)
        assert created.project_id, created.errors
        project = await uow.projects.get(created.project_id)
        await import_in_transaction(uow, project, io.BytesIO(tasks_jsonl(items)), False, now, None)
    for name in names:  # first contact (identity), membership, a name as onboarding would have set it
        await chat.send(name, "/help")
        await add_member(chat.runtime, created.project_id, chat.identity(name))
        await name_person(chat, name, name.title())


async def one_submission(chat, platform: str, name: str, step) -> bool:
    """One task; False when there was nothing to answer."""
    if platform == "slack-modal":
        await step("next", chat.send(name, "/next"))
        if chat._modals.get(name) is None:
            return False
        modal = chat._modals[name]
        modal.set(modal.block("preference"), "A is much better")
        modal.set(modal.block("justification"), REASON.format(case=name))
        await step("submit", chat.submit_modal(name))
        return True
    await step("next", chat.send(name, "next" if platform == "slack-dm" else "/next"))
    last = chat.received(name)[-1:] and chat.received(name)[-1]
    if not last or "A is much better" not in last.buttons:
        return False
    await step("choice", chat.press(name, "A is much better"))
    await step("reason", chat.send(name, REASON.format(case=name)))
    label = "Submit answer" if any("Submit answer" in b for b in chat.received(name)[-1].buttons) else "as it is"
    await step("confirm", chat.press(name, label))
    return True


async def run_cell(platform: str, backend: str, experts: int, args, profiler=None) -> Cell:
    cell = Cell(platform, backend, experts)
    schema = None
    if backend == "postgres":
        schema = "bench_" + uuid.uuid4().hex[:12]
        base = pg_url()
        url = f"{base}{'&' if '?' in base else '?'}schema={schema}"
    else:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='panelist-bench-loop-')}/loop.db"
    chat = harness_for(platform, url, args.limits == "on")
    await chat.start()
    try:
        names = [f"ex{i:02d}" for i in range(experts)]
        await seed(chat, args.items, names)
        await chat.drain() if hasattr(chat, "drain") else await chat.settle()
        await asyncio.sleep(1.1)  # let the per-chat pacers and the stand-in's windows refill after setup
        running = True
        seen = Seen(chat)
        seen.scan()
        thr0, ref0 = seen.refused()
        cpu0, t0 = time.process_time(), time.perf_counter()
        if profiler is not None:
            profiler.enable()

        async def expert(name: str) -> None:
            while running:
                pending: list[tuple[str, float]] = []

                async def step(label, coro):
                    if args.think:  # a person reads before acting; not part of the step's latency
                        await asyncio.sleep(args.think)
                    s = time.perf_counter()
                    try:
                        await asyncio.wait_for(coro, args.step_timeout)
                    except asyncio.TimeoutError:
                        cell.stuck += 1
                        raise
                    pending.append((label, (time.perf_counter() - s) * 1000))

                before = seen.of(name)
                try:
                    done = await one_submission(chat, platform, name, step)
                except asyncio.TimeoutError:
                    await chat.send(name, "/cancel")
                    continue
                except AssertionError as e:  # the screen was not what an expert expects: start over
                    cell.note = f"{name}: {str(e)[:160]}"
                    await chat.send(name, "/cancel")
                    continue
                if not done:
                    last = chat.received(name)[-1:]
                    cell.note = f"no task to answer after /next: {last[0].text[:150] if last else None!r}"
                    await asyncio.sleep(0.5)
                    continue
                if running:  # a submission finished after the window closed does not count
                    cell.submissions += 1
                    cell.messages += seen.of(name) - before
                    for label, ms in pending:
                        cell.steps_ms.append(ms)
                        cell.by_step.setdefault(label, []).append(ms)

        tasks = [asyncio.create_task(expert(n)) for n in names]
        await asyncio.sleep(args.seconds)
        running = False
        cell.seconds = time.perf_counter() - t0
        cell.cpu = time.process_time() - cpu0
        if profiler is not None:
            profiler.disable()
        thr1, ref1 = seen.refused()
        cell.throttled, cell.refusals = thr1 - thr0, ref1 - ref0
        if cell.refusals:
            refusals = chat.api.refusals if hasattr(chat, "api") else chat.standin.refusals
            other = [r for r in refusals if not ("429" in str(r) or "Too Many" in str(r) or "rate" in str(r).lower())]
            cell.note = (cell.note + "; " if cell.note else "") + f"refused: {str(other[-1])[:200]}"
        await asyncio.wait(tasks, timeout=args.step_timeout * 4)
        for t in tasks:
            t.cancel()
    finally:
        try:
            await chat.stop()
        finally:
            if schema:
                from tests.backends import drop_schema

                await drop_schema(schema)
    return cell


def table(cells: list[Cell]) -> str:
    head = (f"{'platform':<17} {'backend':<8} {'C':>3} {'subs':>5} {'subs/s':>7} {'p50 ms':>8} {'p90 ms':>8}"
            f" {'p99 ms':>8} {'msgs/sub':>8} {'cpu ms/sub':>10} {'429s':>5} {'stuck':>5}")
    lines = [head, "-" * len(head)]
    for c in cells:
        r = c.row()
        lines.append(f"{c.platform:<17} {c.backend:<8} {c.experts:>3} {c.submissions:>5} {c.rate:>7.2f}"
                     f" {r['p50_ms']:>8.1f} {r['p90_ms']:>8.1f} {r['p99_ms']:>8.1f} {r['msgs_per_sub']:>8.2f}"
                     f" {r['cpu_ms_per_sub']:>10.1f} {c.throttled:>5} {c.stuck:>5}"
                     + (f"  ({c.refusals} other refusals)" if c.refusals else ""))
    for c in cells:
        if c.note:
            lines.append(f"note {c.platform}/{c.backend}/C={c.experts}: {c.note}")
    return "\n".join(lines)


class Sampler:
    """A statistical profiler: SIGPROF every `interval` seconds of CPU time; the handler (run by the main thread at
    its next bytecode) records the event loop's stack. Unlike cProfile it does not slow small Python functions
    more than C calls, so shares are fair. Time inside a C call shows as its Python caller."""

    def __init__(self, interval: float = 0.001) -> None:
        self.interval = interval
        self.samples = 0
        self.self_counts: dict[tuple[str, str], int] = {}
        self.incl_counts: dict[tuple[str, str], int] = {}

    def enable(self) -> None:
        import signal

        signal.signal(signal.SIGPROF, self._sample)
        signal.setitimer(signal.ITIMER_PROF, self.interval, self.interval)

    def disable(self) -> None:
        import signal

        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, signal.SIG_DFL)

    def _sample(self, signum, frame) -> None:
        if frame is None:
            return
        self.samples += 1
        top = (frame.f_code.co_filename, frame.f_code.co_name)
        self.self_counts[top] = self.self_counts.get(top, 0) + 1
        seen = set()
        while frame is not None:
            key = (frame.f_code.co_filename, frame.f_code.co_name)
            if key not in seen:
                seen.add(key)
                self.incl_counts[key] = self.incl_counts.get(key, 0) + 1
            frame = frame.f_back

    def report(self, top: int) -> None:
        ours = str(ROOT) + os.sep

        def where(f: str, fn: str) -> str:
            f = f.removeprefix(ours) if f.startswith(ours) else f.rsplit("site-packages/", 1)[-1]
            return f"{f}:{fn}"

        n = max(self.samples, 1)
        areas: dict[str, int] = {}
        for (f, _), c in self.self_counts.items():
            area = (f.removeprefix(ours).split(os.sep)[0] + "/" if f.startswith(ours) else
                    f.rsplit("site-packages/", 1)[-1].split(os.sep)[0] if "site-packages/" in f else "stdlib/other")
            areas[area] = areas.get(area, 0) + c
        print(f"\nsampled {self.samples} stacks; self time by area (share of samples):")
        for area, c in sorted(areas.items(), key=lambda kv: -kv[1])[:top]:
            print(f"  {100 * c / n:5.1f}%  {area}")
        print("self time, top functions:")
        for (f, fn), c in sorted(self.self_counts.items(), key=lambda kv: -kv[1])[:top // 2]:
            print(f"  {100 * c / n:5.1f}%  {where(f, fn)}")
        print("inclusive, our code (share of samples with the function on the stack):")
        mine = [(c, k) for k, c in self.incl_counts.items() if k[0].startswith(ours) and "/bench/" not in k[0]
                and "/tests/" not in k[0]]
        for c, (f, fn) in sorted(mine, reverse=True)[:top]:
            print(f"  {100 * c / n:5.1f}%  {where(f, fn)}")


def print_profile(profiler: cProfile.Profile, top: int) -> None:
    stats = pstats.Stats(profiler)
    rows = [(tt, ct, nc, f, ln, fn) for (f, ln, fn), (cc, nc, tt, ct, _) in stats.stats.items()]
    total = sum(r[0] for r in rows)
    print(f"\nprofiled CPU on the event loop: {total:.2f} s")
    ours = str(ROOT) + os.sep
    for title, key, mine in (("top by own time, any code", 0, False), ("top by cumulative time, our code", 1, True)):
        print(f"\n{title}:")
        picked = [r for r in rows if not mine or (r[3].startswith(ours) and "/bench/" not in r[3]
                                                   and "/tests/" not in r[3])]
        for tt, ct, nc, f, ln, fn in sorted(picked, key=lambda r: -r[key])[:top]:
            where = f.removeprefix(ours) if f.startswith(ours) else f.rsplit("site-packages/", 1)[-1]
            print(f"{tt:>7.2f} {ct:>7.2f} {nc:>9,}  {where}:{ln}:{fn}")


async def amain(args) -> list[Cell]:
    platforms = [p.strip() for p in args.platform.split(",")] if args.platform != "all" else list(PLATFORMS)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    counts = [int(x) for x in args.experts.split(",")]
    for p in platforms:
        if p not in PLATFORMS:
            raise SystemExit(f"unknown platform {p!r}; one of {', '.join(PLATFORMS)}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs",
          flush=True)
    cells = []
    for backend in backends:
        for platform in platforms:
            for c in counts:
                profiler = (None if not args.profile else cProfile.Profile() if args.profile == "cprofile"
                            else Sampler())
                cell = await run_cell(platform, backend, c, args, profiler)
                cells.append(cell)
                print(table([cell]).splitlines()[-1] if not cell.note else table([cell]), flush=True)
                if isinstance(profiler, Sampler):
                    profiler.report(args.profile_top)
                elif profiler is not None:
                    print_profile(profiler, args.profile_top)
                    if args.profile_out:
                        profiler.dump_stats(f"{args.profile_out}.{platform}.{backend}.{c}.prof")
    limits = ("on (production pacers, rate-limited stand-ins)" if args.limits == "on"
              else "OFF (unpaced adapters, unlimited stand-ins)")
    print(f"\nclosed expert loop, {args.seconds:g} s a cell, platform limits {limits}; load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    print(table(cells))
    if args.json:
        Path(args.json).write_text(json.dumps([c.row() for c in cells], indent=1), encoding="utf-8")
    return cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--platform", default="all", help=f"comma list of {', '.join(PLATFORMS)}, or all")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--experts", default="1,8,32", help="comma list of C (experts looping at once)")
    parser.add_argument("--seconds", type=float, default=20.0, help="timed window per cell")
    parser.add_argument("--items", type=int, default=3000, help="items in the project (overlap 2)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds each expert waits before every step (0: a robot; ~1: at least a person's pace)")
    parser.add_argument("--step-timeout", type=float, default=60.0, help="seconds before a step counts as stuck")
    parser.add_argument("--limits", choices=("on", "off"), default="on",
                        help="off: unpaced adapters and unlimited stand-ins (the bot's own cost; not the issue's figures)")
    parser.add_argument("--profile", choices=("cprofile", "sample"),
                        help="profile each cell's window (cProfile, or a 1 ms stack sampler), print top costs")
    parser.add_argument("--profile-top", type=int, default=35)
    parser.add_argument("--profile-out", help="also dump each cell's cProfile stats to <this>.<cell>.prof")
    parser.add_argument("--json", help="also write the rows to this file")
    asyncio.run(amain(parser.parse_args()))


if __name__ == "__main__":
    main()
