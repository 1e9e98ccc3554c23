"""The storage the core needs, and nothing more: a database of short transactions and a unit of work holding
the repositories that the runtime, the forms engine and the action codec call.

The core defines these protocols and never imports `storage/`; `storage/` satisfies them structurally (its
`storage.uow.UnitOfWork`, its databases and its row models) without importing the core. The shell
(`app/wiring.py`) hands the runtime an opened database and a factory that makes a unit of work from a
transaction; handlers receive that same unit of work, typed as the application's, through `Context[U]`.
`tests/test_storage_contract.py` checks on every backend that storage provides every member named here.

Only the methods the core calls are listed, with the parameters it passes. A record is a protocol of the
attributes the core reads (a form session's are also written back, then saved).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, AsyncContextManager, Mapping, Protocol, Sequence, runtime_checkable


# records ---------------------------------------------------------------------------------------------------
@runtime_checkable
class Person(Protocol):
    id: int
    locale: str | None
    timezone: str | None


@runtime_checkable
class Identity(Protocol):
    id: int
    person_id: int
    platform: str
    workspace: str
    user_id: str
    chat_id: str | None
    locale_hint: str | None


@runtime_checkable
class FormSession(Protocol):
    id: int
    person_id: int
    form_id: str
    params: dict[str, Any]
    values: dict[str, Any]
    pending: dict[str, Any]  # the engine's notes (kept text, the last typed answer); never part of the answers
    step: int
    stage: str
    version: int
    status: str


@runtime_checkable
class InboxRow(Protocol):
    id: int
    payload: str


@runtime_checkable
class OutboxRow(Protocol):
    id: int
    payload: str


class OutboxState(Protocol):
    """How far a delivery got in earlier attempts."""
    parts_done: int
    message_id: str | None
    attempts: int


# repositories ----------------------------------------------------------------------------------------------
class People(Protocol):
    async def get(self, person_id: int) -> Person | None: ...

    async def create(self, display_name: str, now: datetime) -> Person: ...

    async def for_turn(self, person_id: int) -> tuple[Person | None, set[str], Sequence[FormSession]]:
        """The person, their roles and their open form sessions, in one query."""
        ...


class Identities(Protocol):
    async def find(self, platform: str, workspace: str, user_id: str) -> Identity | None: ...

    async def create(self, person_id: int, platform: str, workspace: str, user_id: str, chat_id: str | None,
                     locale_hint: str | None, display_name: str | None, now: datetime,
                     username: str | None = None) -> Identity | None: ...

    async def seen(self, platform: str, workspace: str, user_id: str, chat_id: str | None,
                   locale_hint: str | None, now: datetime, display_name: str | None = None,
                   username: str | None = None) -> Identity | None:
        """`find` then `touch` in one statement; None when the identity does not exist yet."""
        ...

    async def seen_for_turn(self, platform: str, workspace: str, user_id: str, chat_id: str | None,
                            locale_hint: str | None, now: datetime, display_name: str | None = None,
                            username: str | None = None
                            ) -> tuple[Identity, Person, set[str], Sequence[FormSession]] | None:
        """`seen` and `People.for_turn` in one statement. Current only where transactions run one at a time
        (`Transaction.serial`): elsewhere the person is read after the person lock."""
        ...

    async def touch(self, identity_id: int, chat_id: str | None, locale_hint: str | None, now: datetime,
                    display_name: str | None = None, username: str | None = None) -> None: ...

    async def for_person(self, person_id: int) -> Sequence[Identity]:
        """The person's identities, the one used last first."""
        ...

    async def workspaces(self, platform: str) -> Sequence[str]:
        """Workspaces seen on `platform`, at most two (enough to tell "only one" from "several")."""
        ...


class Roles(Protocol):
    async def of(self, person_id: int) -> set[str]: ...

    async def grant(self, person_id: int, role: str, granted_by: int | None, now: datetime) -> bool: ...


class Audit(Protocol):
    async def log(self, person_id: int | None, action: str, detail: dict[str, Any], now: datetime) -> None: ...


class Inbox(Protocol):
    async def record(self, platform: str, delivery_id: str, actor_key: str, payload: str, now: datetime,
                     accepted_by: str | None = None) -> bool:
        """True when this delivery is new (deduplicated on platform + delivery id)."""
        ...

    async def record_processed(self, platform: str, delivery_id: str, actor_key: str, payload: str, now: datetime,
                               accepted_by: str | None = None, error: str | None = None) -> int | None:
        """Record the delivery as processed inside the transaction processing it; its id, or None when it was
        recorded before (then `claim` it)."""
        ...

    async def claim(self, platform: str, delivery_id: str) -> InboxRow | None:
        """The unprocessed row, locked until commit."""
        ...

    async def mark_processed(self, inbox_id: int, now: datetime, error: str | None = None) -> None: ...

    async def unprocessed(self, platform: str | None, older_than: datetime, limit: int = 500, *,
                          me: str | None = None, live_older_than: datetime | None = None) -> Sequence[InboxRow]:
        """With `me`: this process's own rows, dead processes' rows, and live processes' rows only from
        `live_older_than` (see storage)."""
        ...


class Outbox(Protocol):
    async def add(self, inbox_id: int | None, person_id: int | None, platform: str, payload: str, now: datetime,
                  claim_for: timedelta | None = None, tag: str | None = None,
                  claimed_by: str | None = None) -> int: ...

    async def add_many(self, rows: list[tuple[int | None, int | None, str, str, datetime, timedelta | None,
                                              str | None, str | None]]) -> list[int]:
        """Several `add`s (their arguments as tuples, in order) in one statement; the ids in the same order."""
        ...

    async def claim_due(self, platforms: list[str], now: datetime, lease: timedelta, limit: int = 100,
                        claimed_by: str | None = None, per_person: int | None = None) -> Sequence[OutboxRow]:
        """Free rows (unclaimed, lapsed, or claimed by a dead process), fairly: rank within person, then id."""
        ...

    async def mark_sent(self, outbox_id: int, now: datetime) -> None: ...

    async def mark_sent_many(self, outbox_ids: list[int], now: datetime) -> None:
        """Several deliveries sent, in one statement."""
        ...

    async def mark_failed(self, outbox_id: int, now: datetime, error: str) -> None: ...

    async def retry_later(self, outbox_id: int, not_before: datetime, error: str) -> None: ...

    async def progress(self, ids: list[int]) -> Mapping[int, OutboxState]: ...

    async def record_part(self, outbox_id: int, parts_done: int, message_id: str | None) -> None: ...

    async def attempts(self, outbox_id: int) -> int: ...


class SentMessages(Protocol):
    async def remember(self, ref: str, platform: str, chat_id: str, message_id: str, now: datetime) -> None: ...

    async def find(self, ref: str, platform: str, chat_id: str) -> str | None: ...


class FormSessions(Protocol):
    async def prime(self, person_id: int, sessions: Sequence[FormSession]) -> None:
        """The person's open sessions, as the turn's first read found them: the next `open_for` or `get`
        answers from them, unless a session was written first."""
        ...

    async def create(self, person_id: int, form_id: str, params: dict[str, Any], values: dict[str, Any],
                     now: datetime) -> FormSession: ...

    async def get(self, session_id: int) -> FormSession | None: ...

    async def open_for(self, person_id: int) -> Sequence[FormSession]: ...

    async def save(self, session: FormSession, now: datetime) -> bool:
        """Write the session if nobody moved it on meanwhile (its version); False when someone did."""
        ...


class ActionTokens(Protocol):
    async def store(self, token: str, action_json: str, owner: int | None, expires_at: datetime,
                    now: datetime) -> None: ...

    async def load(self, token: str) -> Mapping[str, Any] | None:
        """`action`, `owner_person_id` and `expires_at` of a stored token."""
        ...

    async def purge_expired(self, now: datetime) -> int: ...


class KeyValues(Protocol):
    async def get_or_create(self, key: str, value: str) -> str: ...


class Leases(Protocol):
    async def acquire(self, name: str, holder: str, now: datetime, ttl: timedelta) -> bool: ...

    async def release(self, name: str, holder: str) -> None: ...


class Processes(Protocol):
    """Running processes (bot/core/liveness.py decides who is dead; a dead one's row is deleted)."""

    async def register(self, process_id: str, host: str, ns: str, pid: int, started_at: datetime,
                       now: datetime) -> None: ...

    async def beat(self, process_id: str, now: datetime) -> bool:
        """False when the row was gone (someone judged this process dead)."""
        ...

    async def all(self) -> Sequence[Mapping[str, Any]]:
        """`process_id`, `host`, `ns`, `pid`, `started_at`, `beat_at` of every registered process."""
        ...

    async def bury(self, process_ids: list[str]) -> int: ...

    async def forget(self, process_id: str) -> None:
        """Release its leases and claims on unsent rows, delete its row (a clean stop)."""
        ...

    async def renew_claims(self, process_id: str, outbox_ids: list[int], until: datetime) -> int: ...


# the unit of work and the database ---------------------------------------------------------------------------
@runtime_checkable
class Transaction(Protocol):
    serial: bool
    """True where transactions run one at a time (SQLite): nothing read can change before commit, `lock` is a no-op."""

    async def lock(self, key: str) -> None:
        """Serialize with every other transaction taking the same key, in any process, until commit."""
        ...


@runtime_checkable
class Retention(Protocol):
    """Purges in small batches; each returns the rows it changed (a full batch means: call again)."""

    async def clear_inbox_payloads(self, before: datetime, limit: int) -> int: ...

    async def forget_inbox_ids(self, before: datetime, limit: int) -> int: ...

    async def clear_outbox_payloads(self, before: datetime, limit: int) -> int: ...

    async def purge_audit(self, before: datetime, limit: int) -> int: ...


@runtime_checkable
class PlatformFiles(Protocol):
    """A platform's own id for media it already holds, so adapters upload the same bytes once."""

    async def file_id(self, platform: str, workspace: str, sha256: str) -> str | None: ...

    async def remember(self, platform: str, workspace: str, sha256: str, file_id: str, now: datetime) -> None: ...

    async def forget(self, platform: str, workspace: str, sha256: str) -> None: ...


@runtime_checkable
class CoreUnitOfWork(Protocol):
    """One transaction and the repositories the core acts through inside it."""

    @property
    def tx(self) -> Transaction: ...

    @property
    def people(self) -> People: ...

    @property
    def identities(self) -> Identities: ...

    @property
    def roles(self) -> Roles: ...

    @property
    def audit(self) -> Audit: ...

    @property
    def inbox(self) -> Inbox: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def sent(self) -> SentMessages: ...

    @property
    def forms(self) -> FormSessions: ...

    @property
    def tokens(self) -> ActionTokens: ...

    @property
    def kv(self) -> KeyValues: ...

    @property
    def leases(self) -> Leases: ...

    @property
    def processes(self) -> Processes: ...

    @property
    def platform_files(self) -> PlatformFiles: ...

    @property
    def retention(self) -> Retention: ...


@runtime_checkable
class Database(Protocol):
    """Opened and closed by whoever made it; `transaction()` is one short business operation."""

    async def connect(self) -> None: ...

    async def close(self) -> None: ...

    def transaction(self) -> AsyncContextManager[Transaction]:
        """Begin; yield the transaction (what the unit-of-work factory takes); commit, or roll back on error."""
        ...

