"""Starting `panelist run` or failing fast: every fatal start-up problem is one line naming the setting and the
cause, and the process exits non-zero within seconds; a supervisor then sees it and can restart it.

`settings_problems` reads what is wrong or suspicious in the settings before anything starts. `step` runs one
start-up step (connect the database, listen, start an adapter) within a time limit and turns what it raises into
a `StartupProblem` for the setting that step depends on.
"""
from __future__ import annotations

import asyncio
import errno
import os
import socket
import sqlite3
from collections.abc import Awaitable, Mapping
from typing import TypeVar

from app.settings import Settings
from bot.i18n.text import Msg, msg

T = TypeVar("T")
STEP_SECONDS = 20.0  # a start-up step that has not answered by then will not


class StartupProblem(Exception):
    def __init__(self, setting: str, cause: Msg) -> None:
        super().__init__(setting)
        self.setting = setting
        self.cause = cause


def _set(value) -> bool:
    return value is not None


def _blank(secret) -> bool:
    return secret is not None and not secret.get_secret_value().strip()


def settings_problems(settings: Settings, environ: Mapping[str, str] | None = None
                      ) -> tuple[list[StartupProblem], list[StartupProblem]]:
    """(fatal, suspicious): settings that cannot work together, and settings that are probably a mistake."""
    environ = os.environ if environ is None else environ
    fatal: list[StartupProblem] = []
    warn: list[StartupProblem] = []
    for name, secret in (("PANELIST_TELEGRAM_TOKEN", settings.telegram_token),
                         ("PANELIST_SLACK_BOT_TOKEN", settings.slack_bot_token),
                         ("PANELIST_SLACK_SIGNING_SECRET", settings.slack_signing_secret),
                         ("PANELIST_SLACK_APP_TOKEN", settings.slack_app_token),
                         ("PANELIST_TELEGRAM_WEBHOOK_SECRET", settings.telegram_webhook_secret)):
        if _blank(secret):
            fatal.append(StartupProblem(name, msg("startup.empty")))
    if settings.telegram_webhook_url and not _set(settings.telegram_webhook_secret):
        fatal.append(StartupProblem("PANELIST_TELEGRAM_WEBHOOK_SECRET", msg("startup.webhook_needs_secret")))
    if settings.telegram_webhook_url and not settings.telegram_webhook_url.startswith("https://"):
        # Telegram refuses it (and setWebhook then stops the start); a local stand-in of the Bot API may not
        warn.append(StartupProblem("PANELIST_TELEGRAM_WEBHOOK_URL", msg("startup.webhook_https")))
    if _set(settings.slack_bot_token) and not (_set(settings.slack_signing_secret) or _set(settings.slack_app_token)):
        fatal.append(StartupProblem("PANELIST_SLACK_SIGNING_SECRET", msg("startup.slack_needs_secret")))
    if _set(settings.telegram_webhook_secret) and not settings.telegram_webhook_url:
        warn.append(StartupProblem("PANELIST_TELEGRAM_WEBHOOK_SECRET", msg("startup.secret_without_url")))
    for name, value in (("PANELIST_SLACK_SIGNING_SECRET", settings.slack_signing_secret),
                        ("PANELIST_SLACK_APP_TOKEN", settings.slack_app_token)):
        if _set(value) and not _set(settings.slack_bot_token):
            warn.append(StartupProblem(name, msg("startup.without_bot_token")))
    known = {f"PANELIST_{name.upper()}" for name in Settings.model_fields}
    for name in sorted(environ):
        if name.upper().startswith("PANELIST_") and name.upper() not in known | EXTRA_VARIABLES:
            warn.append(StartupProblem(name, msg("startup.unknown_variable")))
    return fatal, warn


# Variables read outside `Settings` (by the test suite and the media store), so not unknown.
EXTRA_VARIABLES = frozenset({"PANELIST_TEST_POSTGRES_URL", "PANELIST_MEDIA_S3_ENDPOINT", "PANELIST_MEDIA_S3_REGION"})


async def step(work: Awaitable[T], setting: str, timeout: float = STEP_SECONDS) -> T:
    """`work` within `timeout` seconds, or a `StartupProblem` for `setting` saying why not."""
    try:
        return await asyncio.wait_for(work, timeout)
    except StartupProblem:
        raise
    except asyncio.TimeoutError:
        raise StartupProblem(setting, msg("startup.timeout", int(timeout), seconds=str(int(timeout)))) from None
    except Exception as exc:  # noqa: BLE001 - every cause becomes one line; the traceback goes to DEBUG
        raise StartupProblem(setting, cause_of(exc)) from exc


def cause_of(exc: BaseException) -> Msg:
    """What went wrong, for an operator, in one line (never the exception's whole text: it may quote a secret)."""
    name = type(exc).__name__
    if isinstance(exc, socket.gaierror):
        return msg("startup.unknown_host")
    if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
        return msg("startup.port_in_use")
    if isinstance(exc, OSError) and exc.errno in (errno.EADDRNOTAVAIL,):
        return msg("startup.address_not_here")
    if isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM):
        return msg("startup.not_permitted")
    if isinstance(exc, ConnectionRefusedError) or (isinstance(exc, OSError) and "Connect call failed" in str(exc)):
        return msg("startup.refused")
    if isinstance(exc, sqlite3.OperationalError):
        return msg("startup.sqlite", detail=str(exc)[:200])
    if name == "InvalidCatalogNameError":
        return msg("startup.no_database")
    if name in ("InvalidAuthorizationSpecificationError", "InvalidPasswordError"):
        return msg("startup.role_refused", detail=str(exc)[:200])
    if name == "SchemaTooNew":
        return msg("startup.schema_too_new", detail=str(exc)[:200])
    if name == "InvalidToken":  # PTB's message quotes the token: never shown
        return msg("startup.token_rejected")
    if name == "SlackApiError":  # Slack answered with an error code (invalid_auth, not_allowed_token_type…)
        error = str(getattr(exc, "response", {}).get("error", ""))[:80]
        return msg("startup.token_rejected") if error in ("invalid_auth", "not_authed", "account_inactive",
                                                           "token_revoked") else msg("startup.refused_by", error=error)
    if name in ("BlobStoreUnavailable",):
        return msg("startup.detail", detail=str(exc)[:300])
    if name in ("NetworkError", "TimedOut", "ClientConnectorError", "ServerDisconnectedError"):
        return msg("startup.unreachable", detail=name)
    return msg("startup.failed", detail=name)
