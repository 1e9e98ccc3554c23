"""Inbound events: what an adapter makes of a platform delivery. A discriminated union on `kind`."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field


class Actor(BaseModel):
    platform: str  # console | telegram | slack
    workspace: str = ""  # Slack team id; empty elsewhere
    user_id: str
    display_name: str | None = None
    locale_hint: str | None = None

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.workspace}/{self.user_id}" if self.workspace else f"{self.platform}:{self.user_id}"


class Conversation(BaseModel):
    platform: str
    workspace: str = ""
    chat_id: str
    is_private: bool = True


class _Event(BaseModel):
    delivery_id: str
    actor: Actor
    conversation: Conversation
    received_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    # Platform context needed to answer this very event (callback query id, trigger id, response url).
    reply_context: dict[str, Any] = Field(default_factory=dict)


class CommandEvent(_Event):
    kind: Literal["command"] = "command"
    name: str
    args: str = ""


class TextEvent(_Event):
    kind: Literal["text"] = "text"
    text: str


class ButtonPressed(_Event):
    kind: Literal["button"] = "button"
    payload: str
    message_id: str | None = None


class FormSubmitted(_Event):
    """A whole form sent at once (a Slack modal). Values are raw strings or lists of strings per field."""

    kind: Literal["form_submitted"] = "form_submitted"
    session_id: int
    values: dict[str, Any]


class FormCancelled(_Event):
    """A whole form closed without submitting; `values` are what was typed so far (kept as the draft)."""

    kind: Literal["form_cancelled"] = "form_cancelled"
    session_id: int
    values: dict[str, Any] = Field(default_factory=dict)


class FileUploaded(_Event):
    kind: Literal["file"] = "file"
    filename: str
    size: int
    mime: str | None = None
    data_b64: str | None = None  # None when over the size limit
    caption: str = ""


class HomeOpened(_Event):
    kind: Literal["home"] = "home"


Event = Annotated[
    Union[CommandEvent, TextEvent, ButtonPressed, FormSubmitted, FormCancelled, FileUploaded, HomeOpened],
    Field(discriminator="kind"),
]
