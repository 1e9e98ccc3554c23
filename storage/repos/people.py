"""Persons, their platform identities and roles."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from storage.db import Tx
from storage.models import FormSession, Identity, Person
from storage.repos.state import open_forms_sql, parse_open_forms

_PERSON_COLS = "id, display_name, locale, timezone, profile, onboarded_at, created_at"
_IDENTITY_COLS = ("id, person_id, platform, workspace, user_id, chat_id, locale_hint, display_name, username,"
                  " last_seen_at")


def _seen_sql(more: str) -> str:
    """Touch the identity ($1-$3) and return it as it was before (the CTE is materialized, by the WHERE clause,
    before the row changes), with `more` columns."""
    before = ", ".join(f"(SELECT o.{c} FROM o) AS {c}" for c in _IDENTITY_COLS.split(", "))
    return (f"WITH o AS MATERIALIZED (SELECT {_IDENTITY_COLS} FROM identities"
            " WHERE platform = $1 AND workspace = $2 AND user_id = $3)"
            " UPDATE identities SET last_seen_at = $4, chat_id = COALESCE($5, chat_id),"
            " locale_hint = COALESCE($6, locale_hint), display_name = COALESCE($7, display_name),"
            " username = COALESCE($8, username) WHERE id = (SELECT o.id FROM o)"
            f" RETURNING {before}{more}")


def _seen_identity(row: dict) -> Identity:
    """A subquery's column has no declared type: SQLite hands its timestamp over as text."""
    if isinstance(row.get("last_seen_at"), str):
        row = {**row, "last_seen_at": _utc(row["last_seen_at"])}
    return Identity(**row)


def _utc(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _person(row: dict | None) -> Person | None:
    if row is None:
        return None
    return Person(**{**row, "profile": json.loads(row["profile"] or "{}")})


class People:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def get(self, person_id: int) -> Person | None:
        return _person(await self.tx.fetchrow(f"SELECT {_PERSON_COLS} FROM persons WHERE id = $1", person_id))

    async def for_turn(self, person_id: int) -> tuple[Person | None, set[str], list[FormSession]]:
        """What every turn reads of its person, in one query: the person, their roles, their open form sessions."""
        rows = await self.tx.fetch(
            f"SELECT {', '.join('p.' + c for c in _PERSON_COLS.split(', '))}, r.role AS role_,"
            f" {open_forms_sql('p.id')} AS forms_ FROM persons p"
            " LEFT JOIN roles r ON r.person_id = p.id WHERE p.id = $1", person_id)
        if not rows:
            return None, set(), []
        first = {k: v for k, v in rows[0].items() if k not in ("role_", "forms_")}
        return (_person(first), {r["role_"] for r in rows if r["role_"] is not None},
                parse_open_forms(rows[0]["forms_"]))

    async def create(self, display_name: str, now: datetime) -> Person:
        row = await self.tx.fetchrow(
            f"INSERT INTO persons (display_name, created_at) VALUES ($1, $2) RETURNING {_PERSON_COLS}",
            display_name[:200], now,
        )
        return _person(row)  # type: ignore[return-value]

    async def update_profile(self, person_id: int, display_name: str, profile: dict[str, Any],
                             timezone: str | None, onboarded_at: datetime | None) -> None:
        await self.tx.execute(
            "UPDATE persons SET display_name = $2, profile = $3, timezone = $4,"
            " onboarded_at = COALESCE(onboarded_at, $5) WHERE id = $1",
            person_id, display_name, json.dumps(profile, ensure_ascii=False), timezone, onboarded_at,
        )

    async def set_locale(self, person_id: int, locale: str) -> None:
        await self.tx.execute("UPDATE persons SET locale = $2 WHERE id = $1", person_id, locale)

    async def count(self) -> int:
        return int(await self.tx.fetchval("SELECT COUNT(*) FROM persons WHERE merged_into IS NULL"))

    async def everyone(self) -> list[tuple[int, dict]]:
        """(person id, profile) of every active person, for targeting pings and broadcasts."""
        rows = await self.tx.fetch("SELECT id, profile FROM persons WHERE merged_into IS NULL ORDER BY id")
        return [(r["id"], json.loads(r["profile"] or "{}")) for r in rows]

    async def mark_merged(self, person_id: int, into: int) -> None:
        await self.tx.execute("UPDATE persons SET merged_into = $2 WHERE id = $1", person_id, into)


class Identities:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def find(self, platform: str, workspace: str, user_id: str) -> Identity | None:
        row = await self.tx.fetchrow(
            f"SELECT {_IDENTITY_COLS} FROM identities WHERE platform = $1 AND workspace = $2 AND user_id = $3",
            platform, workspace, user_id,
        )
        return Identity(**row) if row else None

    async def get(self, identity_id: int) -> Identity | None:
        row = await self.tx.fetchrow(f"SELECT {_IDENTITY_COLS} FROM identities WHERE id = $1", identity_id)
        return Identity(**row) if row else None

    async def create(self, person_id: int, platform: str, workspace: str, user_id: str, chat_id: str | None,
                     locale_hint: str | None, display_name: str | None, now: datetime,
                     username: str | None = None) -> Identity | None:
        """Insert unless it exists (a constraint, not a check, decides); None when another writer won."""
        row = await self.tx.fetchrow(
            "INSERT INTO identities (person_id, platform, workspace, user_id, chat_id, locale_hint, display_name,"
            " last_seen_at, username) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            f" ON CONFLICT (platform, workspace, user_id) DO NOTHING RETURNING {_IDENTITY_COLS}",
            person_id, platform, workspace, user_id, chat_id, locale_hint, display_name, now, username,
        )
        return Identity(**row) if row else None

    async def touch(self, identity_id: int, chat_id: str | None, locale_hint: str | None, now: datetime,
                    display_name: str | None = None, username: str | None = None) -> None:
        """Seen now; the platform's name and handle are refreshed when it sent them (a failed lookup keeps the old)."""
        await self.tx.execute(
            "UPDATE identities SET last_seen_at = $2, chat_id = COALESCE($3, chat_id),"
            " locale_hint = COALESCE($4, locale_hint), display_name = COALESCE($5, display_name),"
            " username = COALESCE($6, username) WHERE id = $1",
            identity_id, now, chat_id, locale_hint, display_name, username,
        )

    async def seen(self, platform: str, workspace: str, user_id: str, chat_id: str | None,
                   locale_hint: str | None, now: datetime, display_name: str | None = None,
                   username: str | None = None) -> Identity | None:
        """`find`, then `touch`, in one statement: the identity as `find` returns it (as it was before this
        touch: a handler may compare what the platform sends now with what it sent before), or None when there
        is none yet (nothing is written then)."""
        row = await self.tx.fetchrow(_seen_sql(""), platform, workspace, user_id, now, chat_id, locale_hint,
                                     display_name, username)
        return _seen_identity(row) if row else None

    async def seen_for_turn(self, platform: str, workspace: str, user_id: str, chat_id: str | None,
                            locale_hint: str | None, now: datetime, display_name: str | None = None,
                            username: str | None = None
                            ) -> tuple[Identity, Person, set[str], list[FormSession]] | None:
        """`seen`, with what `People.for_turn` reads, in the same statement (the turn's first). Only where
        transactions run one at a time (`Tx.serial`): on PostgreSQL the person is read after its lock."""
        person = ", ".join(f"(SELECT p.{c} FROM persons p WHERE p.id = identities.person_id) AS p_{c}"
                           for c in _PERSON_COLS.split(", "))
        row = await self.tx.fetchrow(
            _seen_sql(f", {person}, (SELECT {{string_agg}}(r.role, ',') FROM roles r"
                      f" WHERE r.person_id = identities.person_id) AS roles_,"
                      f" {open_forms_sql('identities.person_id')} AS forms_"),
            platform, workspace, user_id, now, chat_id, locale_hint, display_name, username,
        )
        if row is None or row["p_id"] is None:
            return None
        fields = {c: row.pop(f"p_{c}") for c in _PERSON_COLS.split(", ")}
        roles, forms = row.pop("roles_"), row.pop("forms_")
        for c in ("onboarded_at", "created_at"):  # a subquery's column has no declared type: parse it here
            if isinstance(fields[c], str):
                fields[c] = _utc(fields[c])
        return (_seen_identity(row), _person(fields), set(roles.split(",")) if roles else set(),  # type: ignore[return-value]
                parse_open_forms(forms))

    async def naming(self, person_id: int) -> tuple[str, str | None, str | None]:
        """(profile name, newest handle, newest platform name) of a person, in one query: what labels them."""
        rows = await self.tx.fetch(
            "SELECT p.display_name AS person_name, i.username, i.display_name FROM persons p"
            " LEFT JOIN identities i ON i.person_id = p.id WHERE p.id = $1"
            " ORDER BY i.last_seen_at DESC, i.id DESC", person_id)
        if not rows:
            return "", None, None
        handle = next((r["username"] for r in rows if r["username"]), None)
        return rows[0]["person_name"] or "", handle, next((r["display_name"] for r in rows if r["display_name"]), None)

    async def directory(self) -> list[dict]:
        """Every identity of an active person with the names it can be called by: person_id, platform,
        workspace, user_id, display_name, username and the person's own (profile) name, newest first."""
        return await self.tx.fetch(
            "SELECT i.person_id, i.platform, i.workspace, i.user_id, i.display_name, i.username,"
            " p.display_name AS person_name FROM identities i JOIN persons p ON p.id = i.person_id"
            " WHERE p.merged_into IS NULL ORDER BY i.last_seen_at DESC, i.id DESC")

    async def for_person(self, person_id: int) -> list[Identity]:
        rows = await self.tx.fetch(
            f"SELECT {_IDENTITY_COLS} FROM identities WHERE person_id = $1 ORDER BY last_seen_at DESC, id DESC",
            person_id,
        )
        return [Identity(**r) for r in rows]

    async def workspaces(self, platform: str) -> list[str]:
        rows = await self.tx.fetch(
            "SELECT DISTINCT workspace FROM identities WHERE platform = $1 ORDER BY workspace LIMIT 2", platform)
        return [r["workspace"] for r in rows]

    async def move_to(self, identity_id: int, person_id: int) -> None:
        await self.tx.execute("UPDATE identities SET person_id = $2 WHERE id = $1", identity_id, person_id)


class Roles:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def of(self, person_id: int) -> set[str]:
        rows = await self.tx.fetch("SELECT role FROM roles WHERE person_id = $1", person_id)
        return {r["role"] for r in rows}

    async def grant(self, person_id: int, role: str, granted_by: int | None, now: datetime) -> bool:
        changed = await self.tx.execute(
            "INSERT INTO roles (person_id, role, granted_by, granted_at) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (person_id, role) DO NOTHING",
            person_id, role, granted_by, now,
        )
        return changed > 0

    async def revoke(self, person_id: int, role: str) -> bool:
        return await self.tx.execute("DELETE FROM roles WHERE person_id = $1 AND role = $2", person_id, role) > 0

    async def holders(self, role: str) -> list[int]:
        rows = await self.tx.fetch("SELECT person_id FROM roles WHERE role = $1 ORDER BY person_id", role)
        return [r["person_id"] for r in rows]
