"""The turn context handed to every handler: who is acting, in which locale and zone, inside which transaction."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.core.blocks import Reply
from bot.core.capabilities import Capabilities
from bot.core.operations import Notice, SendMessage, Target
from bot.i18n.text import TextLike
from storage.models import Identity, Person
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from bot.core.runtime import Runtime


@dataclass
class Context:
    uow: UnitOfWork
    person: Person
    identity: Identity
    roles: set[str]
    locale: str
    tz: str
    now: datetime
    capabilities: Capabilities
    event: Any
    runtime: "Runtime"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def person_id(self) -> int:
        return self.person.id

    def has_role(self, role: str) -> bool:
        from bot.core.router import Route, allowed

        return allowed(Route(handler=None, roles=frozenset({role})), self.roles)  # type: ignore[arg-type]

    def reply(self, *blocks: Any, ref: str | None = None) -> SendMessage:
        return SendMessage(message=Reply(blocks=list(blocks)), ref=ref)

    def send_to(self, person_id: int, *blocks: Any, ref: str | None = None) -> SendMessage:
        return SendMessage(to=Target.person(person_id), message=Reply(blocks=list(blocks)), ref=ref)

    def notice(self, text: TextLike) -> Notice:
        return Notice(text=text)

    async def audit(self, action: str, **detail: Any) -> None:
        await self.uow.audit.log(self.person.id, action, detail, self.now)
