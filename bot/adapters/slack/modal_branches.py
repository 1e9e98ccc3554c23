"""Conditional fields in Slack modals: a modal shows, and requires, only the fields that apply.

A form's field may depend on another's answer (`FieldSpec.show_if`: the ping's "Project" only when the target is
a project). The wizard asks such a field only when it applies; a modal does the same this way:

* `shown_fields`: the modal renders the fields that apply to its values (the initial view: to the initial values),
  each required as declared — so no required input waits for an answer its branch will never ask.
* `dispatching`: the input of a field others depend on gets `dispatch_action: true` (a text or number input on
  every character typed: "answered" is the condition there, and Enter may submit the modal), so changing it sends
  a `block_actions` from inside the view.
* `from_view_action`: that `block_actions` becomes a core `FormChanged` (session id from `private_metadata`, the
  view's current state as raw values); the wizard answers with the form shown again (`OpenForm`), which this
  module turns into `views.update` (`update`) of that very view, instead of `views.open`.
* `update` redraws only when the fields shown changed (`shape`: the fields and their choices, not their values), and
  passes the view's `hash`: if the person changed the modal meanwhile, Slack refuses the stale update
  (`hash_conflict`) and the later change's own update follows. Typed values survive: input blocks keep their
  block and action ids, and the new view carries the current values as initial ones too.

On submission the wizard ignores fields that do not apply (`Wizard.on_submitted`); a modal submitted as drawn for
other answers (its redraw lost such a race) gets the form back, which the adapter answers as `response_action:
update`: the modal is redrawn in place, typed values kept, rather than erring on a field it does not show.
"""
from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.core.events import Actor, Conversation, FormChanged
from bot.core.forms import FieldKind, FieldSpec, FormSpec

log = logging.getLogger("panelist.slack")

PLATFORM = "slack"
UPDATE_VIEW = "update_view_id"  # reply-context keys of a FormChanged: the view to update, its hash and shape
VIEW_HASH = "view_hash"
VIEW_SHAPE = "view_shape"
TYPED = (FieldKind.short_text, FieldKind.long_text, FieldKind.duration, FieldKind.number)
GONE = frozenset({"hash_conflict", "not_found", "view_not_found"})  # a newer view is shown, or the modal closed


def controllers(spec: FormSpec) -> set[str]:
    """Ids of the fields other fields depend on."""
    return {field_id for f in spec.fields for field_id, _ in f.show_if}


def shown_fields(spec: FormSpec, values: dict[str, Any]) -> list[FieldSpec]:
    """The fields a modal shows for these values, in form order."""
    return [f for f in spec.fields if f.applies(values)]


def dispatching(block: dict, field: FieldSpec, spec: FormSpec) -> dict:
    """The input block of `field`, made to report changes when other fields depend on it."""
    if field.id not in controllers(spec):
        return block
    element = dict(block["element"])
    if field.kind in TYPED:
        element["dispatch_action_config"] = {"trigger_actions_on": ["on_character_entered"]}
    return {**block, "element": element, "dispatch_action": True}


def shape(blocks: list[dict]) -> str:
    """A fingerprint of a modal's fields that ignores what is filled in (and what Slack adds to a view it stores:
    block ids of other blocks, default flags): equal when the same fields are shown with the same choices."""
    def essential(b: dict) -> Any:
        if b.get("type") != "input":
            return [b.get("type"), (b.get("text") or {}).get("text") if isinstance(b.get("text"), dict) else None]
        el = b.get("element") or {}
        grouped = [o for g in el.get("option_groups") or [] for o in g.get("options") or []]
        options = list(el.get("options") or []) + grouped
        return [b.get("block_id"), (b.get("label") or {}).get("text"), bool(b.get("optional")), el.get("type"),
                [o.get("value") for o in options]]
    raw = json.dumps([essential(b) for b in blocks or [] if isinstance(b, dict)], default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def from_view_action(body: dict, locale_hint: str | None = None, name: str | None = None) -> FormChanged | None:
    """A change inside one of our modals (an input's `action_id` "value" in a view naming a form session)."""
    if (body.get("container") or {}).get("type") != "view":
        return None
    view = body.get("view") or {}
    actions = body.get("actions") or []
    if not view.get("id") or not actions or not isinstance(actions[0], dict) or actions[0].get("action_id") != "value":
        return None
    try:
        session_id = int(str(view.get("private_metadata") or "").strip())
    except ValueError:
        return None
    from bot.adapters.slack.render import parse_view_submission  # render imports this module

    user = body.get("user") or {}
    team = str((body.get("team") or {}).get("id") or user.get("team_id") or "")
    user_id = str(user.get("id") or "")
    if not user_id:
        return None
    action = actions[0]
    moment = action.get("action_ts") or body.get("trigger_id") or view.get("hash")
    return FormChanged(
        delivery_id=f"chg:{view['id']}:{action.get('block_id')}:{moment}",
        actor=Actor(platform=PLATFORM, workspace=team, user_id=user_id, locale_hint=locale_hint, display_name=name),
        conversation=Conversation(platform=PLATFORM, workspace=team, chat_id=user_id),
        session_id=session_id, values=parse_view_submission(view),
        reply_context={UPDATE_VIEW: view["id"], VIEW_HASH: view.get("hash"), VIEW_SHAPE: shape(view.get("blocks"))},
    )


async def update(client, reply_context: dict, view: dict) -> None:
    """`views.update` of the modal a change came from, when the fields it shows differ from the new ones."""
    if shape(view.get("blocks")) == reply_context.get(VIEW_SHAPE):
        return None
    try:
        await client.views_update(view_id=reply_context[UPDATE_VIEW], hash=reply_context.get(VIEW_HASH), view=view)
    except SlackApiError as exc:
        reason = str((exc.response or {}).get("error") or "")
        if reason not in GONE:
            raise
        log.info("slack: modal %s not updated (%s): a later change or a close came first",
                 reply_context[UPDATE_VIEW], reason)
    return None
