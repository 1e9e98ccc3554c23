"""Several people named in one answer (a ping's or broadcast's "named people"): commas or lines between them, or
spaces between mentions and @handles. Each is resolved by domain.people_names; one that names nobody or several
people is the problem, said with what to write instead."""
from __future__ import annotations

import re
from typing import Any

from bot.i18n.text import Msg, msg, user_text
from domain.people_names import Ambiguous, Exact, resolve
from handlers.shared.context import Context
from handlers.shared.people_names import candidates
from handlers.shared.person_labels import label_of
from storage.uow import UnitOfWork

MAX_NAMED = 500  # more than any ping names; a longer list is cut, not walked
MAX_SHOWN = 5  # candidates listed in the problem of an ambiguous name
_EXPLICIT = re.compile(r"<@[^<>\s]+>|@\S+|(?:console|telegram|slack):\S+|[UW][A-Z0-9]{2,63}")


def split_names(text: str) -> list[str]:
    """"@ana @bo, Carla Ruiz" → ["@ana", "@bo", "Carla Ruiz"]."""
    out: list[str] = []
    for part in re.split(r"[,;\n]+", text or ""):
        words = part.split()
        if not words:
            continue
        if len(words) > 1 and all(_EXPLICIT.fullmatch(w) for w in words):
            out += words
        else:
            out.append(" ".join(words))
        if len(out) >= MAX_NAMED:
            break
    return out[:MAX_NAMED]


async def named_people(uow: UnitOfWork, text: str, workspace: str = "") -> tuple[list[int], Msg | None]:
    """Person ids named in `text`, or the problem with the first name that decides nothing."""
    found = await candidates(uow)
    people: list[int] = []
    for typed in split_names(text):
        result = resolve(typed, found, workspace)
        if isinstance(result, Exact):
            people.append(result.project_id)  # the resolvers share their result shapes (domain.project_names)
            continue
        if isinstance(result, Ambiguous):
            keys: dict[int, str] = {}
            for c in found:
                keys.setdefault(c.person_id, str(c.key))
            shown = [f"{await label_of(uow, pid)} — {keys[pid]}" for pid in result.project_ids[:MAX_SHOWN]]
            return [], msg("people.ambiguous", count=len(result.project_ids), name=user_text(typed[:80]),
                           choices=user_text("; ".join(shown)))
        return [], msg("people.not_found", name=user_text(typed[:80]))
    if not people:
        return [], msg("form.error.required")
    return list(dict.fromkeys(people)), None


async def people_entered(ctx: Context, value: Any, values: dict, params: dict) -> Msg | None:
    """The field check of a "named people" answer (see bot.core.wizard.FieldCheck)."""
    if not value:
        return None
    workspace = ctx.identity.workspace if ctx.identity.platform == "slack" else ""
    _, problem = await named_people(ctx.uow, str(value), workspace)
    return problem
