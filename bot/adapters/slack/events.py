"""Slack payloads → core `Event`s. Pure functions: no network, no storage.

What becomes what:

* slash command `/panelist <command> [args]` → `CommandEvent(name, args)`; empty text → `help`.
* `message` in a direct message (`channel_type == "im"`, no `bot_id`, no subtype other than `file_share`):
  `/next …` → `CommandEvent`, anything else → `TextEvent`. A command word without the slash (`next`,
  `log 1h30m rubric`, `siguiente`) is the core's to recognise (bot/core/commands.py), as on every platform:
  only the core knows whether a form is waiting for that very text.
  A message carrying files is a file upload (see `file_refs`); the download is the adapter's job.
* `app_home_opened` (the Home tab) → `HomeOpened`.
* `block_actions` → `ButtonPressed` (payload = the action's `value`; `message_id` = `"{channel}:{ts}"` of the
  message the button is on, so an `EditMessage` without ref edits that very message).
* `block_actions` from an input of one of our modals (a choice other fields depend on) → `FormChanged`, read by
  `bot.adapters.slack.modal_branches`.
* `view_submission` → `FormSubmitted` (session id from `private_metadata`), `view_closed` → `FormCancelled`.

Delivery ids, so that Slack's retries dedupe in the inbox: `event_id` for Events API callbacks; a file upload
uses `file:{file_id}` whichever of `message`/`file_shared` brings it (Slack sends both for one upload); slash
commands, button presses and submissions use their `trigger_id` (new for every user action, repeated by a
retry); `view_closed` has no trigger id and uses the view id and hash.

Text in `message` events and slash commands arrives with `&`, `<`, `>` escaped by Slack; it is unescaped here
so handlers see what the person typed (the renderer escapes it again on the way out).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from bot.core.events import (
    Actor, ButtonPressed, CommandEvent, Conversation, FormCancelled, FormSubmitted, HomeOpened, TextEvent,
)
from bot.adapters.slack import SLASH_COMMAND  # noqa: F401  (re-exported: the adapter reads parse.SLASH_COMMAND)
from bot.adapters.slack.render import parse_view_submission

PLATFORM = "slack"


def unescape(text: str) -> str:
    """Undo Slack's three escapes (`&amp;` last, so `&amp;lt;` stays `&lt;`)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def split_command(text: str) -> tuple[str, str]:
    """`"log 1h30m fixed rubric"` → `("log", "1h30m fixed rubric")`; a leading `/` is dropped; empty → help."""
    stripped = text.strip()
    if stripped.startswith("/"):
        stripped = stripped[1:]
    name, _, args = stripped.partition(" ")
    name = name.strip().lower()
    return (name or "help"), args.strip()


def dm_chat_id(channel_id: str | None, user_id: str) -> tuple[str, bool]:
    """Where to answer: the DM channel when the request came from one, else the person (their DM is opened)."""
    if channel_id and channel_id.startswith("D"):
        return channel_id, True
    return user_id, True


def _actor(team_id: str, user_id: str, locale_hint: str | None = None, name: str | None = None) -> Actor:
    return Actor(platform=PLATFORM, workspace=team_id, user_id=user_id, locale_hint=locale_hint, display_name=name)


def _conversation(team_id: str, chat_id: str, private: bool = True) -> Conversation:
    return Conversation(platform=PLATFORM, workspace=team_id, chat_id=chat_id, is_private=private)


def _body_hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Who:
    """Who sent a payload, before any network lookups (locale)."""

    team_id: str
    user_id: str


def who(body: dict) -> Who | None:
    """Team and user of any inbound body (command, event callback, interaction), or None."""
    if not isinstance(body, dict):
        return None
    if body.get("command"):
        return Who(str(body.get("team_id") or ""), str(body.get("user_id") or ""))
    if body.get("type") == "event_callback":
        ev = body.get("event") or {}
        user = ev.get("user") or ev.get("user_id")
        if isinstance(user, dict):
            user = user.get("id")
        return Who(str(body.get("team_id") or ""), str(user or "")) if user else None
    if body.get("type") in ("block_actions", "view_submission", "view_closed"):
        user = body.get("user") or {}
        team = (body.get("team") or {}).get("id") or user.get("team_id") or ""
        return Who(str(team), str(user.get("id") or ""))
    return None


def from_command(body: dict, locale_hint: str | None = None, name: str | None = None) -> CommandEvent:
    team, user = str(body.get("team_id") or ""), str(body.get("user_id") or "")
    cmd, args = split_command(unescape(str(body.get("text") or "")))
    chat_id, private = dm_chat_id(body.get("channel_id"), user)
    trigger = body.get("trigger_id")
    return CommandEvent(
        delivery_id=f"cmd:{trigger}" if trigger else f"cmd:{_body_hash(body)}",
        actor=_actor(team, user, locale_hint, name), conversation=_conversation(team, chat_id, private),
        name=cmd, args=args,
        reply_context={k: v for k, v in {"trigger_id": trigger, "channel_id": body.get("channel_id"),
                                         "response_url": body.get("response_url")}.items() if v},
    )


def is_dm_message(ev: dict) -> bool:
    """A person's message in a direct message with the bot (not a bot, not an edit/deletion/join)."""
    if ev.get("type") != "message" or ev.get("channel_type") != "im":
        return False
    if ev.get("bot_id") or ev.get("bot_profile"):
        return False
    subtype = ev.get("subtype")
    return subtype in (None, "file_share") and bool(ev.get("user"))


def file_refs(ev: dict) -> list[dict]:
    """Files attached to a DM message (`files`), each as Slack describes it (id, name, size, url_private…)."""
    return [f for f in ev.get("files") or [] if isinstance(f, dict) and f.get("id")]


def from_message(body: dict, locale_hint: str | None = None, name: str | None = None) -> CommandEvent | TextEvent | None:
    ev = body.get("event") or {}
    if not is_dm_message(ev) or file_refs(ev):
        return None
    team, user = str(body.get("team_id") or ""), str(ev["user"])
    typed = unescape(str(ev.get("text") or ""))
    channel = str(ev.get("channel") or "")
    base = dict(
        delivery_id=str(body.get("event_id") or f"msg:{channel}:{ev.get('ts')}"),
        actor=_actor(team, user, locale_hint, name), conversation=_conversation(team, channel or user),
        reply_context={"channel_id": channel, "message_ts": ev.get("ts")},
    )
    stripped = typed.strip()
    if stripped.startswith("/") and len(stripped) > 1 and not stripped.startswith("//"):
        cmd, args = split_command(stripped)
        return CommandEvent(name=cmd, args=args, **base)
    if not stripped:
        return None
    return TextEvent(text=typed, **base)


def from_home_opened(body: dict, locale_hint: str | None = None, name: str | None = None) -> HomeOpened | None:
    ev = body.get("event") or {}
    if ev.get("type") != "app_home_opened" or ev.get("tab", "home") != "home" or not ev.get("user"):
        return None
    team, user = str(body.get("team_id") or ""), str(ev["user"])
    return HomeOpened(
        delivery_id=str(body.get("event_id") or f"home:{user}:{ev.get('event_ts')}"),
        actor=_actor(team, user, locale_hint, name), conversation=_conversation(team, str(ev.get("channel") or user)),
        reply_context={"channel_id": ev.get("channel")} if ev.get("channel") else {},
    )


def from_block_actions(body: dict, locale_hint: str | None = None, name: str | None = None) -> ButtonPressed | None:
    actions = body.get("actions") or []
    if not actions:
        return None
    action = actions[0]
    if not isinstance(action, dict) or not isinstance(action.get("action_id"), str):
        return None  # not an action Slack sends (Bolt refuses the request)
    value = action.get("value")
    if not isinstance(value, str):  # a select in a modal, a url button: nothing for the core to do
        return None
    w = who(body)
    assert w is not None
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    message_ts = (body.get("message") or {}).get("ts") or container.get("message_ts")
    chat_id, private = dm_chat_id(channel, w.user_id)
    trigger = body.get("trigger_id")
    context = {"trigger_id": trigger, "channel_id": channel, "message_ts": message_ts,
               "response_url": body.get("response_url")}
    return ButtonPressed(
        delivery_id=f"act:{trigger}" if trigger else f"act:{_body_hash(body)}",
        actor=_actor(w.team_id, w.user_id, locale_hint, name), conversation=_conversation(w.team_id, chat_id, private),
        payload=str(value),
        message_id=f"{channel}:{message_ts}" if channel and message_ts else None,
        reply_context={k: v for k, v in context.items() if v},
    )


def session_of(view: dict) -> int | None:
    try:
        return int(str((view or {}).get("private_metadata") or "").strip())
    except ValueError:
        return None


def _shown(view: dict) -> dict[str, None]:
    """Every input the submitted modal showed, empty unless its state says otherwise: what is absent was not shown
    (the form may draw the modal again with it, see `bot.adapters.slack.modal_branches`)."""
    return {b["block_id"]: None for b in view.get("blocks") or []
            if isinstance(b, dict) and b.get("type") == "input" and isinstance(b.get("block_id"), str)}


def from_view_submission(body: dict, locale_hint: str | None = None, name: str | None = None) -> FormSubmitted | None:
    view = body.get("view") or {}
    session_id = session_of(view)
    w = who(body)
    if session_id is None or w is None:
        return None
    trigger = body.get("trigger_id")
    delivery_id = f"view:{trigger}" if trigger else f"view:{view.get('id')}:{view.get('hash') or _body_hash(body)}"
    # No trigger id in the reply context: what follows a submission is said in the DM, not in another modal.
    return FormSubmitted(
        delivery_id=delivery_id,
        actor=_actor(w.team_id, w.user_id, locale_hint, name), conversation=_conversation(w.team_id, w.user_id),
        session_id=session_id, values={**_shown(view), **parse_view_submission(view)},
        reply_context={"view_ack": delivery_id, "view_id": view.get("id")},
    )


def from_view_closed(body: dict, locale_hint: str | None = None, name: str | None = None) -> FormCancelled | None:
    view = body.get("view") or {}
    session_id = session_of(view)
    w = who(body)
    if session_id is None or w is None:
        return None
    return FormCancelled(
        delivery_id=f"closed:{view.get('id')}:{view.get('hash') or _body_hash(body)}",
        actor=_actor(w.team_id, w.user_id, locale_hint, name), conversation=_conversation(w.team_id, w.user_id),
        session_id=session_id, values=parse_view_submission(view) if view.get("state") else {},
    )
