"""The action codec: a button's typed data (bot.core.actions) as a payload the client carries back.

Inline when it fits the platform's limit (Telegram: 64 bytes): `name|k=v,k=v|owner|mac`, the fields under their
wire keys, signed with a server secret so a forged payload is refused before any handler sees it. Otherwise a
short random token (`~xxxxxxxxxxxx`) names a stored row with an expiry. Either way the payload binds the button
to the person it was sent to. Decoding validates the press into its action's model, once; whatever fails on the
way (signature, owner, expiry, an unknown name, data that is not the model's) raises `ButtonExpired`. Handlers
still authorise the action against storage, since the client is untrusted.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from datetime import datetime, timedelta
from typing import Any, Callable, Mapping
from urllib.parse import quote, unquote

from bot.core.actions import ActionData
from bot.core.store import ActionTokens

ModelFor = Callable[[str], type[ActionData] | None]  # an action name → the model its route declared


class ButtonExpired(Exception):
    """Expired, unknown, forged or someone else's button: answered with one localized notice, nothing else."""


# What `quote(text, safe='')` leaves as it is: most wire keys and values (ids, choices), so they skip it.
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")


def _quote(text: str) -> str:
    return text if _UNRESERVED.fullmatch(text) else quote(text, safe='')


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


class ActionCodec:
    MAC_CHARS = 8

    def __init__(self, secret: bytes, token_ttl: timedelta) -> None:
        self._secret = secret
        self._ttl = token_ttl

    def _mac(self, body: str) -> str:
        return _b64(hmac.digest(self._secret, body.encode(), hashlib.sha256))[: self.MAC_CHARS]  # one-shot: cheaper

    def signed(self, name: str, args: Mapping[str, str], owner: int | None) -> str:
        """The inline form of a name and wire arguments, signed."""
        packed = ",".join(f"{_quote(str(k))}={_quote(str(v))}" for k, v in sorted(args.items()))
        body = f"{name}|{packed}|{owner or ''}"
        return f"{body}|{self._mac(body)}"

    def inline(self, action: ActionData, owner: int | None) -> str:
        return self.signed(action.action_name, action.to_wire(), owner)

    async def encode(self, action: ActionData, owner: int | None, limit: int, tokens: ActionTokens,
                     now: datetime) -> str:
        payload = self.inline(action, owner)
        if len(payload.encode()) <= limit:
            return payload
        token = "~" + secrets.token_urlsafe(12)
        stored = json.dumps({"name": action.action_name, "args": action.to_wire()})
        await tokens.store(token, stored, owner, now + self._ttl, now)
        return token

    async def decode(self, payload: str, presser: int, tokens: ActionTokens, now: datetime,
                     model_for: ModelFor) -> ActionData:
        name, args = await self._unpack(payload, presser, tokens, now)
        model = model_for(name)
        if model is None:
            raise ButtonExpired("no such action")
        try:
            return model.from_wire(args)
        except ValueError:  # pydantic's ValidationError is one
            raise ButtonExpired("not this action's data") from None

    async def _unpack(self, payload: str, presser: int, tokens: ActionTokens,
                      now: datetime) -> tuple[str, Mapping[str, Any]]:
        if not payload or len(payload) > 4000:
            raise ButtonExpired("empty or oversized payload")
        if payload.startswith("~"):
            row = await tokens.load(payload)
            if row is None or row["expires_at"] < now:
                raise ButtonExpired("unknown or expired token")
            if row["owner_person_id"] is not None and row["owner_person_id"] != presser:
                raise ButtonExpired("token belongs to someone else")
            try:
                stored = json.loads(row["action"])
            except ValueError:
                raise ButtonExpired("unreadable token") from None
            if not (isinstance(stored, dict) and isinstance(stored.get("name"), str)
                    and isinstance(stored.get("args", {}), dict)):
                raise ButtonExpired("unreadable token")
            return stored["name"], stored.get("args", {})
        body, sep, mac = payload.rpartition("|")
        if not sep or not hmac.compare_digest(mac.encode(), self._mac(body).encode()):
            raise ButtonExpired("bad signature")
        name, args_text, owner = (body.split("|") + ["", ""])[:3]
        if owner and owner != str(presser):
            raise ButtonExpired("button belongs to someone else")
        args: dict[str, str] = {}
        for pair in filter(None, args_text.split(",")):
            key, _, value = pair.partition("=")
            args[unquote(key)] = unquote(value)
        return name, args
