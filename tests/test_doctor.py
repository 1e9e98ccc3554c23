"""`panelist doctor`: one line per check, what to fix where something is wrong, exit 1 when anything failed; it
reaches the real database, the media store and each platform's stand-in, and changes nothing."""
from __future__ import annotations

from app.cli_text import CliText
from app.doctor import line, run_checks
from app.settings import Settings
from storage.db import open_database
from storage.migrate import upgrade
from tests.slack_standin import SlackApiStandIn
from tests.telegram_standin import BotApiStandIn


def lines(checks) -> list[str]:
    say = CliText()
    return [line(c, say) for c in checks]


async def test_a_ready_installation_is_all_ticks(database_url, tmp_path):
    async with open_database(database_url) as db:
        await upgrade(db)
    async with BotApiStandIn() as tg, SlackApiStandIn() as slack:
        settings = Settings(database_url=database_url, media_url=str(tmp_path / "media"), http_port=0,
                            telegram_token=tg.token, telegram_api_url=tg.base_url, telegram_file_url=tg.file_url,
                            slack_bot_token=slack.token, slack_signing_secret="signing-secret",
                            slack_api_url=slack.base_url)
        checks = await run_checks(settings)
    said = lines(checks)
    assert all(c.status == "ok" for c in checks), said
    names = [c.name for c in checks]
    assert names == ["settings", "database", "media", "telegram", "slack", "http"]
    assert "migration" in said[1] and "(current)" in said[1]
    assert said[3].startswith("✓ telegram: the token works: @")


async def test_what_is_wrong_is_named_with_the_fix(tmp_path, monkeypatch):
    monkeypatch.delenv("PANELIST_MEDIA_URL", raising=False)
    (tmp_path / "media-is-a-file").write_text("x")
    async with BotApiStandIn() as tg, SlackApiStandIn() as slack:
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'new.db'}",
                            media_url=str(tmp_path / "media-is-a-file"), http_port=0,
                            telegram_token="123456:WRONG-token", telegram_api_url=tg.base_url,
                            telegram_file_url=tg.file_url, slack_bot_token="xoxb-wrong",
                            slack_signing_secret="signing-secret", slack_api_url=slack.base_url)
        checks = await run_checks(settings)
    said = lines(checks)
    by_name = {c.name: c for c in checks}
    assert not (tmp_path / "new.db").exists()  # a database that is not there is told, not created
    assert by_name["database"].status == "warn" and "panelist db upgrade" in said[[c.name for c in checks].index(
        "database")]
    assert by_name["PANELIST_MEDIA_URL"].status == "fail"
    assert by_name["PANELIST_TELEGRAM_TOKEN"].status == "fail"
    assert by_name["PANELIST_SLACK_BOT_TOKEN"].status == "fail"
    telegram = said[[c.name for c in checks].index("PANELIST_TELEGRAM_TOKEN")]
    assert "rejected by the platform" in telegram and "@BotFather" in telegram and "WRONG-token" not in telegram


async def test_a_webhook_elsewhere_is_told(tmp_path):
    async with BotApiStandIn() as tg:
        from telegram import Bot

        bot = Bot(tg.token, base_url=tg.base_url, base_file_url=tg.file_url)
        await bot.set_webhook("https://old.example.com/hook", secret_token="s3cret-s3cret")
        await bot.shutdown()
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}", media_url=str(tmp_path / "m"),
                            http_port=0, telegram_token=tg.token, telegram_api_url=tg.base_url,
                            telegram_file_url=tg.file_url, telegram_webhook_url="https://new.example.com/hook",
                            telegram_webhook_secret="s3cret-s3cret")
        checks = await run_checks(settings)
    webhook = [c for c in checks if c.name == "PANELIST_TELEGRAM_WEBHOOK_URL"]
    assert len(webhook) == 1 and webhook[0].status == "warn"
    assert "https://old.example.com/hook" in lines(webhook)[0] and "https://new.example.com/hook" in lines(webhook)[0]


def test_the_cli_exits_1_when_something_failed(tmp_path, monkeypatch, capsys):
    from app.cli import main

    monkeypatch.setenv("PANELIST_DATABASE_URL", "postgresql://postgres@db.nosuchhost.invalid/x")
    monkeypatch.setenv("PANELIST_MEDIA_URL", str(tmp_path / "media"))
    monkeypatch.setenv("PANELIST_HTTP_PORT", "0")
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert any(o.startswith("✗ database: the host name is unknown — check PANELIST_DATABASE_URL") for o in out), out
    assert any(o.startswith("! platforms:") for o in out)
