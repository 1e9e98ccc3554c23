"""Settings from `PANELIST_*` environment variables and a `.env` file. Secrets are `SecretStr`."""
from __future__ import annotations

from typing import Literal

from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.i18n.text import Msg, msg
from domain.identity import IdentityKey, parse_admin_list
from domain.problems import Invalid, english, problem_messages


class SettingsError(Exception):
    """One clear line naming the variable that is wrong; `message` is that line as a catalog message."""

    def __init__(self, message: Msg) -> None:
        super().__init__(message.key)
        self.message = message

    def __str__(self) -> str:
        return english(self.message)


_MEDIA_URL_PROBLEMS = {
    "scheme": msg("settings.problem.media_url"),
    "bucket": msg("settings.problem.media_url_bucket"),
    "file_host": msg("settings.problem.media_url_file_host"),
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PANELIST_", env_file=".env", extra="ignore")

    database_url: str = Field(default_factory=lambda: f"sqlite:///{Path.cwd() / 'panelist.db'}")
    database_pool_size: int = Field(default=10, ge=1, le=200)
    admins: str = ""
    default_locale: str = "en"
    timezone: str = "UTC"
    secret_key: SecretStr | None = None  # signs inline button payloads; generated and stored in the database if unset

    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)

    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str = "https://api.telegram.org/file/bot"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"

    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    # Where media bytes live (storage/blobs, docs/media.md): a folder (path or file://) or s3://bucket/prefix. None
    # (or empty): a folder beside the SQLite file, or ./panelist-media. An S3 store's PANELIST_MEDIA_S3_ENDPOINT and
    # _REGION are read by the store itself (storage/blobs/s3.py S3Location, environment and .env alike), its
    # credentials the standard AWS way.
    media_url: str | None = None
    action_token_days: int = Field(default=14, ge=1)
    # A delivery the platform refused for now is tried again after ~retry, 2×, 4×… (jittered, at most 30 min)
    # until this many attempts have failed; then it is marked failed (`panelist outbox` lists and retries it).
    delivery_max_attempts: int = Field(default=8, ge=1, le=100)
    delivery_retry_seconds: float = Field(default=10.0, gt=0, le=3600)
    link_code_minutes: int = Field(default=10, ge=1)
    # What is kept (bot/core/retention.py): raw platform payloads this many days after they are done with; audit
    # entries this many days (the record of an erasure is kept regardless).
    retention_days: int = Field(default=30, ge=1, le=3650)
    audit_retention_days: int = Field(default=730, ge=30, le=36500)
    # /forget: hours between the confirmation and the erasure, in which the person may still cancel it.
    erasure_grace_hours: int = Field(default=24, ge=0, le=24 * 30)
    # Per-person inbound limit on plain messages (text, files): far above a human, see bot/core/flood.py.
    flood_burst: int = Field(default=30, ge=1)
    flood_per_minute: float = Field(default=60.0, gt=0)
    # INFO keeps what an operator reads (startup, takeovers, refusals, warnings); DEBUG adds the scheduler's
    # per-job lines and every HTTP request, which otherwise drown the rest.
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # json: one JSON object per line, with the turn's platform and delivery id (app/logs.py).
    log_format: Literal["text", "json"] = "text"
    # Serve Prometheus metrics at /metrics on the HTTP server (bot/core/metrics.py).
    metrics: bool = False

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, v: str) -> str:
        if not (v.startswith("sqlite:///") or v.startswith("postgresql://") or v.startswith("postgres://")):
            raise Invalid(msg("settings.problem.database_url"))
        return v

    @field_validator("media_url")
    @classmethod
    def _media_url(cls, v: str | None) -> str | None:
        from storage.blobs import media_url_problem

        if not v:
            return None
        # The problem, never the value: an s3:// URL someone wrote credentials into must not reach a log.
        problem = media_url_problem(v)
        if problem is not None:
            raise Invalid(_MEDIA_URL_PROBLEMS[problem])
        return v

    @field_validator("admins")
    @classmethod
    def _admins_parse(cls, v: str) -> str:
        parse_admin_list(v)  # a Slack member id may stand alone (single-workspace installs)
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        from domain.timezones import valid_timezone

        if not valid_timezone(v):
            raise Invalid(msg("settings.problem.timezone", value=repr(v)))
        return v

    @field_validator("default_locale")
    @classmethod
    def _locale(cls, v: str) -> str:
        from babel import Locale, UnknownLocaleError

        try:
            Locale.parse(v.replace("-", "_"))
        except (ValueError, UnknownLocaleError):
            raise Invalid(msg("settings.problem.locale", value=repr(v))) from None
        return v

    @property
    def admin_identities(self) -> list[IdentityKey]:
        return parse_admin_list(self.admins)


def load_settings(**overrides) -> Settings:
    """Build settings or raise `SettingsError` with one line naming the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        name = "PANELIST_" + str(err["loc"][0]).upper() if err.get("loc") else "PANELIST_*"
        raise SettingsError(msg("settings.problem.variable", name=name, problem=problem_messages(err)[0])) from None
