"""Who is acting: identity → person (created on first contact), roles, admins from settings, locale and zone."""
from __future__ import annotations

from datetime import datetime
from typing import Collection, Iterable, Sequence

from bot.core.events import _Event
from bot.core.store import CoreUnitOfWork, FormSession, Identity, Person


async def resolve_actor(uow: CoreUnitOfWork, event: _Event, now: datetime, admin_keys: set[tuple[str, str, str]]
                        ) -> tuple[Person, Identity, set[str]]:
    actor = event.actor
    chat_id = event.conversation.chat_id if event.conversation.is_private else None
    seen = (actor.platform, actor.workspace, actor.user_id, chat_id, actor.locale_hint, now, actor.display_name,
            actor.username)
    person: Person | None = None
    roles: set[str] | None = None
    forms: Sequence[FormSession] = ()
    # The identity is found and touched in one statement (its row then stays locked until commit).
    if uow.tx.serial:  # transactions run one at a time: the person read along with it is current
        found = await uow.identities.seen_for_turn(*seen)
        identity, person, roles, forms = found if found is not None else (None, None, None, ())
    else:
        identity = await uow.identities.seen(*seen)
    if identity is None:
        # Two first messages from one new identity in two processes must create one person: lock the identity key,
        # then look again (the other may have created it meanwhile).
        await uow.tx.lock(f"identity:{actor.key}")
        identity = await uow.identities.seen(*seen)
    if identity is None:
        created = await uow.people.create(actor.display_name or "", now)
        identity = await uow.identities.create(
            created.id, actor.platform, actor.workspace, actor.user_id, chat_id, actor.locale_hint,
            actor.display_name, now, username=actor.username,
        )
        assert identity is not None, "identity insert lost a race while holding its lock"
        await uow.audit.log(created.id, "person.created", {"identity": actor.key}, now)
    # Every later step of this turn is serialized per person, across processes (the person is read after this).
    await uow.tx.lock(f"person:{identity.person_id}")
    if await _configured_admin(uow, actor, admin_keys):
        if await uow.roles.grant(identity.person_id, "admin", None, now):
            await uow.audit.log(identity.person_id, "role.granted", {"role": "admin", "by": "configuration"}, now)
            roles = None
    if person is None or roles is None:
        person, roles, forms = await uow.people.for_turn(identity.person_id)
    assert person is not None
    await uow.forms.prime(person.id, list(forms))  # the wizard's first look at the open forms needs no query
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
