"""Settings, the CLI and the demo, as a person runs them: subprocesses with an environment."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.logs import configure_logging
from app.settings import Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, env: dict | None = None, stdin: str = "", cwd: Path | None = None, timeout: int = 60):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("PANELIST_")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "app.cli", *args], input=stdin, capture_output=True, text=True,
                          env=full_env, cwd=cwd or ROOT, timeout=timeout)


@pytest.mark.parametrize("name, value, expected", [
    ("PANELIST_DATABASE_URL", "mysql://x", "PANELIST_DATABASE_URL"),
    ("PANELIST_ADMINS", "telegram:abc", "PANELIST_ADMINS"),
    ("PANELIST_ADMINS", "slack:U1", "PANELIST_ADMINS"),
    ("PANELIST_TIMEZONE", "Mars/Base", "PANELIST_TIMEZONE"),
    ("PANELIST_DEFAULT_LOCALE", "xx-NOPE-1", "PANELIST_DEFAULT_LOCALE"),
    ("PANELIST_HTTP_PORT", "99999", "PANELIST_HTTP_PORT"),
    ("PANELIST_DATABASE_POOL_SIZE", "zero", "PANELIST_DATABASE_POOL_SIZE"),
])
def test_bad_setting_gives_one_clear_line(name, value, expected, tmp_path):
    result = run_cli("db", "upgrade", env={name: value}, cwd=tmp_path)
    assert result.returncode == 2
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_settings_parse_admins_and_hide_secrets(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PANELIST_ADMINS", "telegram:123, slack:T1/U1")
    monkeypatch.setenv("PANELIST_TELEGRAM_TOKEN", "123456:SECRET-TOKEN-VALUE")
    settings = load_settings()
    assert [str(k) for k in settings.admin_identities] == ["telegram:123", "slack:T1/U1"]
    assert "SECRET-TOKEN-VALUE" not in repr(settings) and "SECRET-TOKEN-VALUE" not in str(settings.model_dump())
    assert settings.database_url == f"sqlite:///{tmp_path / 'panelist.db'}"


def test_a_slack_member_id_may_stand_alone_in_admins(monkeypatch, tmp_path):
    from bot.core.turn import configured_admin

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PANELIST_ADMINS", "slack:U0456, W0789, telegram:5")
    keys = [tuple(k) for k in load_settings().admin_identities]
    assert keys == [("slack", "", "U0456"), ("slack", "", "W0789"), ("telegram", "", "5")]
    assert configured_admin(keys, "slack", "T1", "U0456", ["T1"])  # the install's one workspace
    assert not configured_admin(keys, "slack", "T1", "U0456", ["T1", "T2"])  # which workspace's U0456?
    assert not configured_admin(keys, "slack", "T1", "U9999", ["T1"])
    assert configured_admin(keys, "telegram", "", "5", [""]) and not configured_admin(keys, "telegram", "", "6", [""])
    assert configured_admin([("slack", "T1", "U1")], "slack", "T1", "U1", ["T1", "T2"])  # written whole: exact
    assert not configured_admin([("slack", "T1", "U1")], "slack", "T2", "U1", ["T2"])
    for wrong in ("u0456", "slack:", "alice"):  # not a member id, and not PLATFORM:ID either
        monkeypatch.setenv("PANELIST_ADMINS", wrong)
        with pytest.raises(SettingsError):
            load_settings()


def test_dotenv_file_is_read(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("PANELIST_TIMEZONE=Europe/Berlin\n")
    assert load_settings().timezone == "Europe/Berlin"
    with pytest.raises(SettingsError):
        load_settings(timezone="nowhere")


def test_db_upgrade_cli(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    from storage.migrate import available_migrations

    first = run_cli("db", "upgrade", env={"PANELIST_DATABASE_URL": url})
    assert first.returncode == 0 and f"applied {len(available_migrations())} migration" in first.stdout
    again = run_cli("db", "upgrade", env={"PANELIST_DATABASE_URL": url})
    assert again.returncode == 0 and "applied 0 migration" in again.stdout


def test_run_without_any_platform_says_what_to_set(tmp_path):
    result = run_cli("run", env={"PANELIST_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}"})
    assert result.returncode == 2
    assert "PANELIST_TELEGRAM_TOKEN" in result.stderr and "panelist demo" in result.stderr


def test_demo_is_scriptable_from_stdin(tmp_path):
    script = "\n".join([
        "/start", "Dana", "1", "3", "12", "8", "Engineer, PE", "English", "UTC", "20", "1",
        "/profile", "/as manager", "/help", "/as expert", "/frobnicate", "/quit", "/help",
    ]) + "\n"
    result = run_cli("demo", "--db", str(tmp_path / "demo.db"), stdin=script, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Welcome to Panelist" in out
    assert "your profile is saved" in out
    assert "Medicine, Software engineering" in out and "8 years" in out
    assert "(now typing as manager)" in out
    assert "I don't know the command /frobnicate" in out
    assert out.count("What you can do") == 1  # nothing after /quit


def test_tokens_never_reach_the_logs():
    token = "987654:AAbbCCddEEff-secret"
    settings = Settings(database_url="sqlite:///x.db", telegram_token=token)
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure_logging(settings, level=logging.INFO)
    handler = root.handlers[0]
    root.handlers[:], _ = saved[0], root.setLevel(saved[1])
    record = logging.LogRecord("httpx", logging.WARNING, __file__, 1,
                               "HTTP Request: POST https://api.telegram.org/bot%s/getMe", (token,), None)
    line = handler.format(record)
    assert token not in line and "***" in line
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
