"""Operations → deliveries: resolve who receives, localize for them, encode buttons for their platform.

Runs inside the turn's transaction, so action tokens and outbox rows commit with the effects that made them.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import base64

from bot.core.blocks import Button, Buttons, File, Image, LongText, Media, Reply
from bot.blobs import BlobStore
from bot.core.operations import (
    CloseForm, Delivery, EditMessage, FormErrors, Notice, OpenForm, Operation, PublishHome, SendMessage, Target,
)
from bot.i18n.localize import localize
from bot.i18n.unchecked import replaced
from bot.i18n.negotiate import negotiate_locale
from bot.core.store import CoreUnitOfWork

if TYPE_CHECKING:
    from bot.core.context import Context
    from bot.core.runtime import Runtime


class Recipient:
    def __init__(self, person_id: int | None, platform: str, workspace: str, chat_id: str, user_id: str,
                 locale: str, tz: str, reply_context: dict) -> None:
        self.person_id = person_id
        self.platform = platform
        self.workspace = workspace
        self.chat_id = chat_id
        self.user_id = user_id
        self.locale = locale
        self.tz = tz
        self.reply_context = reply_context


async def recipient_for_person(runtime: "Runtime", uow: CoreUnitOfWork, person_id: int,
                               identity_id: int | None = None) -> Recipient | None:
    person = await uow.people.get(person_id)
    identities = await uow.identities.for_person(person_id)
    if identity_id is not None:  # one named identity of the person, or nobody if it is not theirs
        identities = [i for i in identities if i.id == identity_id]
    if person is None or not identities:
        return None
    ident = identities[0]  # the platform they used last
    locale = negotiate_locale(person.locale, ident.locale_hint, runtime.catalogs.locales(), runtime.settings.default_locale)
    return Recipient(person_id, ident.platform, ident.workspace, ident.chat_id or ident.user_id, ident.user_id,
                     locale, person.timezone or runtime.settings.timezone, {})


def recipient_for_actor(ctx: "Context") -> Recipient:
    ev = ctx.event
    return Recipient(ctx.person.id, ev.conversation.platform, ev.conversation.workspace, ev.conversation.chat_id,
                     ev.actor.user_id, ctx.locale, ctx.tz, dict(ev.reply_context))


async def _encode_buttons(runtime: "Runtime", uow: CoreUnitOfWork, reply: Reply, who: Recipient,
                          now: datetime) -> Reply:
    # A copy, not a new Reply: what else the reply says (`expects_text`: a typed number is an answer) stays.
    return replaced(reply, {"blocks": await _encode_blocks(runtime, uow, list(reply.blocks), who, now)})


async def _encode_blocks(runtime: "Runtime", uow: CoreUnitOfWork, blocks: list, who: Recipient,
                         now: datetime) -> list:
    limit = runtime.capabilities_for(who.platform).payload_bytes

    async def encoded(b: Button) -> Button:
        if b.action is None:
            return b
        payload = await runtime.codec.encode(b.action, who.person_id, limit, uow.tokens, now)
        return replaced(b, {"payload": payload, "action": None})

    # Copies (`replaced`, not a new model validated again) of what holds a button; the rest is shared as it is.
    out = []
    for block in blocks:
        if isinstance(block, Buttons):
            block = replaced(block, {"rows": [[await encoded(b) for b in row] for row in block.rows]})
        elif isinstance(block, LongText) and block.more is not None:
            block = replaced(block, {"more": await encoded(block.more)})
        out.append(block)
    return out


async def _encode_form(runtime: "Runtime", uow: CoreUnitOfWork, op: OpenForm, who: Recipient,
                       now: datetime) -> OpenForm:
    """A modal's context may carry buttons (a text's "show it whole"): encoded like a message's."""
    spec = op.form.spec
    if not spec.context:
        return op
    context = await _encode_blocks(runtime, uow, list(spec.context), who, now)
    return replaced(op, {"form": replaced(op.form, {"spec": replaced(spec, {"context": context})})})


async def stage(runtime: "Runtime", ctx: "Context | None", uow: CoreUnitOfWork, ops: list[Operation],
                now: datetime, actor: Recipient | None = None) -> list[Delivery]:
    deliveries: list[Delivery] = []
    actor = actor or (recipient_for_actor(ctx) if ctx else None)
    for op in ops:
        target: Target | None = getattr(op, "to", None)
        if target is not None and target.person_id is not None and (
                actor is None or target.person_id != actor.person_id or target.identity_id is not None):
            who = await recipient_for_person(runtime, uow, target.person_id, target.identity_id)
            if who is None:
                await uow.audit.log(target.person_id, "delivery.unreachable", {"op": op.kind}, now)
                continue
        elif target is not None and target.conversation is not None:
            conv = target.conversation
            who = Recipient(None, conv.platform, conv.workspace, conv.chat_id, "", actor.locale if actor else
                            runtime.settings.default_locale, actor.tz if actor else runtime.settings.timezone, {})
        else:
            if actor is None:
                continue
            who = actor
        if isinstance(op, (SendMessage, EditMessage, PublishHome)):
            op = replaced(op, {"message": await _encode_buttons(runtime, uow, op.message, who, now)})
        elif isinstance(op, OpenForm):
            op = await _encode_form(runtime, uow, op, who, now)
        localized = localize(op, who.locale, who.tz, runtime.catalogs, runtime.command_form(who.platform))
        if isinstance(localized, (SendMessage, EditMessage, PublishHome)):
            localized = replaced(localized, {"message": await store_media(runtime.blobs, localized.message)})
        edit_id = None
        if isinstance(op, EditMessage):
            if op.ref:
                edit_id = await uow.sent.find(op.ref, who.platform, who.chat_id)
            elif who is actor and ctx is not None:
                edit_id = getattr(ctx.event, "message_id", None)
        deliveries.append(Delivery(
            op=localized, platform=who.platform, workspace=who.workspace, chat_id=who.chat_id, user_id=who.user_id,
            locale=who.locale, reply_context=who.reply_context if who is actor else {}, edit_message_id=edit_id,
            person_id=who.person_id,
        ))
    return deliveries


async def store_media(blobs: BlobStore | None, reply: Reply) -> Reply:
    """Replace the bytes a handler made (`Image`, `File`) by `Media` blocks naming them in the blob store, so the
    outbox row holds a reference. Putting is idempotent: a turn that rolls back leaves at most an unreferenced
    blob, never a row pointing at nothing."""
    if not any(isinstance(b, (Image, File)) for b in reply.blocks):
        return reply
    if blobs is None:
        raise RuntimeError("a reply carries a file but the runtime has no blob store (Runtime(blobs=...))")
    blocks = []
    for block in reply.blocks:
        if isinstance(block, Image):
            # what kind of image it is, the store reads from its bytes (bot.blobs.content_mime)
            ref = await blobs.put(base64.b64decode(block.data_b64), "application/octet-stream", block.filename)
            block = Media(media="image", blob=ref, caption=block.alt)
        elif isinstance(block, File):
            ref = await blobs.put(base64.b64decode(block.data_b64), block.mime, block.filename)
            block = Media(media="document", blob=ref, caption=block.caption)
        blocks.append(block)
    return replaced(reply, {"blocks": blocks})


__all__ = ["stage", "store_media", "Recipient", "recipient_for_person", "Notice", "OpenForm", "FormErrors", "CloseForm"]
