"""`panelist run` fails fast: a fatal start-up problem is one line naming the setting and its cause, exit status 2,
and the process is gone (a supervisor can restart it). Run as an operator would: a real process, real settings."""
from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import pytest

from app.settings import Settings
from app.startup import settings_problems
from tests.backends import postgres_available
from tests.telegram_standin import BotApiStandIn

SAFETY = 60  # seconds: only so a regression (a hang) fails the test instead of blocking the suite


async def run_panelist(env: dict[str, str], cwd: Path) -> tuple[int, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PANELIST_")}
    clean.update({"PANELIST_MEDIA_URL": str(cwd / "media"), **env})
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app.cli", "run", cwd=cwd, env={**clean, "PYTHONPATH": str(Path.cwd())},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        _, err = await asyncio.wait_for(proc.communicate(), SAFETY)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.wait()
        pytest.fail(f"panelist run was still running after {SAFETY} s with {env}")
    return proc.returncode, err.decode()


def problem_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("panelist run:")]


SLACK = {"PANELIST_SLACK_BOT_TOKEN": "xoxb-test-token", "PANELIST_SLACK_SIGNING_SECRET": "signing-secret-123"}


def sqlite(tmp_path: Path) -> dict[str, str]:
    return {"PANELIST_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}", "PANELIST_HTTP_PORT": "0"}


@pytest.mark.parametrize("env, setting, cause", [
    ({"PANELIST_TELEGRAM_TOKEN": "1:abcdefgh", "PANELIST_TELEGRAM_WEBHOOK_URL": "https://bot.example.com/hook"},
     "PANELIST_TELEGRAM_WEBHOOK_SECRET", "required with PANELIST_TELEGRAM_WEBHOOK_URL"),
    ({"PANELIST_SLACK_BOT_TOKEN": "xoxb-test-token"}, "PANELIST_SLACK_SIGNING_SECRET", "required"),
    ({"PANELIST_TELEGRAM_TOKEN": "  "}, "PANELIST_TELEGRAM_TOKEN", "empty"),
    ({**SLACK, "PANELIST_DATABASE_URL": "postgresql://postgres@db.nosuchhost.invalid/x"},
     "PANELIST_DATABASE_URL", "host name is unknown"),
])
async def test_settings_that_cannot_work_stop_it_in_one_line(tmp_path, env, setting, cause):
    code, stderr = await run_panelist({**sqlite(tmp_path), **env}, tmp_path)
    lines = problem_lines(stderr)
    assert code == 2 and len(lines) == 1, stderr
    assert lines[0].startswith(f"panelist run: {setting}: ") and cause in lines[0]
    assert "Traceback" not in stderr


async def test_a_port_in_use_is_named(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, stderr = await run_panelist({**sqlite(tmp_path), **SLACK, "PANELIST_HTTP_PORT": str(port)}, tmp_path)
    assert code == 2 and problem_lines(stderr) == [
        "panelist run: PANELIST_HTTP_PORT: the port is already in use by another program"], stderr


async def test_a_sqlite_path_it_cannot_use_is_named(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    env = {**SLACK, "PANELIST_DATABASE_URL": f"sqlite:///{tmp_path / 'a-file' / 'bot.db'}", "PANELIST_HTTP_PORT": "0"}
    code, stderr = await run_panelist(env, tmp_path)
    lines = problem_lines(stderr)
    assert code == 2 and len(lines) == 1 and lines[0].startswith("panelist run: PANELIST_DATABASE_URL: "), stderr
    assert "Traceback" not in stderr


@pytest.mark.skipif(not postgres_available(), reason="needs the PostgreSQL server")
@pytest.mark.parametrize("url, cause", [
    ("postgresql://postgres@127.0.0.1:9/x", "refused"),
    ("postgresql://postgres@127.0.0.1:5432/panelist_no_such_database", "does not exist"),
    ("postgresql://panelist_no_such_role@127.0.0.1:5432/postgres", "refused the login"),
])
async def test_a_postgres_it_cannot_use_is_named(tmp_path, url, cause):
    code, stderr = await run_panelist({**SLACK, "PANELIST_DATABASE_URL": url, "PANELIST_HTTP_PORT": "0"}, tmp_path)
    lines = problem_lines(stderr)
    assert code == 2 and len(lines) == 1 and lines[0].startswith("panelist run: PANELIST_DATABASE_URL: "), stderr
    assert cause in lines[0] and "Traceback" not in stderr


async def test_a_rejected_telegram_token_is_named_and_never_printed(tmp_path):
    async with BotApiStandIn() as api:
        wrong = "123456:WRONG-token-value"
        env = {**sqlite(tmp_path), "PANELIST_TELEGRAM_TOKEN": wrong, "PANELIST_TELEGRAM_API_URL": api.base_url,
               "PANELIST_TELEGRAM_FILE_URL": api.file_url}
        code, stderr = await run_panelist(env, tmp_path)
    assert code == 2 and problem_lines(stderr) == [
        "panelist run: PANELIST_TELEGRAM_TOKEN: rejected by the platform (a wrong or revoked token)"], stderr
    assert "WRONG-token-value" not in stderr


async def test_a_database_from_a_newer_panelist_is_refused(tmp_path):
    env = sqlite(tmp_path)
    from storage.db import open_database
    from storage.migrate import upgrade

    async with open_database(env["PANELIST_DATABASE_URL"]) as db:
        await upgrade(db)
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql',"
                             " CURRENT_TIMESTAMP)")
    code, stderr = await run_panelist({**env, **SLACK}, tmp_path)
    lines = problem_lines(stderr)
    assert code == 2 and len(lines) == 1 and "newer Panelist" in lines[0] and "9999" in lines[0], stderr


def test_suspicious_settings_are_named_but_not_fatal():
    settings = Settings(database_url="sqlite:///x.db", telegram_token="1:abcdefgh",
                        telegram_webhook_secret="only-the-secret", slack_signing_secret="no-bot-token")
    fatal, suspicious = settings_problems(settings, {"PANELIST_TELEGRAM_TOKNE": "typo", "PANELIST_ADMINS": "",
                                                     "PANELIST_TEST_POSTGRES_URL": "x", "HOME": "/root"})
    assert fatal == []
    assert sorted(p.setting for p in suspicious) == [
        "PANELIST_SLACK_SIGNING_SECRET", "PANELIST_TELEGRAM_TOKNE", "PANELIST_TELEGRAM_WEBHOOK_SECRET"]
    assert {p.cause.key for p in suspicious} == {
        "startup.without_bot_token", "startup.unknown_variable", "startup.secret_without_url"}
    plain_http = Settings(database_url="sqlite:///x.db", telegram_token="1:abcdefgh", telegram_webhook_secret="s3cret",
                          telegram_webhook_url="http://bot.example.com/hook")
    fatal, suspicious = settings_problems(plain_http, {})
    assert fatal == [] and [p.cause.key for p in suspicious] == ["startup.webhook_https"]
