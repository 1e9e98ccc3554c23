"""Benchmark: the per-turn pieces issue 19 point 5 names, timed alone on the inputs of real submissions.

How to run (from the repository root, with the project's venv):

    .venv/bin/python -m bench.turn_parts                 # prints µs per submission for each piece
    .venv/bin/python -m bench.turn_parts --json          # one JSON line (for comparing two trees, below)

One expert does `--submissions` pairwise submissions through the real Telegram adapter (long polling) and the
real Slack adapter (DM) against the stand-ins, exactly as in bench/loop.py (limits off). Meanwhile the inputs of
the pieces below are recorded; then each piece is run again on those inputs, `--rounds` times, best round kept:

* catalog — `Catalogs.render` of every catalog message the submissions localized;
* localize — `localize()` of every operation staged (walks the reply, copies what holds a message);
* actions — building every button's typed data again (`type(a)(**fields)`: pydantic validation + `_fits`);
* codec — `ActionCodec.inline` of every button (wire form + HMAC);
* telegram render / slack render — the adapters' renderers on every delivery they were given.

Figures are µs per submission (all calls of a piece in one submission, Telegram and Slack DM together), so the
pieces can be set against the bot's CPU per submission from bench/loop.py. To compare two versions of the code,
run the script with PYTHONPATH on each tree, alternating, and take ratios of the same piece (the machine is
shared: alternate and repeat).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import best_of  # noqa: E402


class Recorder:
    """Wraps the pieces' entry points to keep their inputs (patched in this process only)."""

    def __init__(self) -> None:
        self.msgs: list[tuple] = []
        self.ops: list[tuple] = []
        self.actions: list = []
        self.inline: list[tuple] = []
        self.tg: list = []
        self.slack: list = []
        self._saved: list[tuple] = []

    def _patch(self, owner, name, make) -> None:
        original = getattr(owner, name)
        self._saved.append((owner, name, original))
        setattr(owner, name, make(original))

    def install(self) -> None:
        import bot.adapters.slack.adapter as slack_adapter
        import bot.adapters.telegram.adapter as tg_adapter
        import bot.core.staging as staging
        from bot.core.codec import ActionCodec
        from bot.i18n.catalog import Catalogs

        rec = self

        def render_msg(original):
            def wrapped(self_, message, locale, tz="UTC", command="/{name}"):
                rec.msgs.append((self_, message, locale, tz, command))
                return original(self_, message, locale, tz, command)
            return wrapped

        def localize(original):
            def wrapped(obj, *args, **kwargs):
                rec.ops.append((obj, args, kwargs))
                return original(obj, *args, **kwargs)
            return wrapped

        def inline(original):
            def wrapped(self_, action, owner):
                rec.actions.append(action)
                rec.inline.append((self_, action, owner))
                return original(self_, action, owner)
            return wrapped

        def tg_render(original):
            def wrapped(delivery):
                rec.tg.append(delivery)
                return original(delivery)
            return wrapped

        def slack_render(original):
            def wrapped(reply, *args, **kwargs):
                rec.slack.append((reply, args, kwargs))
                return original(reply, *args, **kwargs)
            return wrapped

        self._patch(Catalogs, "render", render_msg)
        self._patch(staging, "localize", localize)
        self._patch(ActionCodec, "inline", inline)
        self._patch(tg_adapter, "render", tg_render)
        self._patch(slack_adapter, "render_messages", slack_render)

    def uninstall(self) -> None:
        for owner, name, original in reversed(self._saved):
            setattr(owner, name, original)


async def record(submissions: int) -> Recorder:
    from bench.loop import harness_for, one_submission, seed

    rec = Recorder()
    for platform in ("telegram-polling", "slack-dm"):
        url = f"sqlite:///{tempfile.mkdtemp(prefix='panelist-bench-parts-')}/parts.db"
        chat = harness_for(platform, url, limits=False)
        await chat.start()
        try:
            await seed(chat, submissions + 5, ["ex00"])
            rec.install()
            try:
                async def step(_label, coro):
                    await coro
                for _ in range(submissions):
                    assert await one_submission(chat, platform, "ex00", step)
            finally:
                rec.uninstall()
        finally:
            await chat.stop()
    return rec



def measure(rec: Recorder, rounds: int) -> dict[str, float]:
    from bot.adapters.slack.render import render_messages
    from bot.adapters.telegram.render import render
    from bot.i18n.localize import localize

    def catalog():
        for cats, m, locale, tz, command in rec.msgs:
            cats.render(m, locale, tz, command)

    def localize_all():
        for obj, args, kwargs in rec.ops:
            localize(obj, *args, **kwargs)

    fields = [(type(a), {k: getattr(a, k) for k in type(a).model_fields}) for a in rec.actions]

    def actions():
        for cls, values in fields:
            cls(**values)

    def codec():
        for c, action, owner in rec.inline:
            c.inline(action, owner)

    def tg():
        for d in rec.tg:
            render(d)

    def slack():
        for reply, args, kwargs in rec.slack:
            render_messages(reply, *args, **kwargs)

    pieces = {"catalog": catalog, "localize": localize_all, "actions": actions, "codec": codec,
              "telegram render": tg, "slack render": slack}
    return {name: best_of(fn, rounds) for name, fn in pieces.items()}


async def amain(args) -> None:
    rec = await record(args.submissions)
    best = measure(rec, args.rounds)
    per_sub = {k: v * 1e6 / (2 * args.submissions) for k, v in best.items()}  # two surfaces, n submissions each
    counts = {"catalog": len(rec.msgs), "localize": len(rec.ops), "actions": len(rec.actions),
              "codec": len(rec.inline), "telegram render": len(rec.tg), "slack render": len(rec.slack)}
    if args.json:
        print(json.dumps({"us_per_submission": per_sub, "calls": counts}))
        return
    print(f"per-turn pieces over {args.submissions} submissions on Telegram and on Slack DM, best of {args.rounds}:")
    print(f"{'piece':<16} {'calls/sub':>9} {'us/sub':>9} {'us/call':>8}")
    for name, us in per_sub.items():
        calls = counts[name] / (2 * args.submissions)
        print(f"{name:<16} {calls:>9.1f} {us:>9.1f} {us / calls if calls else 0:>8.2f}")
    print(f"{'total':<16} {'':>9} {sum(per_sub.values()):>9.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--submissions", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    asyncio.run(amain(parser.parse_args()))
