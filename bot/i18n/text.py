"""Text a person reads: either a catalog message (key + params) or literal text from a person or a model.

Handlers never write sentences; they name a catalog key. Literal text (`str`) is user, model or manager
content and is always escaped by the renderer. Localization turns every `Msg` into `str` for one recipient.
`UserText` marks what a person wrote (a name, an answer, a note) where someone else reads it: as a `Msg`
parameter or a span it is localized into a Unicode isolate (`bot.i18n.bidi`), so a right-to-left override in
it cannot reverse the bot's words after it.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Union

from pydantic import BaseModel, ConfigDict, Field

from bot.i18n.unchecked import built


class Money(BaseModel):
    """An amount in integer minor units plus an ISO currency, formatted per locale when shown."""

    minor: int
    currency: str


class When(BaseModel):
    """A moment shown in the recipient's time zone; `style` picks the Babel format."""

    at: datetime
    style: str = "medium"  # short | medium | long | date | time


class Day(BaseModel):
    on: date
    style: str = "medium"


class Duration(BaseModel):
    """A length of time shown as hours and minutes in the reader's language ("17 hr 30 min", never "1,050
    minutes"): the one way a duration reaches a person (`bot.i18n.formatting.format_duration`)."""

    minutes: int


COMMAND_FORM = "/{name}"  # how a command is written where the platform says nothing else (Telegram, the console)


class Command(BaseModel):
    """A reference to a chat command, written the way the recipient's platform runs it: `/next` on Telegram and
    the console, `/panelist next` on Slack (`Capabilities.command`). Catalogs write the same as `{cmd:next}`."""

    model_config = ConfigDict(frozen=True)

    name: str


def command_ref(name: str, form: str = COMMAND_FORM) -> str:
    """`name` written in `form` ("/{name}", "/panelist {name}"); the one place a command reference becomes text."""
    return form.replace("{name}", name)


class Msg(BaseModel):
    """A catalog message: `key` is the gettext msgid; `count` selects the CLDR plural form."""

    key: str
    params: dict[str, Any] = Field(default_factory=dict)
    count: int | None = None


class UserText(BaseModel):
    """Text a person wrote, shown to someone else: localized as `bidi.isolate(text)`, never as it is."""

    model_config = ConfigDict(frozen=True)

    text: str


def user_text(value: object) -> UserText:
    """Mark `value` as a person's text; None is "", a `UserText` stays as it is (never isolated twice)."""
    if isinstance(value, UserText):
        return value
    return UserText.model_construct(text="" if value is None else str(value))


def msg(key: str, count: int | None = None, **params: Any) -> Msg:
    # Built in code, many times a turn, from a literal key: nothing to validate, as `Msg.model_construct` did, at
    # half its cost (`built` reads no defaults).
    return built(Msg, {"key": key, "params": params, "count": count}, {"key", "params", "count"})


# `str` is literal (escaped) content; `Msg` is translated; `UserText` is isolated; `Command` is written per platform.
# Renderers only ever see `str`.
TextLike = Union[Msg, UserText, Command, str]
