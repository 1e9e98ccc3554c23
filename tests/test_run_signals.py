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
