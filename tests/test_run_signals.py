"""`panelist run` stops cleanly on SIGTERM and SIGINT: exit 0, promptly, no thread left hanging."""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from tests.telegram_standin import BotApiStandIn

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_run_stops_cleanly_on_a_signal(sig, tmp_path):
    async with BotApiStandIn() as api:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("PANELIST_")}
        env.update({
            "PANELIST_DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
            "PANELIST_TELEGRAM_TOKEN": api.token, "PANELIST_TELEGRAM_API_URL": api.base_url,
            "PANELIST_TELEGRAM_FILE_URL": api.file_url, "PANELIST_HTTP_PORT": str(port),
        })
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "app.cli", "run", cwd=ROOT, env=env,
                                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            async with aiohttp.ClientSession() as http:
                for _ in range(200):  # up to 20 s for start-up
                    try:
                        async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                            if resp.status == 200 and "telegram" in (await resp.json())["adapters"]:
                                break
                    except aiohttp.ClientError:
                        pass
                    await asyncio.sleep(0.1)
                else:
                    raise AssertionError("panelist run did not come up")
            proc.send_signal(sig)
            code = await asyncio.wait_for(proc.wait(), timeout=20)
            _, err = await proc.communicate()
            assert code == 0, err.decode()[-2000:]
            assert api.token not in err.decode()  # the token never reaches the logs
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()


async def test_sigterm_in_the_middle_of_a_burst_hands_back_what_it_cannot_finish(database_url, tmp_path):
    """Twenty replies are committed and waiting at the Bot API when SIGTERM comes: the bot exits 0 without a
    traceback; what it could not send it hands back (claims released), and the next process sends each reply
    exactly once."""
    from storage.db import open_database
    from tests.bots import BotProcess, HoldingStandIn, until
    from tests.flows.telegram import telegram_user_id

    async def count(sql: str) -> int:
        async with open_database(database_url) as db:
            async with db.transaction() as tx:
                return int(await tx.fetchval(sql))

    api = await HoldingStandIn().start()
    bots: list[BotProcess] = []
    try:
        first = await BotProcess(api, database_url, tmp_path, "first").start()
        bots.append(first)
        await first.ready()
        await until(lambda: api.calls_of("getUpdates"), "the bot to poll", 30, first)
        api.hold()
        users = [telegram_user_id(f"burst{n}") for n in range(20)]
        for uid in users:
            api.push_update(api.message_update(uid, "/help"))
        await until(lambda: api.held >= 1, "replies to reach the Bot API", 30, first)
        assert await first.terminate() == 0
        err = first.log()
        assert "Traceback" not in err and api.token not in err
        assert all(api.messages_to(uid) == [] for uid in users)  # nothing got through the held API
        assert await count("SELECT COUNT(*) FROM outbox WHERE claimed_by IS NOT NULL AND sent_at IS NULL") == 0
        assert await count("SELECT COUNT(*) FROM leases") == 0
        assert await count("SELECT COUNT(*) FROM processes") == 0

        api.release()
        second = await BotProcess(api, database_url, tmp_path, "second").start()
        bots.append(second)
        await second.ready()
        await until(lambda: all(api.messages_to(uid) for uid in users), "every reply", 60, second)
        await until(lambda: api.pending_updates == [], "every update confirmed", 30, second)
        assert await second.terminate() == 0
        assert [len(api.messages_to(uid)) for uid in users] == [1] * 20
        assert await count("SELECT COUNT(*) FROM inbox WHERE processed_at IS NULL") == 0
        assert await count("SELECT COUNT(*) FROM inbox") == 20
        assert await count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") == 0
    finally:
        for bot in bots:
            await bot.close()
        await api.stop()
