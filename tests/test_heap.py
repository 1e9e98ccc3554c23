"""`panelist run` settles its heap once started (app/heap.py): what start-up built is frozen out of the cyclic
collector, the young generation is collected less often, and garbage made afterwards is still collected.

Each check runs in a process of its own: freezing is for a process that is the bot, never for the test process."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.bots import BotProcess, HoldingStandIn, until
from tests.flows.telegram import telegram_user_id

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import gc, json
from app.heap import settle_heap
import app.wiring  # what `panelist run` has imported by then
before = gc.get_threshold()
settle_heap()
after = gc.get_threshold()
frozen = gc.get_freeze_count()

class Node:
    pass

for _ in range(100):  # cycles made after start-up: garbage the collector must still find
    a, b = Node(), Node()
    a.other, b.other = b, a
del a, b
found = gc.collect()
print(json.dumps({"before": before, "after": after, "frozen": frozen, "found": found,
                  "frozen_later": gc.get_freeze_count()}))
"""


def test_settling_freezes_what_start_up_built_and_still_collects_later_garbage():
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         check=True)
    seen = json.loads(out.stdout)
    from app.heap import YOUNG_GENERATION_THRESHOLD

    assert seen["frozen"] > 10_000  # the modules, classes and functions start-up loaded
    assert seen["after"][0] == YOUNG_GENERATION_THRESHOLD != seen["before"][0]
    assert seen["after"][1:] == seen["before"][1:]  # the older generations keep Python's thresholds
    assert seen["found"] >= 200  # the 100 cycles made afterwards (two objects each) were collected
    assert seen["frozen_later"] == seen["frozen"]  # nothing made after start-up joins the frozen heap


async def test_panelist_run_settles_its_heap_once_started_and_answers_as_before(database_url, tmp_path):
    api = await HoldingStandIn().start()
    bot = await BotProcess(api, database_url, tmp_path, "settled").start()
    try:
        await bot.ready()
        await until(lambda: "heap:" in bot.log(), "the heap to be settled", 30, bot)
        assert "start-up objects frozen" in bot.log()
        uid = telegram_user_id("ines")
        api.push_update(api.message_update(uid, "/help"))
        await until(lambda: len(api.messages_to(uid)) == 1, "the reply to /help", 30, bot)
        assert "/profile" in api.messages_to(uid)[0]["text"]
    finally:
        await bot.close()
        await api.stop()
