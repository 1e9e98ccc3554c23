"""A person named by a manager in chat: the candidates from storage, resolved by domain.people_names, and the reply
when the words decide nothing (nobody, with what to try instead; or several, one button each that runs the same
command again with that person's precise identity — authorised again, as if typed)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from pydantic import Field

from bot.core.actions import MAX_TEXT, ActionData
from bot.core.blocks import Buttons, button, text
from bot.i18n.bidi import close_isolates
from bot.i18n.text import msg, user_text
from domain.identity import IdentityKey
from domain.people_names import (
    Ambiguous, Candidate, Exact, exact_names, malformed_identity, resolve, split_leading, split_trailing,
)
from handlers.shared.context import Context
from handlers.shared.person_labels import label_of
from handlers.shared.replies import say
from storage.uow import UnitOfWork

MAX_CHOICES = 15


class PickPerson(ActionData, name="person.pick"):
    """Several people matched a name in a command: run `command` again with `args` (the chosen person's precise
    identity in place of the name). Answered in handlers.people; the command checks roles and the person again."""

    command: str = Field(alias="c", max_length=32)
    args: str = Field(alias="a", max_length=MAX_TEXT)
    # The delivery of the command that asked: the re-run keeps it, so what a command makes once per delivery (a
    # /bonus ledger line) is made once however often its buttons are pressed.
    origin: str = Field(alias="o", max_length=MAX_TEXT)


@dataclass(frozen=True)
class Named:
    person_id: int
    label: str  # "Ana Pérez (@ana)", for the manager's confirmation


async def candidates(uow: UnitOfWork) -> list[Candidate]:
    rows = await uow.identities.directory()
    return [Candidate(person_id=r["person_id"], key=IdentityKey(r["platform"], r["workspace"], r["user_id"]),
                      names=tuple(n for n in (r["person_name"], r["display_name"]) if n),
                      handle=r["username"] or None) for r in rows]


def _workspace(ctx: Context) -> str:
    return ctx.identity.workspace if ctx.identity.platform == "slack" else ""


def referred(event) -> str:
    """The precise form of the person a message points at (a Telegram reply or forward), or ""."""
    who = getattr(event, "refers_to", None)
    return str(IdentityKey(who.platform, who.workspace, who.user_id)) if who is not None else ""


async def leading(ctx: Context, event) -> tuple[str, str]:
    """(person, rest) of a command whose arguments start with a person; a reply or forward names them instead."""
    args = getattr(event, "args", "") or ""
    if referred(event):
        return referred(event), args.strip()
    return split_leading(args, exact_names(await candidates(ctx.uow)))


async def trailing(ctx: Context, event) -> tuple[str, str]:
    """(rest, person) of a command whose arguments end with a person; a reply or forward names them instead."""
    args = getattr(event, "args", "") or ""
    if referred(event):
        return args.strip(), referred(event)
    return split_trailing(args, exact_names(await candidates(ctx.uow)))


async def find_person(ctx: Context, typed: str, again: Callable[[str], str] | None = None) -> Named | list:
    """The one person `typed` names, or the reply to send instead. `again(precise)` gives the command's arguments
    with that person written precisely, for the buttons offered when several match (None: no buttons)."""
    if malformed_identity(typed):
        return [say("grant.bad_identity", identity=user_text(typed.strip()[:80]))]
    found = await candidates(ctx.uow)
    result = resolve(typed, found, _workspace(ctx))
    if isinstance(result, Exact):  # the resolvers share their result shapes (domain.project_names): an id is an id
        return Named(result.project_id, await label_of(ctx.uow, result.project_id))
    shown_as = typed.strip()[:80]
    if isinstance(result, Ambiguous):
        return [await _choices(ctx, found, result.project_ids, shown_as, again)]
    return [say("people.not_found", name=user_text(shown_as))]


async def _choices(ctx: Context, found: list[Candidate], people: tuple[int, ...], shown_as: str,
                   again: Callable[[str], str] | None):
    first_key = {}
    for c in found:
        first_key.setdefault(c.person_id, c.key)
    blocks: list = [text(msg("people.choose", count=len(people), name=user_text(shown_as)))]
    rows = []
    command = getattr(ctx.event, "name", None)
    for person_id in people[:MAX_CHOICES]:
        label = await label_of(ctx.uow, person_id)
        key = str(first_key[person_id])
        blocks.append(text("• ", user_text(label), f" — {key}"))
        args = again(key) if again is not None and command else None
        if args is not None and len(args) <= MAX_TEXT:
            rows.append([button(close_isolates(label[:60]), PickPerson(command=command, args=args,
                                                       origin=str(ctx.event.delivery_id)[:MAX_TEXT]))])
    if rows:
        blocks.append(Buttons(rows=rows))
    else:
        blocks.append(text(msg("people.choose_typed")))
    return ctx.reply(*blocks)
