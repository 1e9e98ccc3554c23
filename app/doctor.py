"""`panelist doctor`: is this installation ready to run, and if not, what to fix. One line per check.

It reads the settings, reaches the database (migration level), the media store, each configured platform (the
token, Telegram's webhook against the configured URL, Slack's Socket Mode token) and the HTTP port, changing
nothing (but an eight-byte probe in the media store, which is how it knows the store can be written). Exit status 0 when nothing failed (warnings allowed), 1 otherwise.
"""
from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass
from typing import Literal

from app.settings import Settings
from app.startup import cause_of, settings_problems
from bot.i18n.text import Msg, msg

Status = Literal["ok", "warn", "fail"]
CHECK_SECONDS = 10.0
MARKS = {"ok": "✓", "warn": "!", "fail": "✗"}


@dataclass
class Check:
    name: str
    status: Status
    said: Msg
    fix: Msg | None = None


async def _within(work, name: str, fix: Msg | None = None) -> Check | object:
    try:
        return await asyncio.wait_for(work, CHECK_SECONDS)
    except asyncio.TimeoutError:
        return Check(name, "fail", msg("startup.timeout", int(CHECK_SECONDS), seconds=str(int(CHECK_SECONDS))), fix)
    except Exception as exc:  # noqa: BLE001 - the cause is the answer
        return Check(name, "fail", cause_of(exc), fix)


def settings_checks(settings: Settings) -> list[Check]:
    fatal, suspicious = settings_problems(settings)
    checks = [Check(p.setting, "fail", p.cause) for p in fatal] + [Check(p.setting, "warn", p.cause)
                                                                    for p in suspicious]
    if settings.telegram_token is None and settings.slack_bot_token is None:
        checks.append(Check("platforms", "warn", msg("doctor.no_platform")))
    return checks or [Check("settings", "ok", msg("doctor.settings_ok"))]


async def database_check(settings: Settings) -> Check:
    from storage.db import open_database, redact_url
    from storage.migrate import schema_versions

    where = redact_url(settings.database_url)
    if settings.database_url.startswith("sqlite:///"):
        from pathlib import Path

        if not Path(settings.database_url.removeprefix("sqlite:///")).is_file():  # opening it would create it
            return Check("database", "warn", msg("doctor.db_no_file", database=where), msg("doctor.fix.upgrade"))

    async def versions() -> tuple[int | None, int]:
        async with open_database(settings.database_url) as db:
            try:
                return await schema_versions(db)
            except Exception:  # noqa: BLE001 - no schema_migrations table yet: a new database
                return None, -1

    got = await _within(versions(), "database", msg("doctor.fix.database"))
    if isinstance(got, Check):
        return got
    applied, known = got
    if applied is None:
        return Check("database", "warn", msg("doctor.db_empty", database=where), msg("doctor.fix.upgrade"))
    if applied < known:
        return Check("database", "warn", msg("doctor.db_behind", database=where, applied=str(applied),
                                             known=str(known)), msg("doctor.fix.upgrade"))
    if applied > known:
        return Check("database", "fail", msg("doctor.db_newer", database=where, applied=str(applied),
                                             known=str(known)), msg("doctor.fix.newer"))
    return Check("database", "ok", msg("doctor.db_ok", database=where, applied=str(applied)))


async def media_check(settings: Settings) -> Check:
    from storage.blobs import default_media_url, open_blob_store

    url = settings.media_url or default_media_url(settings.database_url)
    try:
        store = open_blob_store(url)
    except ValueError as exc:
        return Check("PANELIST_MEDIA_URL", "fail", msg("startup.detail", detail=str(exc)))
    got = await _within(store.check(), "PANELIST_MEDIA_URL", msg("doctor.fix.media"))
    return got if isinstance(got, Check) else Check("media", "ok", msg("doctor.media_ok", url=url))


async def telegram_checks(settings: Settings) -> list[Check]:
    from telegram import Bot

    bot = Bot(settings.telegram_token.get_secret_value(), base_url=settings.telegram_api_url,
              base_file_url=settings.telegram_file_url)
    try:
        me = await _within(bot.get_me(), "PANELIST_TELEGRAM_TOKEN", msg("doctor.fix.telegram_token"))
        if isinstance(me, Check):
            return [me]
        checks = [Check("telegram", "ok", msg("doctor.telegram_ok", username=f"@{me.username}"))]
        info = await _within(bot.get_webhook_info(), "telegram webhook")
        if isinstance(info, Check):
            return [*checks, info]
        wanted, actual = settings.telegram_webhook_url or "", info.url or ""
        if wanted and actual != wanted:
            checks.append(Check("PANELIST_TELEGRAM_WEBHOOK_URL", "warn", msg(
                "doctor.webhook_differs", actual=actual or "—", wanted=wanted), msg("doctor.fix.webhook_set")))
        elif not wanted and actual:
            checks.append(Check("PANELIST_TELEGRAM_WEBHOOK_URL", "warn", msg("doctor.webhook_unwanted", actual=actual),
                                msg("doctor.fix.webhook_polling")))
        if info.last_error_message:
            checks.append(Check("telegram webhook", "warn", msg("doctor.webhook_error",
                                                                detail=info.last_error_message[:200])))
        return checks
    finally:
        await bot.shutdown()


async def slack_checks(settings: Settings) -> list[Check]:
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url)
    checks: list[Check] = []
    try:
        auth = await _within(client.auth_test(), "PANELIST_SLACK_BOT_TOKEN", msg("doctor.fix.slack_token"))
        if isinstance(auth, Check):
            return [auth]
        checks.append(Check("slack", "ok", msg("doctor.slack_ok", team=str(auth.get("team", "")),
                                               user=str(auth.get("user", "")))))
        if settings.slack_app_token is not None:
            app_client = AsyncWebClient(token=settings.slack_app_token.get_secret_value(),
                                        base_url=settings.slack_api_url)
            opened = await _within(app_client.apps_connections_open(), "PANELIST_SLACK_APP_TOKEN",
                                   msg("doctor.fix.slack_app_token"))
            checks.append(opened if isinstance(opened, Check) else
                          Check("slack socket mode", "ok", msg("doctor.socket_ok")))
    finally:
        session = getattr(client, "session", None)
        if session is not None:
            await session.close()
    return checks


def port_check(settings: Settings) -> Check:
    with socket.socket() as probe:
        try:
            probe.bind((settings.http_host, settings.http_port))
        except OSError as exc:
            return Check("PANELIST_HTTP_PORT", "warn", cause_of(exc), msg("doctor.fix.port"))
    return Check("http", "ok", msg("doctor.port_ok", host=settings.http_host, port=str(settings.http_port)))


async def run_checks(settings: Settings) -> list[Check]:
    checks = settings_checks(settings)
    checks.append(await database_check(settings))
    checks.append(await media_check(settings))
    if settings.telegram_token is not None and settings.telegram_token.get_secret_value().strip():
        checks += await telegram_checks(settings)
    if settings.slack_bot_token is not None and settings.slack_bot_token.get_secret_value().strip():
        checks += await slack_checks(settings)
    checks.append(port_check(settings))
    return checks


def line(check: Check, say) -> str:
    text = f"{MARKS[check.status]} {check.name}: {say(check.said)}"
    return f"{text} — {say(check.fix)}" if check.fix is not None else text


__all__ = ["Check", "line", "run_checks"]
