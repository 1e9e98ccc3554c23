"""Conversation state that must outlive a process: form sessions, action tokens, link codes, leases, kv."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from storage.db import Tx
from storage.models import FormSession

_FORM_COLS = ("id, person_id, form_id, params, vals, pending, step, stage, version, status, created_at,"
              " updated_at")


def _form(row: dict | None) -> FormSession | None:
    if row is None:
        return None
    data = dict(row)
    data["params"] = json.loads(data["params"])
    data["values"] = json.loads(data.pop("vals"))
    data["pending"] = json.loads(data["pending"] or "{}")
    return FormSession(**data)


def open_forms_sql(person: str) -> str:
    """A scalar subquery: the open form sessions of `person` (an SQL expression) as one JSON array, so that the
    turn's first read can carry them (`FormSessions.prime`)."""
    fields = ", ".join(f"'{c}', f.{c}" for c in _FORM_COLS.replace(" ", "").split(","))
    return (f"(SELECT {{json_agg}}({{json_object}}({fields})) FROM form_sessions f"
            f" WHERE f.person_id = {person} AND f.status = 'open')")


def parse_open_forms(raw: str | list | None) -> list[FormSession]:
    """`open_forms_sql`'s value as sessions, newest first (as `FormSessions.open_for` orders them)."""
    rows = json.loads(raw) if isinstance(raw, str) else (raw or [])
    for r in rows:
        for c in ("created_at", "updated_at"):
            value = datetime.fromisoformat(r[c])
            r[c] = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
    forms = [_form(r) for r in rows]
    return sorted(forms, key=lambda f: (f.updated_at, f.id), reverse=True)  # type: ignore[union-attr]


class FormSessions:
    """`prime` hands over the person's open sessions read along with the turn's first statement: the first
    `open_for` or `get` after it answers from them (no session was written since: a write drops them), later
    ones read again, so nobody is handed an object another caller may have changed."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self._primed: tuple[int, list[FormSession]] | None = None

    async def prime(self, person_id: int, sessions: list[FormSession]) -> None:
        self._primed = (person_id, sessions)

    async def create(self, person_id: int, form_id: str, params: dict[str, Any], values: dict[str, Any],
                     now: datetime) -> FormSession:
        self._primed = None
        row = await self.tx.fetchrow(
            "INSERT INTO form_sessions (person_id, form_id, params, vals, created_at, updated_at)"
            f" VALUES ($1, $2, $3, $4, $5, $5) RETURNING {_FORM_COLS}",
            person_id, form_id, json.dumps(params, ensure_ascii=False), json.dumps(values, ensure_ascii=False), now,
        )
        return _form(row)  # type: ignore[return-value]

    async def get(self, session_id: int) -> FormSession | None:
        primed, self._primed = self._primed, None
        if primed is not None:
            for session in primed[1]:
                if session.id == session_id:
                    return session
        return _form(await self.tx.fetchrow(f"SELECT {_FORM_COLS} FROM form_sessions WHERE id = $1", session_id))

    async def open_for(self, person_id: int) -> list[FormSession]:
        primed, self._primed = self._primed, None
        if primed is not None and primed[0] == person_id:
            return primed[1]
        rows = await self.tx.fetch(
            f"SELECT {_FORM_COLS} FROM form_sessions WHERE person_id = $1 AND status = 'open'"
            " ORDER BY updated_at DESC, id DESC",
            person_id,
        )
        return [_form(r) for r in rows]  # type: ignore[misc]

    async def save(self, session: FormSession, now: datetime) -> bool:
        """Write step, values and stage if nobody else moved the session on (optimistic version check)."""
        self._primed = None
        changed = await self.tx.execute(
            "UPDATE form_sessions SET vals = $3, step = $4, stage = $5, status = $6, version = version + 1,"
            " updated_at = $7, pending = $8 WHERE id = $1 AND version = $2",
            session.id, session.version, json.dumps(session.values, ensure_ascii=False), session.step,
            session.stage, session.status, now, json.dumps(session.pending, ensure_ascii=False),
        )
        if changed:
            session.version += 1
        return changed > 0


class ActionTokens:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def store(self, token: str, action_json: str, owner: int | None, expires_at: datetime, now: datetime) -> None:
        await self.tx.execute(
            "INSERT INTO action_tokens (token, action, owner_person_id, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)",
            token, action_json, owner, expires_at, now,
        )

    async def load(self, token: str) -> dict | None:
        return await self.tx.fetchrow(
            "SELECT action, owner_person_id, expires_at FROM action_tokens WHERE token = $1", token
        )

    async def purge_expired(self, now: datetime) -> int:
        return await self.tx.execute("DELETE FROM action_tokens WHERE expires_at < $1", now)


class LinkCodes:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def create(self, code: str, person_id: int, expires_at: datetime, owner_identity: int | None = None) -> None:
        await self.tx.execute(
            "INSERT INTO link_codes (code, person_id, expires_at, owner_identity) VALUES ($1, $2, $3, $4)",
            code, person_id, expires_at, owner_identity,
        )

    async def peek(self, code: str, now: datetime) -> dict | None:
        """An unused, unexpired code's owner (`person_id`, `owner_identity`), without claiming it."""
        return await self.tx.fetchrow(
            "SELECT person_id, owner_identity FROM link_codes WHERE code = $1 AND used_at IS NULL AND expires_at > $2",
            code, now,
        )

    async def redeem(self, code: str, identity_id: int, now: datetime) -> int | None:
        """The person the code belongs to, or None; single use is enforced by the conditional update."""
        return await self.tx.fetchval(
            "UPDATE link_codes SET used_at = $2, used_by_identity = $3"
            " WHERE code = $1 AND used_at IS NULL AND expires_at > $2 RETURNING person_id",
            code, now, identity_id,
        )

    async def decide(self, code: str, owner_identity: int, decision: str, now: datetime) -> int | None:
        """The owner's answer to a pending request: the redeemer's identity id, once; None when the request is
        unknown, someone else's, already decided or expired (the conditional update makes it exactly once)."""
        return await self.tx.fetchval(
            "UPDATE link_codes SET decided_at = $3, decision = $4"
            " WHERE code = $1 AND owner_identity = $2 AND used_at IS NOT NULL AND decided_at IS NULL"
            " AND expires_at > $3 RETURNING used_by_identity",
            code, owner_identity, now, decision,
        )

    async def failures(self, person_id: int) -> dict | None:
        """`window_start` and `failures` of the person's failed codes, or None."""
        return await self.tx.fetchrow(
            "SELECT window_start, failures FROM link_failures WHERE person_id = $1", person_id,
        )

    async def record_failure(self, person_id: int, now: datetime, window_opened_after: datetime) -> int:
        """Count one failed code; a window that opened before `window_opened_after` starts again at `now`.
        Returns the failures in the current window (one statement on the person's row: each failure counts once)."""
        return await self.tx.fetchval(
            "INSERT INTO link_failures (person_id, window_start, failures) VALUES ($1, $2, 1)"
            " ON CONFLICT (person_id) DO UPDATE SET"
            " failures = CASE WHEN link_failures.window_start <= $3 THEN 1 ELSE link_failures.failures + 1 END,"
            " window_start = CASE WHEN link_failures.window_start <= $3 THEN $2 ELSE link_failures.window_start END"
            " RETURNING failures",
            person_id, now, window_opened_after,
        )


# Where an audit entry's detail names the person something was done to (the actor is the row's person_id).
SUBJECT_KEYS = ("person", "to", "expert", "owner")


class Audit:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def log(self, person_id: int | None, action: str, detail: dict[str, Any], now: datetime) -> None:
        await self.tx.execute(
            "INSERT INTO audit_log (at, person_id, action, detail) VALUES ($1, $2, $3, $4)",
            now, person_id, action, json.dumps(detail, ensure_ascii=False, default=str),
        )

    async def between(self, since: datetime, until: datetime, person_id: int | None = None,
                      action: str = "", limit: int = 1000) -> list[dict]:
        """Entries in [since, until), oldest first: all, or those `person_id` did or that were done to them (their
        id under one of `SUBJECT_KEYS` in the detail), optionally only actions starting with `action`."""
        about = " OR ".join(f"detail LIKE ${i} OR detail LIKE ${i + 1}" for i in range(6, 6 + 2 * len(SUBJECT_KEYS), 2))
        patterns = [p for key in SUBJECT_KEYS for p in (f'%"{key}": {person_id or 0},%', f'%"{key}": {person_id or 0}}}%')]
        rows = await self.tx.fetch(
            "SELECT id, at, person_id, action, detail FROM audit_log WHERE at >= $1 AND at < $2"
            f" AND ($3 = 0 OR person_id = $3 OR {about}) AND action LIKE $4 ORDER BY at, id LIMIT $5",
            since, until, person_id or 0, action.replace("%", "") + "%", limit, *patterns,
        )
        return [{**r, "detail": json.loads(r["detail"])} for r in rows]

    async def recent(self, person_id: int | None = None, limit: int = 50) -> list[dict]:
        rows = await self.tx.fetch(
            "SELECT at, person_id, action, detail FROM audit_log WHERE ($1 = 0 OR person_id = $1)"
            " ORDER BY id DESC LIMIT $2",
            person_id or 0, limit,
        )
        return [{**r, "detail": json.loads(r["detail"])} for r in rows]


class KeyValues:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def get_or_create(self, key: str, value: str) -> str:
        await self.tx.execute("INSERT INTO kv (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", key, value)
        return await self.tx.fetchval("SELECT value FROM kv WHERE key = $1", key)


class Leases:
    """Something only one process may do (Telegram long polling): held while renewed, taken over when it lapses
    or at once when its holder is dead (its `processes` row is gone: storage/repos/liveness.py)."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def acquire(self, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
        await self.tx.execute(
            "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
            name, holder, now + ttl,
        )
        changed = await self.tx.execute(
            "UPDATE leases SET holder = $2, expires_at = $3 WHERE name = $1 AND (holder = $2 OR expires_at < $4"
            " OR holder NOT IN (SELECT process_id FROM processes))",
            name, holder, now + ttl, now,
        )
        return changed > 0

    async def release(self, name: str, holder: str) -> None:
        await self.tx.execute("DELETE FROM leases WHERE name = $1 AND holder = $2", name, holder)
