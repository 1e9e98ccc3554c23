"""The turn context handed to every handler: who is acting, in which locale and zone, inside which transaction.

`Context[U]` is generic in the unit of work: the core needs only `bot.core.store.CoreUnitOfWork` of it, the
application gives its own (handlers import their alias from `handlers.shared.context`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from bot.core.blocks import Reply
from bot.core.capabilities import Capabilities
from bot.core.operations import Notice, SendMessage, Target
from bot.core.store import CoreUnitOfWork, Identity, Person
from bot.i18n.text import Msg, TextLike

if TYPE_CHECKING:
    from bot.core.router import Route
    from bot.core.runtime import Runtime
    from bot.core.wizard import Forms

U = TypeVar("U", bound=CoreUnitOfWork)


@dataclass
class Context(Generic[U]):
    uow: U
    person: Person
    identity: Identity
    roles: set[str]
    locale: str
    tz: str
    now: datetime
    capabilities: Capabilities
    event: Any
    runtime: "Runtime[U]"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def person_id(self) -> int:
        return self.person.id

    def has_role(self, role: str) -> bool:
        from bot.core.router import Route, allowed

        return allowed(Route(handler=None, roles=frozenset({role})), self.roles)  # type: ignore[arg-type]

    def reply(self, *blocks: Any) -> SendMessage:
        return SendMessage(message=Reply(blocks=list(blocks)))

    def send_to(self, person_id: int, *blocks: Any) -> SendMessage:
        return SendMessage(to=Target.person(person_id), message=Reply(blocks=list(blocks)))

    def notice(self, text: TextLike) -> Notice:
        return Notice(text=text)

    async def audit(self, action: str, **detail: Any) -> None:
        await self.uow.audit.log(self.person.id, action, detail, self.now)

    # What a handler may read of the runtime, by name (handlers never reach through `ctx.runtime`) ---------------
    @property
    def forms(self) -> "Forms":
        """Open a declared form (`await ctx.forms.open(form_id, params=...)`) or cancel the open ones."""
        from bot.core.wizard import Forms

        return Forms(self.runtime.wizard, self)

    @property
    def commands(self) -> "dict[str, Route]":
        """Every command the root router answers, by name (for /help and command buttons)."""
        return self.runtime.router.commands

    @property
    def locales(self) -> list[str]:
        """The languages the catalogs speak."""
        return self.runtime.catalogs.locales()

    def render(self, message: Msg, locale: str | None = None) -> str:
        """A sentence as plain text in the person's language, or in `locale` (for text drawn into images, or
        words to recognise in each language)."""
        return self.runtime.catalogs.render(message, locale or self.locale, self.tz, self.capabilities.command)

    @property
    def pseudonym_key(self) -> bytes:
        """The key stable pseudonyms of people are made with (the same in every process)."""
        return self.runtime.codec_secret

    @property
    def settings(self) -> Any:
        """The application's settings, as the runtime was built with them."""
        return self.runtime.settings
