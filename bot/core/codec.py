"""The action codec: a button's action as a payload the client carries back.

Inline when it fits the platform's limit (Telegram: 64 bytes): `name|k=v,k=v|owner|mac`, signed with a
server secret so a forged payload is refused before any handler sees it. Otherwise a short random token
(`~xxxxxxxxxxxx`) names a stored row with an expiry. Either way the payload binds the button to the person it
was sent to; handlers still authorise the action against storage, since the client is untrusted.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta
from urllib.parse import quote, unquote

from bot.core.blocks import Action
from bot.core.store import ActionTokens


class ButtonExpired(Exception):
    """Expired, unknown, forged or someone else's button: answered with one localized notice, nothing else."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


class ActionCodec:
    MAC_CHARS = 8

    def __init__(self, secret: bytes, token_ttl: timedelta) -> None:
        self._secret = secret
        self._ttl = token_ttl

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self._secret, body.encode(), hashlib.sha256).digest())[: self.MAC_CHARS]

    def inline(self, action: Action, owner: int | None) -> str:
        args = ",".join(f"{quote(str(k), safe='')}={quote(str(v), safe='')}" for k, v in sorted(action.args.items()))
        body = f"{action.name}|{args}|{owner or ''}"
        return f"{body}|{self._mac(body)}"

    async def encode(self, action: Action, owner: int | None, limit: int, tokens: ActionTokens, now: datetime) -> str:
        payload = self.inline(action, owner)
        if len(payload.encode()) <= limit:
            return payload
        token = "~" + secrets.token_urlsafe(12)
        await tokens.store(token, action.model_dump_json(), owner, now + self._ttl, now)
        return token

    async def decode(self, payload: str, presser: int, tokens: ActionTokens, now: datetime) -> Action:
        if not payload or len(payload) > 4000:
            raise ButtonExpired("empty or oversized payload")
        if payload.startswith("~"):
            row = await tokens.load(payload)
            if row is None or row["expires_at"] < now:
                raise ButtonExpired("unknown or expired token")
            if row["owner_person_id"] is not None and row["owner_person_id"] != presser:
                raise ButtonExpired("token belongs to someone else")
            return Action.model_validate(json.loads(row["action"]))
        body, sep, mac = payload.rpartition("|")
        if not sep or not hmac.compare_digest(mac.encode(), self._mac(body).encode()):
            raise ButtonExpired("bad signature")
        name, args_text, owner = (body.split("|") + ["", ""])[:3]
        if owner and owner != str(presser):
            raise ButtonExpired("button belongs to someone else")
        args: dict[str, str | int] = {}
        for pair in filter(None, args_text.split(",")):
            key, _, value = pair.partition("=")
            raw = unquote(value)
            args[unquote(key)] = int(raw) if raw.lstrip("-").isdigit() and len(raw) < 18 else raw
        return Action(name=name, args=args)
