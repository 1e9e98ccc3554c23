"""What handlers return: operations, not platform calls.

`Target` names who receives a message: the conversation the event came from (default), another
conversation, or a person (resolved to their most recently used platform identity at commit time).
"""
from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, Field

from bot.core.blocks import Reply
from bot.core.events import Conversation
from bot.core.forms import RenderedForm
from bot.i18n.text import TextLike


class Target(BaseModel):
    conversation: Conversation | None = None
    person_id: int | None = None
    identity_id: int | None = None  # with person_id: that one identity of the person, not the one used last

    @classmethod
    def person(cls, person_id: int) -> "Target":
        return cls(person_id=person_id)

    @classmethod
    def identity(cls, person_id: int, identity_id: int) -> "Target":
        return cls(person_id=person_id, identity_id=identity_id)


class SendMessage(BaseModel):
    kind: Literal["send"] = "send"
    to: Target | None = None  # None: this conversation
    message: Reply
    ref: str | None = None  # logical name ("ping:12:summary") so a later EditMessage can find it
    tag: str | None = None  # groups deliveries (a broadcast, a ping) so their outcome can be counted
    bulk: bool = False  # sent by the paced background sweep, not inside the turn that made it


class EditMessage(BaseModel):
    """Replace a message sent earlier under `ref` (or the pressed message when ref is None); sends fresh if it is gone."""

    kind: Literal["edit"] = "edit"
    to: Target | None = None
    ref: str | None = None
    message: Reply


class Notice(BaseModel):
    """A short note to the actor: a Telegram callback answer, a Slack ephemeral, a console line."""

    kind: Literal["notice"] = "notice"
    text: TextLike


class OpenForm(BaseModel):
    """Open a whole form at once (Slack modal). Wizard platforms get step messages instead."""

    kind: Literal["open_form"] = "open_form"
    session_id: int
    title: TextLike
    form: RenderedForm


class FormErrors(BaseModel):
    """Per-field validation errors for a form submitted whole (Slack `response_action: errors`)."""

    kind: Literal["form_errors"] = "form_errors"
    errors: dict[str, TextLike]


class CloseForm(BaseModel):
    kind: Literal["close_form"] = "close_form"


class PublishHome(BaseModel):
    """The person's home tab (Slack App Home). `to` names the identity whose tab to publish when no event of
    theirs caused it (a refresh from a tick); None: the actor's own."""

    kind: Literal["home"] = "home"
    to: Target | None = None
    message: Reply


class MenuCommand(BaseModel):
    name: str  # without the slash
    description: TextLike


class CommandMenu(BaseModel):
    """This conversation's command menu, in the recipient's language (Telegram: setMyCommands scoped to the chat).
    Platforms without a per-chat menu show nothing for it."""

    kind: Literal["command_menu"] = "command_menu"
    commands: list[MenuCommand]


Operation = Annotated[
    Union[SendMessage, EditMessage, Notice, OpenForm, FormErrors, CloseForm, PublishHome, CommandMenu],
    Field(discriminator="kind"),
]


class Delivery(BaseModel):
    """One operation made concrete for one platform conversation, localized and with payloads encoded.

    This is what the outbox stores and what an adapter renders. Every text in `message` is a `str`.
    """

    op: Operation
    platform: str
    workspace: str = ""
    chat_id: str = ""
    user_id: str = ""
    locale: str = "en"
    reply_context: dict = Field(default_factory=dict)
    edit_message_id: str | None = None  # platform message id to edit, when known
    person_id: int | None = None  # the recipient, when a person
