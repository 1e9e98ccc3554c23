"""Who is acting: identity → person (created on first contact), roles, admins from settings, locale and zone."""
from __future__ import annotations

from datetime import datetime
from typing import Collection, Iterable

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
            actor.display_name, now, username=actor.username,
        )
        assert identity is not None, "identity insert lost a race while holding its lock"
        await uow.audit.log(person.id, "person.created", {"identity": actor.key}, now)
    else:
        await uow.identities.touch(identity.id, chat_id, actor.locale_hint, now, actor.display_name, actor.username)
    # Every later step of this turn is serialized per person, across processes.
    await uow.tx.lock(f"person:{identity.person_id}")
    person = await uow.people.get(identity.person_id)
    assert person is not None
    if await _configured_admin(uow, actor, admin_keys):
        if await uow.roles.grant(person.id, "admin", None, now):
            await uow.audit.log(person.id, "role.granted", {"role": "admin", "by": "configuration"}, now)
    roles = await uow.roles.of(person.id)
    return person, identity, roles


async def _configured_admin(uow: CoreUnitOfWork, actor, admin_keys: set[tuple[str, str, str]]) -> bool:
    if (actor.platform, actor.workspace, actor.user_id) in admin_keys:
        return True
    if not actor.workspace or (actor.platform, "", actor.user_id) not in admin_keys:
        return False
    # A Slack member id alone (PANELIST_ADMINS=U0456): storage is asked only for that member, other turns pay nothing.
    seen = await uow.identities.workspaces(actor.platform)
    return configured_admin(admin_keys, actor.platform, actor.workspace, actor.user_id, seen)


def configured_admin(keys: Iterable[tuple[str, str, str]], platform: str, workspace: str, user_id: str,
                     workspaces_seen: Collection[str] | None = None) -> bool:
    """Whether the identity (platform, workspace, user_id) is a first admin by configuration.

    A key written with its workspace matches exactly. A member id alone (workspace "") matches that member only
    while `workspaces_seen` (the platform's workspaces so far, this one included) is this workspace alone: the
    same id in a second workspace may be someone else. None means "don't know": a member id alone then counts,
    which is the cautious answer where being an admin refuses something (linking away an admin identity)."""
    keys = set(keys)
    if (platform, workspace, user_id) in keys:
        return True
    if not workspace or (platform, "", user_id) not in keys:
        return False
    return workspaces_seen is None or set(workspaces_seen) == {workspace}
