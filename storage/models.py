"""Rows as pydantic models: what the repositories hand out."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class Person(BaseModel):
    id: int
    display_name: str = ""
    locale: str | None = None
    timezone: str | None = None
    profile: dict[str, Any] = Field(default_factory=dict)
    onboarded_at: datetime | None = None
    created_at: datetime


class Identity(BaseModel):
    id: int
    person_id: int
    platform: str
    workspace: str = ""
    user_id: str
    chat_id: str | None = None
    locale_hint: str | None = None
    display_name: str | None = None
    username: str | None = None  # the handle the platform shows (Telegram @username, Slack display name)
    last_seen_at: datetime


class FormSession(BaseModel):
    id: int
    person_id: int
    form_id: str
    params: dict[str, Any] = Field(default_factory=dict)
    values: dict[str, Any] = Field(default_factory=dict)
    pending: dict[str, Any] = Field(default_factory=dict)  # the forms engine's notes, never answers
    step: int = 0
    stage: str = "ask"  # ask | confirm | pick_edit
    version: int = 1
    status: str = "open"  # open | completed | cancelled
    created_at: datetime
    updated_at: datetime


class InboxRow(BaseModel):
    id: int
    platform: str
    delivery_id: str
    actor_key: str
    payload: str
    received_at: datetime
    processed_at: datetime | None = None
    error: str | None = None
    accepted_by: str | None = None


class OutboxState(BaseModel):
    id: int
    parts_done: int = 0
    message_id: str | None = None
    attempts: int = 0


class OutboxTrouble(BaseModel):
    """A delivery that failed, or that is still unsent after a retry or a long while (`panelist outbox`)."""
    id: int
    platform: str
    person_id: int | None
    tag: str | None
    created_at: datetime
    attempts: int
    parts_done: int
    failed_at: datetime | None
    not_before: datetime
    error: str | None


class OutboxRow(BaseModel):
    id: int
    inbox_id: int | None
    person_id: int | None
    platform: str
    payload: str
    attempts: int = 0
