"""Everything stored about a person, to give it to them (`/mydata`) or to erase it (`/forget`), issue 21.

`PERSONAL` lists, table by table, how a row belongs to a person; a new table that holds people must be added here
(tests/test_data_rights.py fails for a table with a person column that is not listed). Erasure keeps what the
law and the datasets need — answers, ledger lines, statements — under the person's pseudonym, and removes every
direct identifier: name, handles, platform ids, profile, contact data and free-text notes.
"""
from __future__ import annotations

import json
from datetime import datetime

from storage.db import Tx

# table -> the condition that makes a row one person's ($1: the person ids, as a list)
PERSONAL: dict[str, str] = {
    "persons": "id = ANY($1)",
    "identities": "person_id = ANY($1)",
    "roles": "person_id = ANY($1)",
    "qualifications": "person_id = ANY($1)",
    "assessment_attempts": "person_id = ANY($1)",
    "assessment_answers": "attempt_id IN (SELECT id FROM assessment_attempts WHERE person_id = ANY($1))",
    "project_members": "person_id = ANY($1)",
    "project_invites": "person_id = ANY($1)",
    "project_pauses": "person_id = ANY($1)",
    "instruction_acks": "person_id = ANY($1)",
    "assignments": "person_id = ANY($1)",
    "submissions": "person_id = ANY($1)",
    "submission_versions": "submission_id IN (SELECT id FROM submissions WHERE person_id = ANY($1))",
    "reviews": "reviewer_id = ANY($1) OR submission_id IN (SELECT id FROM submissions WHERE person_id = ANY($1))",
    "hours_entries": "person_id = ANY($1)",
    "timers": "person_id = ANY($1)",
    "pay_rates": "person_id = ANY($1)",
    "ledger_lines": "person_id = ANY($1)",
    "statements": "person_id = ANY($1)",
    "statement_lines": "statement_id IN (SELECT id FROM statements WHERE person_id = ANY($1))",
    "disputes": "person_id = ANY($1)",
    "availability": "person_id = ANY($1)",
    "reminder_prefs": "person_id = ANY($1)",
    "reminders": "person_id = ANY($1)",
    "reminder_sends": "person_id = ANY($1)",
    "ping_targets": "person_id = ANY($1)",
    "form_sessions": "person_id = ANY($1)",
    "link_codes": "person_id = ANY($1)",
    "link_failures": "person_id = ANY($1)",
    "home_views": "person_id = ANY($1)",
    "uploads": "person_id = ANY($1)",
    "action_tokens": "owner_person_id = ANY($1)",
    "outbox": "person_id = ANY($1)",
}
# Not given back: opaque keys and raw platform traffic already listed (outbox) or keyed by identity (inbox, below).
NOT_EXPORTED = {"action_tokens", "link_codes", "home_views", "uploads"}
# Removed outright on erasure: contact data, settings, drafts and whatever only served this person.
DELETED = ("identities", "roles", "availability", "reminder_prefs", "reminders", "reminder_sends", "form_sessions",
           "link_codes", "link_failures", "home_views", "uploads", "action_tokens", "timers")
# Free text the person wrote, or others wrote about them: cleared (to what the column holds when empty), the row
# kept. An assessment answer is the person's own writing, not a project's dataset: it goes too, its score stays.
FREE_TEXT: dict[str, dict[str, str]] = {
    "hours_entries": {"note": "''", "reason": "NULL"},
    "disputes": {"comment": "''", "resolution": "NULL"},
    "assignments": {"skip_reason": "NULL"},
    "assessment_answers": {"answer": "'\"\"'", "grade_comment": "NULL"},
    "qualifications": {"reason": "NULL", "revoke_reason": "NULL"},
}
SUBJECT_KEYS = ("person", "to", "expert", "owner")


def _any(sql: str, dialect_name: str) -> str:
    """`= ANY($1)` on PostgreSQL; SQLite reads the list as JSON (`IN (SELECT value FROM json_each($1))`)."""
    return sql if dialect_name == "postgres" else sql.replace("= ANY($1)", "IN (SELECT value FROM json_each($1))")


class PersonData:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def _ids(self, ids: list):
        return ids if self.tx.dialect.name == "postgres" else json.dumps(ids)

    async def people(self, person_id: int) -> list[int]:
        """The person and every person record merged into them (an identity linked from another platform)."""
        rows = await self.tx.fetch("SELECT id FROM persons WHERE id = $1 OR merged_into = $1 ORDER BY id", person_id)
        return [r["id"] for r in rows]

    async def identity_keys(self, ids: list[int]) -> list[dict]:
        return await self.tx.fetch(_any("SELECT platform, workspace, user_id, chat_id, display_name, username FROM"
                                        " identities WHERE person_id = ANY($1)", self.tx.dialect.name), self._ids(ids))

    async def gather(self, person_id: int) -> dict[str, list[dict]]:
        """Every row about the person, by table (audit entries they made or that name them; their raw inbox)."""
        ids = await self.people(person_id)
        out: dict[str, list[dict]] = {}
        for table, where in PERSONAL.items():
            if table in NOT_EXPORTED:
                continue
            out[table] = await self.tx.fetch(_any(f"SELECT * FROM {table} WHERE {where}", self.tx.dialect.name),
                                             self._ids(ids))
        keys = [_key(i) for i in await self.identity_keys(ids)]
        out["inbox"] = await self.tx.fetch(_any("SELECT * FROM inbox WHERE actor_key = ANY($1)", self.tx.dialect.name),
                                           self._ids(keys))
        out["audit_log"] = await self._audit(ids)
        return out

    async def _audit(self, ids: list[int]) -> list[dict]:
        about = " OR ".join(f"detail LIKE '%\"{k}\": {pid},%' OR detail LIKE '%\"{k}\": {pid}}}%'"
                            for k in SUBJECT_KEYS for pid in ids)
        return await self.tx.fetch(_any(f"SELECT * FROM audit_log WHERE person_id = ANY($1) OR {about} ORDER BY id",
                                        self.tx.dialect.name), self._ids(ids))

    async def erase(self, person_id: int, pseudonym: str) -> dict[str, int]:
        """Remove every direct identifier of the person (see the module's docstring); returns rows changed per
        table. Money rows and answers stay, under `pseudonym`."""
        ids = await self.people(person_id)
        dialect = self.tx.dialect.name
        identities = await self.identity_keys(ids)
        keys = [_key(i) for i in identities]
        names = await self.tx.fetch(_any("SELECT display_name FROM persons WHERE id = ANY($1)", dialect),
                                    self._ids(ids))
        # Every way the person is written down, longest first (so "@ana_p" goes before "ana_p").
        variants = sorted({v for v in [*(r["display_name"] for r in names), *(i["display_name"] for i in identities),
                                       *(i["username"] for i in identities), *("@" + i["username"] for i in identities
                                                                               if i["username"]),
                                       *keys, *(i["user_id"] for i in identities)] if v and len(v) >= 3},
                          key=len, reverse=True)
        changed: dict[str, int] = {}
        for table, columns in FREE_TEXT.items():
            sets = ", ".join(f"{column} = {empty}" for column, empty in columns.items())
            changed[table] = await self.tx.execute(_any(f"UPDATE {table} SET {sets} WHERE {PERSONAL[table]}", dialect),
                                                   self._ids(ids))
        changed["reviews"] = await self.tx.execute(_any("UPDATE reviews SET comment = NULL WHERE reviewer_id = ANY($1)",
                                                        dialect), self._ids(ids))
        for variant in variants:  # names others wrote into rows about them (a bonus's reason, a ping's target)
            await self.tx.execute(_any("UPDATE ledger_lines SET reason = REPLACE(reason, $2, $3) WHERE person_id ="
                                       " ANY($1) AND reason LIKE $4", dialect), self._ids(ids), variant, pseudonym,
                                  f"%{variant}%")
            for table in ("pings", "broadcasts"):
                await self.tx.execute(f"UPDATE {table} SET target = REPLACE(target, $1, $2) WHERE target LIKE $3",
                                      variant, pseudonym, f"%{variant}%")
            # others' messages that named them (a manager's /bonus, the reply that confirmed it), once handled
            await self.tx.execute("UPDATE inbox SET payload = '' WHERE processed_at IS NOT NULL AND payload LIKE $1",
                                  f"%{variant}%")
            await self.tx.execute("UPDATE outbox SET payload = '' WHERE (sent_at IS NOT NULL OR failed_at IS NOT NULL)"
                                  " AND payload LIKE $1", f"%{variant}%")
        changed["audit_log"] = 0
        for row in await self._audit(ids):
            changed["audit_log"] += await self.tx.execute("UPDATE audit_log SET detail = '{}' WHERE id = $1", row["id"])
        if keys:
            changed["inbox"] = await self.tx.execute(
                _any("UPDATE inbox SET payload = '', actor_key = $2 WHERE actor_key = ANY($1)", dialect),
                self._ids(keys), f"erased:{pseudonym}")
            chats = [c for i in identities for c in (i["chat_id"], i["user_id"]) if c]
            changed["sent_messages"] = await self.tx.execute(
                _any("DELETE FROM sent_messages WHERE chat_id = ANY($1)", dialect),
                self._ids(chats))
        changed["outbox"] = await self.tx.execute(_any("UPDATE outbox SET payload = '' WHERE person_id = ANY($1)",
                                                       dialect), self._ids(ids))
        for table in DELETED:
            changed[table] = await self.tx.execute(_any(f"DELETE FROM {table} WHERE {PERSONAL[table]}", dialect),
                                                   self._ids(ids))
        changed["persons"] = await self.tx.execute(_any(
            "UPDATE persons SET display_name = $2, profile = '{}', locale = NULL, timezone = NULL WHERE id = ANY($1)",
            dialect), self._ids(ids), pseudonym)
        return changed


def _key(identity: dict) -> str:
    if identity["workspace"]:
        return f"{identity['platform']}:{identity['workspace']}/{identity['user_id']}"
    return f"{identity['platform']}:{identity['user_id']}"


class Erasures:
    """Erasures asked for: one row per person, claimed once when due (several processes may tick)."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def request(self, person_id: int, now: datetime, due_at: datetime, by: int | None) -> bool:
        """True when this is a new request (or renews a cancelled one); False when one is already pending or done."""
        changed = await self.tx.execute(
            "INSERT INTO erasure_requests (person_id, requested_at, due_at, requested_by) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (person_id) DO UPDATE SET requested_at = excluded.requested_at, due_at = excluded.due_at,"
            " requested_by = excluded.requested_by, cancelled_at = NULL"
            " WHERE erasure_requests.cancelled_at IS NOT NULL", person_id, now, due_at, by)
        return changed > 0

    async def pending(self, person_id: int) -> datetime | None:
        """When the person's pending erasure is due, if one is."""
        return await self.tx.fetchval("SELECT due_at FROM erasure_requests WHERE person_id = $1 AND cancelled_at IS NULL"
                                      " AND done_at IS NULL", person_id)

    async def cancel(self, person_id: int, now: datetime) -> bool:
        return await self.tx.execute("UPDATE erasure_requests SET cancelled_at = $2 WHERE person_id = $1 AND"
                                     " cancelled_at IS NULL AND done_at IS NULL", person_id, now) > 0

    async def claim_due(self, now: datetime) -> int | None:
        """One due erasure, marked done in this transaction (so it is carried out once)."""
        person_id = await self.tx.fetchval("SELECT person_id FROM erasure_requests WHERE due_at <= $1 AND"
                                           " cancelled_at IS NULL AND done_at IS NULL ORDER BY due_at LIMIT 1", now)
        if person_id is None:
            return None
        claimed = await self.tx.execute("UPDATE erasure_requests SET done_at = $2 WHERE person_id = $1 AND done_at IS"
                                        " NULL AND cancelled_at IS NULL", person_id, now)
        return person_id if claimed else None
