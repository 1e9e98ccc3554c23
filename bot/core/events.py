"""Inbound events: what an adapter makes of a platform delivery. A discriminated union on `kind`.

Every text field a person can fill (names, message text, command args, file names and captions, form values)
passes through `bot.core.clean` when the event is built, on every platform: no NUL or other C0 control reaches
storage or handlers. Button payloads are left as they are: the codec verifies them.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field, field_validator

from bot.core.clean import clean_text, clean_value
from bot.blobs import BlobRef


def _clean(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


class Actor(BaseModel):
    platform: str  # console | telegram | slack
    workspace: str = ""  # Slack team id; empty elsewhere
    user_id: str
    # What the platform says about the person, offered (never imposed) as defaults: their name, language tag and
    # IANA time zone. Telegram knows a name and a language; Slack (users.info) all three; the console none.
    display_name: str | None = None
    locale_hint: str | None = None
    tz_hint: str | None = None
    # The handle others see and type: Telegram's @username (without the @), Slack's display name, the console's
    # name. Stored per identity so a manager may name the person by it.
    username: str | None = None

    _clean_names = field_validator("display_name", "locale_hint", "tz_hint", "username")(_clean)

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
    # The person this message points at, where the platform has such a gesture: on Telegram a reply to their
    # message, or a forward of it (the original sender). Who they are is the sender's claim, like any text: a
    # handler still looks them up and authorises what is done to them.
    refers_to: Actor | None = None

    _clean_text = field_validator("name", "args")(_clean)


class TextEvent(_Event):
    kind: Literal["text"] = "text"
    text: str
    refers_to: Actor | None = None  # as in CommandEvent: a forwarded message names its original sender

    _clean_text = field_validator("text")(_clean)


class ButtonPressed(_Event):
    kind: Literal["button"] = "button"
    payload: str
    message_id: str | None = None


class FormSubmitted(_Event):
    """A whole form sent at once (a Slack modal). Values are raw strings or lists of strings per field."""

    kind: Literal["form_submitted"] = "form_submitted"
    session_id: int
    values: dict[str, Any]

    _clean_values = field_validator("values")(clean_value)


class FormCancelled(_Event):
    """A whole form closed without submitting; `values` are what was typed so far (kept as the draft)."""

    kind: Literal["form_cancelled"] = "form_cancelled"
    session_id: int
    values: dict[str, Any] = Field(default_factory=dict)

    _clean_values = field_validator("values")(clean_value)


class FormChanged(_Event):
    """A choice changed in a form open whole (a Slack modal) that other fields depend on. `values` are what the
    form holds so far, raw as in `FormSubmitted`; the form is shown again with the fields that now apply."""

    kind: Literal["form_changed"] = "form_changed"
    session_id: int
    values: dict[str, Any]

    _clean_values = field_validator("values")(clean_value)


class FileUploaded(_Event):
    kind: Literal["file"] = "file"
    filename: str
    size: int
    mime: str | None = None
    blob: BlobRef | None = None  # the bytes, in the blob store; None when over the size limit
    caption: str = ""

    _clean_text = field_validator("filename", "mime", "caption")(_clean)


class HomeOpened(_Event):
    kind: Literal["home"] = "home"


Event = Annotated[
    Union[CommandEvent, TextEvent, ButtonPressed, FormSubmitted, FormCancelled, FormChanged, FileUploaded,
          HomeOpened],
    Field(discriminator="kind"),
]
