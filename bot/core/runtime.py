"""The runtime: inbox → one transaction per turn → outbox → adapters.

A delivery is written to the inbox (deduplicated) before the platform is acknowledged. Processing claims the
inbox row, runs the handler, stages outgoing deliveries and marks the row processed, all in one transaction;
`handle` (an event this process received and answers itself) writes the row, already processed, in that same
transaction. Only after commit are deliveries sent; the ones sent are then recorded in one statement. A crash
anywhere leaves either an unprocessed inbox row (processed on restart), no row (`handle`: nothing was
acknowledged, the platform delivers it again) or unsent outbox rows (swept and sent), never a half-done turn. A delivery the
adapter sends in several calls records each part but the last on its row as it goes (`DeliveryProgress`), so a
retry resumes at the first part not delivered. A refusal the platform will repeat fails the row at once; other
failures are retried with jittered exponential backoff (`bot.core.retry`) until `delivery_max_attempts`.

The runtime knows storage only as `bot.core.store` describes it: the shell (`app/wiring.py`) gives it a database,
a factory that makes the application's unit of work from a transaction, and a `prepare` step (the migrations)
that runs once the database is connected. It reads its configuration through `RuntimeSettings`.
"""
from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from typing import Any, AsyncIterator, Awaitable, Callable, Generic, Mapping, Protocol, Sequence, TypeVar

from pydantic import TypeAdapter

from bot.core.adapter import DeliveryFailed, DeliveryProgress, PlatformAdapter
from bot.core.blocks import Reply, text
from bot.core.capabilities import FALLBACK, Capabilities
from bot.core.codec import ActionCodec
from bot.core.context import Context
from bot.core.commands import CommandNames, routes as command_routes
from bot.core.dispatch import dispatch
from bot.core.events import Event
from bot.core.flood import FloodGate, Verdict, quiet_turn
from bot.core.health import PlatformHealth
from bot.core.metrics import Metrics
from bot.core.retention import PURGE_BATCH, PURGE_BATCHES, purge_old
from bot.core.liveness import Liveness
from bot.core.log_context import turn_of
from bot.core.pacing import Lane, lane_of
from bot.core.operations import Delivery, Notice, Operation, SendMessage
from bot.core.router import Router, TickRoute
from bot.blobs import BlobStore
from bot.core.staging import stage
from bot.core.retry import next_try
from bot.core.store import CoreUnitOfWork, Database, OutboxState
from bot.core.ticks import Tick, TickContext
from bot.i18n.text import msg
from bot.core.turn import resolve_actor
from bot.core.wizard import Wizard
from bot.i18n.catalog import Catalogs, default_catalogs
from bot.i18n.negotiate import negotiate_locale

log = logging.getLogger("panelist.runtime")
EVENT = TypeAdapter(Event)
CLAIM = timedelta(seconds=60)
SWEEP_PER_PERSON = 5  # a person's rows one sweep may take: a backlog goes out in order, a few at a time
LIVE_INBOX_GRACE = timedelta(minutes=10)  # a live process works through its own accepted rows, in order

U = TypeVar("U", bound=CoreUnitOfWork)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class AdminKey(Protocol):
    @property
    def platform(self) -> str: ...

    @property
    def workspace(self) -> str: ...

    @property
    def user_id(self) -> str: ...


class Secret(Protocol):
    def get_secret_value(self) -> str: ...


class RuntimeSettings(Protocol):
    """What the runtime reads of the application's settings (`app.settings.Settings` satisfies it)."""

    @property
    def default_locale(self) -> str: ...

    @property
    def timezone(self) -> str: ...

    @property
    def admin_identities(self) -> Sequence[AdminKey]:
        """Identities made admins by configuration."""
        ...

    @property
    def secret_key(self) -> Secret | None:
        """Signs inline button payloads; without it a secret is generated and kept in the database."""
        ...

    @property
    def action_token_days(self) -> int: ...

    @property
    def delivery_max_attempts(self) -> int:
        """Attempts at a delivery before it is marked failed (a permanent refusal fails at once)."""
        ...

    @property
    def delivery_retry_seconds(self) -> float:
        """The first retry's delay; each later one doubles (with jitter, capped in `bot.core.retry`)."""
        ...

    @property
    def flood_burst(self) -> int:
        """Plain messages one person may send at once before the rest are dropped (bot/core/flood.py)."""
        ...

    @property
    def retention_days(self) -> int:
        """Raw platform payloads (inbox and outbox) are kept this long after they are done with."""
        ...

    @property
    def audit_retention_days(self) -> int: ...

    @property
    def flood_per_minute(self) -> float:
        """The sustained rate of plain messages per person that is never dropped."""
        ...


class _RowProgress(DeliveryProgress):
    """Progress backed by the outbox row: each part but the last is written (and committed) before the next
    part is sent, so a retry after a crash or an error resumes after it."""

    def __init__(self, runtime: "Runtime", outbox_id: int, done: int = 0, message_id: str | None = None) -> None:
        super().__init__(done, message_id)
        self._runtime = runtime
        self._outbox_id = outbox_id

    async def save(self) -> None:
        async with self._runtime.db.transaction() as tx:
            await self._runtime.unit_of_work(tx).outbox.record_part(self._outbox_id, self.done, self.message_id)


class InProcessLocks:
    """Per-key asyncio locks so one process does not hand two tasks of one person to the database at once."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if self._users[key] == 0:
                del self._users[key]
                self._locks.pop(key, None)


class Runtime(Generic[U]):
    """`settings` is kept as given (handlers read the application's own settings from it); `db` is connected in
    `start()` and closed in `stop()`; `unit_of_work(tx)` makes the unit of work a turn and its handlers act through;
    `prepare(db)` (the migrations) runs once after connecting."""

    def __init__(self, settings: RuntimeSettings, router: Router, db: Database,
                 unit_of_work: Callable[[Any], U], *, prepare: Callable[[Database], Awaitable[object]] | None = None,
                 catalogs: Catalogs | None = None, clock: Callable[[], datetime] = utcnow,
                 command_forms: Mapping[str, str] | None = None, blobs: BlobStore | None = None) -> None:
        self.settings = settings
        # Where media live (bot.blobs): staging stores the files handlers make, adapters read what they send
        # and store what people upload. None: a runtime that never handles a file (some tests).
        self.blobs = blobs
        # How each platform writes a command, for platforms whose adapter runs in another process (a tick here may
        # stage a Slack reminder that the Slack process sends): their replies still say `/panelist log`.
        self.command_forms = dict(command_forms or {})
        # Everything is registered on the router: routes, forms (walked by the wizard, whose own routes go first)
        # and ticks (`run_tick`; the scheduler reads `router.ticks`).
        self.wizard = Wizard(router.forms)
        self.router = Router(router.name).include(self.wizard.routes(), command_routes(), router)
        self.db = db
        self.unit_of_work = unit_of_work
        self._prepare = prepare
        self.catalogs = catalogs or default_catalogs()
        self.command_names = CommandNames(self.router.commands, self.catalogs)
        self.clock = clock
        self.adapters: dict[str, PlatformAdapter] = {}
        self.codec: ActionCodec | None = None  # set in start(): the secret may live in the database
        self.process_id = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self._locks = InProcessLocks()
        self.flood = FloodGate(settings.flood_burst, settings.flood_per_minute)
        self._admins = {(k.platform, k.workspace, k.user_id) for k in settings.admin_identities}
        self._tasks: set[asyncio.Task] = set()
        self._accepted: dict[tuple[str, str], tuple[float, bool]] = {}  # accepted here: (since, being processed)
        self.liveness = Liveness(db, unit_of_work, self.process_id, claim=CLAIM, clock=lambda: self.clock())
        self.on_delivered: list[Callable[[Delivery], None]] = []  # observers (console echo, benchmarks)
        self.health: dict[str, PlatformHealth] = {}  # per platform: how its calls went lately (/readyz)
        self.metrics: Metrics | None = None  # set when metrics are enabled (bot/core/metrics.py)

    # lifecycle -------------------------------------------------------------------------------------------
    async def start(self) -> None:
        await self.db.connect()
        try:
            await self._started()
        except BaseException:  # a runtime that did not start holds nothing open (a failed start must exit)
            await self.db.close()
            raise

    async def _started(self) -> None:
        if self._prepare is not None:
            await self._prepare(self.db)
        secret = self.settings.secret_key.get_secret_value() if self.settings.secret_key else None
        if secret is None:
            async with self.db.transaction() as tx:
                secret = await self.unit_of_work(tx).kv.get_or_create("action_secret", secrets.token_urlsafe(32))
        self.codec = ActionCodec(secret.encode(), timedelta(days=self.settings.action_token_days))
        self.codec_secret = secret.encode()  # also keys pseudonyms, so they are stable across processes
        await self.liveness.start()  # registered (and dead predecessors judged) before anything is claimed

    async def stop(self, grace: float = 10.0) -> None:
        """Finish work in flight for up to `grace` seconds, then cancel the rest: a cancelled turn rolls back (its
        inbox row stays for the next process) and the claims of unsent rows are released with the leases."""
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        await self.liveness.stop()
        await self.db.close()
        close = getattr(self.blobs, "aclose", None)
        if close is not None:  # a store with connections of its own (S3)
            await close()

    def register(self, adapter: PlatformAdapter) -> None:
        self.adapters[adapter.platform] = adapter

    def capabilities_for(self, platform: str) -> Capabilities:
        """What the adapter registered for `platform` can show; the narrowest limits when none is."""
        adapter = self.adapters.get(platform)
        return adapter.capabilities if adapter is not None else FALLBACK

    def command_form(self, platform: str) -> str:
        """How a command is written on `platform` (`Capabilities.command`), with or without its adapter here."""
        adapter = self.adapters.get(platform)
        return adapter.capabilities.command if adapter is not None else self.command_forms.get(platform, FALLBACK.command)

    # inbound ---------------------------------------------------------------------------------------------
    async def accept(self, event: Event) -> bool:
        """Write the delivery to the inbox. True when new; the platform may be acknowledged after this returns."""
        return (await self.accept_many([event]))[0]

    async def accept_many(self, events: Sequence[Event]) -> list[bool]:
        """Write a batch of deliveries to the inbox in one transaction (a flood costs one commit per batch, not
        one per message); for each, True when new. All or none are stored."""
        async with self.db.transaction() as tx:
            inbox = self.unit_of_work(tx).inbox
            new = [await inbox.record(event.actor.platform, event.delivery_id, event.actor.key,
                                      event.model_dump_json(), self.clock(), accepted_by=self.process_id)
                   for event in events]
        for event, fresh in zip(events, new):
            if fresh:
                self._accepted[(event.actor.platform, event.delivery_id)] = (time.monotonic(), False)
        return new

    def submit(self, event: Event) -> asyncio.Task:
        """Process in the background (after an ack); keeps a reference so the task is not collected."""
        task = asyncio.create_task(self.process(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def handle(self, event: Event) -> list[Delivery]:
        """Accept and process a delivery this process received and will answer itself: the inbox row is written
        in the turn's own transaction, so a crash leaves it either unrecorded (the platform delivers it again,
        nothing was acknowledged) or recorded and processed."""
        return await self.process(event, record=True)

    async def process(self, event: Event, record: bool = False) -> list[Delivery]:
        """Process an accepted delivery; with `record`, one not yet accepted (see `handle`)."""
        key = (event.actor.platform, event.delivery_id)
        self._accepted[key] = (time.monotonic(), True)
        with turn_of(*key):
            if self.metrics is None:
                return await self._process(event, key, record)
            started = time.perf_counter()
            try:
                return await self._process(event, key, record)
            finally:
                self.metrics.turn_seconds.labels(event.actor.platform).observe(time.perf_counter() - started)

    async def _process(self, event: Event, key: tuple[str, str], record: bool) -> list[Delivery]:
        try:
            verdict = self.flood.check(event.actor.key, event.kind)
            if verdict is not Verdict.ADMIT:  # one person's flood: dropped before it queues behind their lock
                self._count_turn(event, "dropped")
                if record:
                    await self.accept(event)  # the flood path marks an accepted row; rare, so no fold here
                return await self._deliver_all(await quiet_turn(self, event, notice=verdict is Verdict.NOTICE))
            async with self._locks.hold(event.actor.key):
                try:
                    staged = await self._turn(event, record)
                    self._count_turn(event, "ok")
                except Exception:
                    log.exception("turn failed for %s delivery %s", event.actor.platform, event.delivery_id)
                    self._count_turn(event, "failed")
                    staged = await self._apologise(event, record)
        finally:  # processed, or failed and left to recovery (which takes this process's rows at once)
            self._accepted.pop(key, None)
        return await self._deliver_all(staged)

    def _count_turn(self, event: Event, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.turns.labels(event.actor.platform, event.kind, outcome).inc()

    def _count_delivery(self, platform: str, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.deliveries.labels(platform, outcome).inc()

    async def _claim(self, uow: U, event: Event, now: datetime, record: bool,
                     error: str | None = None) -> tuple[int | None, bool]:
        """The inbox row this turn processes: (its id, whether it still has to be marked processed), or (None, _)
        when the delivery was processed already (a redelivery, or another process got there first). With
        `record`, the row is first inserted already processed, in this transaction."""
        if record:
            inbox_id = await uow.inbox.record_processed(event.actor.platform, event.delivery_id, event.actor.key,
                                                        event.model_dump_json(), now, accepted_by=self.process_id,
                                                        error=error)
            if inbox_id is not None:
                return inbox_id, False
        row = await uow.inbox.claim(event.actor.platform, event.delivery_id)
        return (row.id, True) if row is not None else (None, False)

    async def _turn(self, event: Event, record: bool = False) -> list[tuple[int, Delivery]]:
        now = self.clock()
        async with self.db.transaction() as tx:
            uow = self.unit_of_work(tx)
            inbox_id, unmarked = await self._claim(uow, event, now, record)
            if inbox_id is None:
                return []
            person, identity, roles = await resolve_actor(uow, event, now, self._admins)
            ctx = Context(
                uow=uow, person=person, identity=identity, roles=roles,
                locale=negotiate_locale(person.locale, event.actor.locale_hint or identity.locale_hint,
                                        self.catalogs.locales(), self.settings.default_locale),
                tz=person.timezone or self.settings.timezone, now=now,
                capabilities=self.capabilities_for(event.actor.platform), event=event, runtime=self,
            )
            ops = await dispatch(self.router, self.wizard, ctx, event)
            deliveries = await stage(self, ctx, uow, ops, now)
            staged = await self._persist(uow, inbox_id, person.id, deliveries, now)
            if unmarked:
                await uow.inbox.mark_processed(inbox_id, now)
            return staged

    async def _apologise(self, event: Event, record: bool = False) -> list[tuple[int, Delivery]]:
        """The error boundary: the turn rolled back; record the failure and say sorry in the person's language."""
        now = self.clock()
        failed = "handler failed; see logs"
        async with self.db.transaction() as tx:
            uow = self.unit_of_work(tx)
            inbox_id, unmarked = await self._claim(uow, event, now, record, error=failed)
            if inbox_id is None:
                return []
            if unmarked:
                await uow.inbox.mark_processed(inbox_id, now, error=failed)
            identity = await uow.identities.find(event.actor.platform, event.actor.workspace, event.actor.user_id)
            person = await uow.people.get(identity.person_id) if identity else None
            from bot.core.staging import Recipient

            locale = negotiate_locale(person.locale if person else None, event.actor.locale_hint,
                                      self.catalogs.locales(), self.settings.default_locale)
            who = Recipient(person.id if person else None, event.conversation.platform, event.conversation.workspace,
                            event.conversation.chat_id, event.actor.user_id, locale, self.settings.timezone,
                            dict(event.reply_context))
            ops: list[Operation] = [SendMessage(message=Reply(blocks=[text(msg("error.apology"))]))]
            if event.kind == "button":
                ops.insert(0, Notice(text=msg("error.apology")))
            deliveries = await stage(self, None, uow, ops, now, actor=who)
            return await self._persist(uow, inbox_id, person.id if person else None, deliveries, now)

    async def _persist(self, uow: U, inbox_id: int | None, person_id: int | None,
                       deliveries: list[Delivery], now: datetime) -> list[tuple[int, Delivery]]:
        """Stage the deliveries in the outbox (one statement); those this process sends itself are returned."""
        mine = [d.platform in self.adapters and not getattr(d.op, "bulk", False) for d in deliveries]
        ids = await uow.outbox.add_many([
            (inbox_id, d.person_id or person_id, d.platform, d.model_dump_json(), now, CLAIM if m else None,
             getattr(d.op, "tag", None), self.process_id) for d, m in zip(deliveries, mine)]) if deliveries else []
        return [(outbox_id, d) for outbox_id, d, m in zip(ids, deliveries, mine) if m]

    # background work -------------------------------------------------------------------------------------
    async def run_tick(self, tick: TickRoute | Tick) -> int:
        """Run a tick (bot/core/ticks.py) the one way background work sends: each round in a transaction of its
        own, the tick's marks and the messages it hands to `t.send` staged in it together, delivered after the
        commit. Returns the sum of what the rounds returned."""
        fn = tick.fn if isinstance(tick, TickRoute) else tick
        now = self.clock()
        total = 0
        round_ = 0
        while True:
            async with self.db.transaction() as tx:
                uow = self.unit_of_work(tx)
                t = TickContext(uow=uow, now=now, timezone=self.settings.timezone, round=round_,
                                pseudonym_key=self.codec_secret)
                total += await fn(t) or 0
                staged = []
                if t.outgoing:  # the marks the tick made and the outbox rows commit together
                    deliveries = await stage(self, None, uow, t.outgoing, now)
                    staged = await self._persist(uow, None, None, deliveries, now)
            if staged:
                await self._deliver_all(staged)
            if not t.again:
                return total
            round_ += 1

    # outbound --------------------------------------------------------------------------------------------
    async def send(self, ops: list[Operation], person_id: int | None = None) -> list[Delivery]:
        """Stage and deliver operations that no inbound event caused and that carry no state of their own to
        commit with them (CLI, tests). Background work that marks rows is a tick: see `run_tick`."""
        now = self.clock()
        async with self.db.transaction() as tx:
            uow = self.unit_of_work(tx)
            deliveries = await stage(self, None, uow, ops, now)
            staged = await self._persist(uow, None, person_id, deliveries, now)
        return await self._deliver_all(staged)

    async def _deliver_all(self, staged: list[tuple[int, Delivery]],
                           resume: Mapping[int, OutboxState] | None = None) -> list[Delivery]:
        """Send each delivery (network first, no transaction open), then record the ones sent in one transaction
        and one statement: a crash before that repeats this batch's deliveries (a turn's few replies), never an
        earlier batch's. A failure is recorded as it happens (it is rare, and decides the row's retry).
        `resume` holds how far earlier attempts got (swept rows): those deliveries start at their first part
        not yet delivered."""
        done: list[Delivery] = []
        sent: list[tuple[int, Delivery, str | None]] = []
        staged = actor_first(staged)
        waiting = [outbox_id for outbox_id, _ in staged]
        self.liveness.hold(waiting)  # claims renewed while queued in the pacer: no sweeper sends them meanwhile
        try:
            for outbox_id, delivery in staged:
                state = resume.get(outbox_id) if resume else None
                progress = _RowProgress(self, outbox_id, state.parts_done if state else 0,
                                        state.message_id if state else None)
                ok, message_id = await self._send_one(outbox_id, delivery, progress)
                if ok:
                    sent.append((outbox_id, delivery, message_id))
        finally:
            try:
                if sent:  # also when cancelled midway: what went out is recorded
                    await self._mark_sent(sent)
            finally:
                self.liveness.let_go(waiting)
        for _, delivery, _ in sent:
            done.append(delivery)
            for observer in self.on_delivered:
                observer(delivery)
        return done

    async def _mark_sent(self, sent: list[tuple[int, Delivery, str | None]]) -> None:
        async with self.db.transaction() as tx:
            uow = self.unit_of_work(tx)
            now = self.clock()
            await uow.outbox.mark_sent_many([outbox_id for outbox_id, _, _ in sent], now)
            for _, delivery, message_id in sent:
                ref = getattr(delivery.op, "ref", None)
                if ref and message_id:
                    await uow.sent.remember(ref, delivery.platform, delivery.chat_id, message_id, now)

    async def _send_one(self, outbox_id: int, delivery: Delivery,
                        progress: DeliveryProgress | None = None) -> tuple[bool, str | None]:
        adapter = self.adapters.get(delivery.platform)
        if adapter is None:
            return False, None
        progress = progress or _RowProgress(self, outbox_id)
        health = self.health.setdefault(delivery.platform, PlatformHealth())
        try:
            message_id = await adapter.deliver(delivery, progress)
            health.reached()
            self._count_delivery(delivery.platform, "sent")
            return True, message_id if message_id is not None else progress.message_id
        except DeliveryFailed as exc:
            if exc.permanent or exc.retry_after is not None:
                health.reached()  # it answered: about this chat (blocked, gone) or a pace it asks for
            else:
                health.unreachable(exc.reason)
            self._count_delivery(delivery.platform, "failed" if exc.permanent else
                                 "rate_limited" if exc.retry_after is not None else "retry")
            await self._delivery_failed(outbox_id, delivery, exc.reason, exc.permanent, exc.retry_after)
        except Exception as exc:  # network trouble the adapter did not classify: transient
            health.unreachable(type(exc).__name__)
            self._count_delivery(delivery.platform, "retry")
            await self._delivery_failed(outbox_id, delivery, type(exc).__name__, False, None)
        return False, None

    async def _delivery_failed(self, outbox_id: int, delivery: Delivery, reason: str, permanent: bool,
                               retry_after: float | None) -> None:
        """A permanent refusal fails the row at once; a transient one is retried with backoff until the bound."""
        now = self.clock()
        async with self.db.transaction() as tx:
            outbox = self.unit_of_work(tx).outbox
            attempts = await outbox.attempts(outbox_id) + 1
            wait = None if permanent else next_try(attempts, max_attempts=self.settings.delivery_max_attempts,
                                                   base=self.settings.delivery_retry_seconds,
                                                   retry_after=retry_after)
            if wait is None:
                why = reason if permanent else f"{reason} (gave up after {attempts} attempts)"
                await outbox.mark_failed(outbox_id, now, why)
            else:
                await outbox.retry_later(outbox_id, now + wait, reason)
        if wait is None:
            log.warning("delivery %s on %s failed: %s", outbox_id, delivery.platform, why)
        else:
            log.warning("delivery %s on %s will be retried in %.0fs (attempt %d failed): %s", outbox_id,
                        delivery.platform, wait.total_seconds(), attempts, reason)

    async def sweep_outbox(self, limit: int = 100, platforms: list[str] | None = None) -> int:
        """Send what a crashed or busy process left behind. Several processes may sweep at once. Rows are taken
        fairly (a few per person, rank by rank) and each chat's rows go out in order, chats side by side, so one
        chat's paced backlog does not hold up the others."""
        wanted = [p for p in (platforms or list(self.adapters)) if p in self.adapters]
        async with self.db.transaction() as tx:
            outbox = self.unit_of_work(tx).outbox
            rows = await outbox.claim_due(wanted, self.clock(), CLAIM, limit, claimed_by=self.process_id,
                                          per_person=SWEEP_PER_PERSON)
            resume = await outbox.progress([r.id for r in rows])  # how far earlier attempts got
        chats: dict[tuple[str, str], list[tuple[int, Delivery]]] = {}
        for r in rows:
            delivery = Delivery.model_validate_json(r.payload)
            chats.setdefault((delivery.platform, delivery.chat_id), []).append((r.id, delivery))
        sent = await asyncio.gather(*(self._deliver_all(staged, resume) for staged in chats.values()))
        return sum(len(s) for s in sent)

    async def unprocessed(self, platform: str | None = None, grace: timedelta = timedelta(seconds=0)) -> list[Event]:
        """Events accepted (acknowledged) but never processed, oldest first, that this process should take up:
        its own that are not in hand (a turn that failed, e.g. while the database was away), those of dead
        processes at once, those of no known process after `grace`, a live process's only after a long grace
        (it works through them itself, in order)."""
        now = self.clock()
        async with self.db.transaction() as tx:
            rows = await self.unit_of_work(tx).inbox.unprocessed(platform, now - grace, me=self.process_id,
                                                                 live_older_than=now - LIVE_INBOX_GRACE)
        stale = time.monotonic() - 30
        for key in [k for k, (since, running) in self._accepted.items() if not running and since < stale]:
            del self._accepted[key]  # accepted but never handed over: recovery takes it now
        events = [EVENT.validate_json(row.payload) for row in rows]
        return [e for e in events if not self._in_hand(e)]

    def _in_hand(self, event: Event) -> bool:
        """Accepted here and being processed, or about to be (an adapter hands it over right after the ack)."""
        entry = self._accepted.get((event.actor.platform, event.delivery_id))
        return entry is not None and (entry[1] or time.monotonic() - entry[0] < 30)

    async def recover_inbox(self, platform: str | None = None, grace: timedelta = timedelta(seconds=0)) -> int:
        """Process inbox rows that were accepted but never processed (a crash between ack and commit)."""
        events = await self.unprocessed(platform, grace)
        for event in events:
            await self.process(event)
        return len(events)

    async def purge_expired(self) -> int:
        async with self.db.transaction() as tx:
            return await self.unit_of_work(tx).tokens.purge_expired(self.clock())

    async def purge_old(self, batch: int = PURGE_BATCH, batches: int = PURGE_BATCHES) -> dict[str, int]:
        """Retention (bot/core/retention.py): raw payloads and old audit entries, a small transaction per batch."""
        return await purge_old(self, batch, batches)

    # leases ----------------------------------------------------------------------------------------------
    async def hold_lease(self, name: str, ttl: timedelta) -> bool:
        """Take or renew for this process something only one process may do (Telegram long polling)."""
        async with self.db.transaction() as tx:
            return await self.unit_of_work(tx).leases.acquire(name, self.process_id, self.clock(), ttl)

    async def release_lease(self, name: str) -> None:
        async with self.db.transaction() as tx:
            await self.unit_of_work(tx).leases.release(name, self.process_id)


def actor_first(staged: list[tuple[int, Delivery]]) -> list[tuple[int, Delivery]]:
    """The batch with the conversations of the person who acted first (those with an interactive delivery): a
    manager's /ping summary is not held behind the pings it sends through the bulk lane. Each conversation keeps
    its own order, so no message overtakes one it follows in the same chat."""
    answering = {(d.platform, d.workspace, d.chat_id) for _, d in staged if lane_of(d) is Lane.INTERACTIVE}
    return sorted(staged, key=lambda row: (row[1].platform, row[1].workspace, row[1].chat_id) not in answering)
