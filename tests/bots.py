"""Real `panelist run` processes against the Telegram stand-in, for crash, takeover and signal tests (and
bench/recovery.py): start one, read its /healthz, SIGKILL or SIGTERM it, read what it printed."""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import aiohttp

from tests.flows.telegram import RecordingStandIn

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HoldingStandIn(RecordingStandIn):
    """The stand-in, able to hold every sendMessage until `release()` (a reply committed but not yet sent)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._open = asyncio.Event()
        self._open.set()
        self.held = 0  # sendMessage calls waiting right now

    def hold(self) -> None:
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        self.held += 1
        try:
            await self._open.wait()
        finally:
            self.held -= 1
        return await super()._send_message(params)


class BotProcess:
    """`python -m app.cli run` with Telegram long polling against `api` and the given database."""

    def __init__(self, api: RecordingStandIn, database_url: str, logs: Path, name: str = "bot") -> None:
        self.api = api
        self.database_url = database_url
        self.port = free_port()
        self.log_path = logs / f"{name}.log"
        self.media = logs / "media"  # never ./panelist-media in the checkout (the default beside no SQLite file)
        self.proc: asyncio.subprocess.Process | None = None
        self.process_id: str | None = None
        self.started = 0.0

    async def start(self) -> "BotProcess":
        env = {k: v for k, v in os.environ.items() if not k.startswith("PANELIST_")}
        env.update({
            "PYTHONPATH": str(ROOT), "PANELIST_DATABASE_URL": self.database_url,
            "PANELIST_TELEGRAM_TOKEN": self.api.token, "PANELIST_TELEGRAM_API_URL": self.api.base_url,
            "PANELIST_TELEGRAM_FILE_URL": self.api.file_url, "PANELIST_HTTP_PORT": str(self.port),
            "PANELIST_HTTP_HOST": "127.0.0.1", "PANELIST_MEDIA_URL": str(self.media),
        })
        self.started = time.monotonic()
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "app.cli", "run", cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=open(self.log_path, "ab"))
        return self

    async def ready(self, timeout: float = 30.0) -> str:
        """Wait for /healthz; returns the process id the runtime registered under."""
        async with aiohttp.ClientSession() as http:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                assert self.proc is not None and self.proc.returncode is None, self.log()[-3000:]
                try:
                    async with http.get(f"http://127.0.0.1:{self.port}/healthz") as resp:
                        if resp.status == 200:
                            self.process_id = (await resp.json())["process"]
                            return self.process_id
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.05)
        raise AssertionError(f"panelist run did not come up:\n{self.log()[-3000:]}")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)

    async def terminate(self, timeout: float = 60.0) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.proc.wait(), timeout)

    async def wait(self) -> int:
        assert self.proc is not None
        return await self.proc.wait()

    async def close(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


async def until(condition: Callable[[], Any], what: str, timeout: float = 30.0, *procs: BotProcess) -> None:
    """Wait for `condition` (a safety limit, not a measurement); fails with the bots' logs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        await asyncio.sleep(0.02)
    logs = "\n".join(f"--- {p.log_path.name}\n{p.log()[-3000:]}" for p in procs)
    raise AssertionError(f"timed out waiting for {what}\n{logs}")
