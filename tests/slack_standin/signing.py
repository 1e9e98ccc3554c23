"""Requests built exactly as Slack builds and signs them, for driving a Bolt app in tests.

Bodies are `str` (send them as UTF-8); sign the very same string with `signed_headers`.
Signature: `v0=` + hex HMAC-SHA256 over `v0:{timestamp}:{body}` keyed with the app's signing secret.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

TEAM_ID = "T0TEAM001"
BOT_USER_ID = "U0BOT0001"
BOT_ID = "B0BOT0001"
APP_ID = "A0APP0001"
VERIFICATION_TOKEN = "legacy-verification-token"


def signature(secret: str, body: str | bytes, timestamp: int | str) -> str:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    base = b"v0:" + str(timestamp).encode() + b":" + raw
    return "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str,
    body: str | bytes,
    timestamp: int | None = None,
    retry_num: int | None = None,
    retry_reason: str = "http_timeout",
    content_type: str | None = None,
) -> dict[str, str]:
    """Headers Slack sends with `body`: signature, timestamp (now unless given), content type, retry headers."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if content_type is None:
        content_type = "application/json" if raw.lstrip()[:1] == b"{" else "application/x-www-form-urlencoded"
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": signature(secret, raw, ts),
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = retry_reason
    return headers


def new_trigger_id() -> str:
    """A trigger id of Slack's shape that no stand-in has issued (views.open refuses it)."""
    return f"{secrets.randbelow(10**10)}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"


def slash_command_body(
    team_id: str,
    user_id: str,
    text: str,
    command: str = "/panelist",
    trigger_id: str | None = None,
    channel_id: str | None = None,
    response_url: str = "https://hooks.slack.invalid/commands/T0/1/x",
    user_name: str | None = None,
    api_app_id: str = APP_ID,
) -> str:
    """A slash command as Slack posts it: form-encoded."""
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": "standin",
        "channel_id": channel_id or "D" + user_id.lstrip("UW")[:10].rjust(8, "0"),
        "channel_name": "directmessage",
        "user_id": user_id,
        "user_name": user_name or user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger_id(),
    }
    return urlencode(fields)


def event_body(
    team_id: str,
    user_id: str,
    event_dict: dict[str, Any],
    event_id: str,
    event_time: int | None = None,
    bot_user_id: str = BOT_USER_ID,
    api_app_id: str = APP_ID,
) -> str:
    """An Events API `event_callback` envelope (JSON). `user_id` is the acting user; it fills `event.user` if absent."""
    event = dict(event_dict)
    event.setdefault("user", user_id)
    now = int(time.time()) if event_time is None else event_time
    event.setdefault("event_ts", f"{now}.000100")
    envelope = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": now,
        "authorizations": [
            {"enterprise_id": None, "team_id": team_id, "user_id": bot_user_id, "is_bot": True,
             "is_enterprise_install": False}
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{secrets.token_hex(12)}",
    }
    return json.dumps(envelope)


def url_verification_body(challenge: str = "challenge-token") -> str:
    return json.dumps({"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"})


def interaction_body(payload_dict: dict[str, Any]) -> str:
    """An interactivity request: the payload JSON in a single `payload` form field."""
    return urlencode({"payload": json.dumps(payload_dict)})


# -- payload builders (return dicts for interaction_body) -------------------------------------------------------


def _user(team_id: str, user_id: str) -> dict[str, Any]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team_id}


def block_actions_payload(
    team_id: str,
    user_id: str,
    action_id: str,
    value: str | None,
    *,
    trigger_id: str | None = None,
    channel_id: str | None = None,
    message_ts: str | None = None,
    block_id: str = "b0",
    action_type: str = "button",
    view: dict[str, Any] | None = None,
    container: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A button press in a message (channel_id + message_ts) or in a view (view)."""
    now = time.time()
    action: dict[str, Any] = {"action_id": action_id, "block_id": block_id, "type": action_type,
                              "action_ts": f"{now:.6f}"}
    if value is not None:
        action["value"] = value
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(team_id, user_id),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "team": {"id": team_id, "domain": "standin"},
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [action],
    }
    if view is not None:
        payload["container"] = container or {"type": "view", "view_id": view.get("id", "")}
        payload["view"] = view
    else:
        ch = channel_id or "D" + user_id.lstrip("UW")[:10].rjust(8, "0")
        payload["container"] = container or {"type": "message", "message_ts": message_ts or "", "channel_id": ch,
                                             "is_ephemeral": False}
        payload["channel"] = {"id": ch, "name": "directmessage"}
        payload["message"] = {"type": "message", "ts": message_ts or "", "user": BOT_USER_ID, "bot_id": BOT_ID}
        payload["response_url"] = "https://hooks.slack.invalid/actions/T0/1/x"
    return payload


def view_action_payload(
    team_id: str,
    user_id: str,
    view: dict[str, Any],
    values: dict[str, dict[str, dict[str, Any]]],
    block_id: str,
    action_id: str = "value",
    trigger_id: str | None = None,
) -> dict[str, Any]:
    """A change of an input whose block has `dispatch_action: true`, inside a modal: the action as Slack reports it
    (the element's type and its new selection or text, from `values`) and the view with its state so far (`values`
    as in `view_submission_payload`)."""
    state = dict((values.get(block_id) or {}).get(action_id) or {})
    action = {"action_id": action_id, "block_id": block_id, "action_ts": f"{time.time():.6f}", **state}
    v = dict(view)
    v.setdefault("id", "V00000001")
    v.setdefault("hash", secrets.token_hex(8))
    v.setdefault("private_metadata", "")
    v["state"] = {"values": values}
    return {
        "type": "block_actions",
        "user": _user(team_id, user_id),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": {"type": "view", "view_id": v["id"]},
        "trigger_id": trigger_id or new_trigger_id(),
        "team": {"id": team_id, "domain": "standin"},
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [action],
        "view": v,
    }


def view_submission_payload(
    team_id: str,
    user_id: str,
    view: dict[str, Any],
    values: dict[str, dict[str, dict[str, Any]]],
    trigger_id: str | None = None,
) -> dict[str, Any]:
    """A modal submission; `values` is `view.state.values` ({block_id: {action_id: {type, value…}}})."""
    v = dict(view)
    v.setdefault("id", "V00000001")
    v.setdefault("hash", secrets.token_hex(8))
    v.setdefault("private_metadata", "")
    v.setdefault("callback_id", "")
    v["state"] = {"values": values}
    return {
        "type": "view_submission",
        "team": {"id": team_id, "domain": "standin"},
        "user": _user(team_id, user_id),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "view": v,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def view_closed_payload(team_id: str, user_id: str, view: dict[str, Any]) -> dict[str, Any]:
    v = dict(view)
    v.setdefault("id", "V00000001")
    v.setdefault("private_metadata", "")
    v.setdefault("callback_id", "")
    v.setdefault("state", {"values": {}})
    return {
        "type": "view_closed",
        "team": {"id": team_id, "domain": "standin"},
        "user": _user(team_id, user_id),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "view": v,
        "is_cleared": False,
        "is_enterprise_install": False,
        "enterprise": None,
    }
