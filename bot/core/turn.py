"""Who is acting: identity → person (created on first contact), roles, admins from settings, locale and zone."""
from __future__ import annotations

from datetime import datetime

from bot.core.events import _Event
from bot.core.store import CoreUnitOfWork, Identity, Person


async def resolve_actor(uow: CoreUnitOfWork, event: _Event, now: datetime, admin_keys: set[tuple[str, str, str]]
                        ) -> tuple[Person, Identity, set[str]]:
    actor = event.actor
    # Two first messages from one new identity in two processes must create one person: lock the identity key.
    await uow.tx.lock(f"identity:{actor.key}")
    chat_id = event.conversation.chat_id if event.conversation.is_private else None
    identity = await uow.identities.find(actor.platform, actor.workspace, actor.user_id)
    if identity is None:
        person = await uow.people.create(actor.display_name or "", now)
        identity = await uow.identities.create(
            person.id, actor.platform, actor.workspace, actor.user_id, chat_id, actor.locale_hint,
            actor.display_name, now,
        )
        assert identity is not None, "identity insert lost a race while holding its lock"
        await uow.audit.log(person.id, "person.created", {"identity": actor.key}, now)
    else:
        await uow.identities.touch(identity.id, chat_id, actor.locale_hint, now)
    # Every later step of this turn is serialized per person, across processes.
    await uow.tx.lock(f"person:{identity.person_id}")
    person = await uow.people.get(identity.person_id)
    assert person is not None
    if (actor.platform, actor.workspace, actor.user_id) in admin_keys:
        if await uow.roles.grant(person.id, "admin", None, now):
            await uow.audit.log(person.id, "role.granted", {"role": "admin", "by": "configuration"}, now)
    roles = await uow.roles.of(person.id)
    return person, identity, roles
