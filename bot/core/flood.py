"""Per-person inbound limits: one person's flood of plain messages cannot hold up everyone else's turns.

A token bucket per actor key (platform identity): `burst` messages at once, refilled at `per_minute`. Only plain
chatter counts — typed text and files; commands, button presses, modal submissions and home opens are always
admitted and take no token, so a person can always `/cancel`, `/help` or press a button. The defaults sit far
above a human: a fast typist, or Telegram splitting a long paste into two or three messages, uses a few tokens,
and one answer per form step never comes near the limit.

Over the limit the runtime runs no handler and takes no per-person lock (`Runtime.process` asks before it waits
for the person): the first message dropped gets one notice, later ones are marked processed with no reply, so
recovery never replays them. The notice comes again only after the person has calmed down, i.e. once the bucket
has refilled completely.

The buckets live in the process: with several processes a flood spread over them is limited per process.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Callable

from bot.core.blocks import Reply, text
from bot.core.events import Event
from bot.core.operations import Delivery, Operation, SendMessage
from bot.core.staging import Recipient, stage
from bot.i18n.negotiate import negotiate_locale
from bot.i18n.text import msg

if TYPE_CHECKING:
    from bot.core.runtime import Runtime

log = logging.getLogger("panelist.flood")
CHATTER = frozenset({"text", "file"})  # event kinds that count; every other kind is always processed
DROPPED = "dropped: over the per-person message limit"  # the inbox row's note, for operators


class Verdict(Enum):
    ADMIT = "admit"  # run the turn as usual
    NOTICE = "notice"  # drop it, and tell the person once
    DROP = "drop"  # drop it silently


@dataclass
class _Bucket:
    tokens: float
    at: float
    warned: bool = False


class FloodGate:
    """Token buckets per key. `clock` is monotonic seconds (injected by tests)."""

    def __init__(self, burst: int, per_minute: float, clock: Callable[[], float] = time.monotonic,
                 prune_every: int = 1000) -> None:
        if burst < 1 or per_minute <= 0:
            raise ValueError("burst must be at least 1 and per_minute positive")
        self.burst = float(burst)
        self.rate = per_minute / 60.0  # tokens per second
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._prune_every = prune_every
        self._checks = 0

    def check(self, key: str, kind: str) -> Verdict:
        """What to do with one inbound event of `kind` from `key`; counts it when it is chatter."""
        if kind not in CHATTER:
            return Verdict.ADMIT
        now = self.clock()
        self._checks += 1
        if self._checks % self._prune_every == 0:
            self._prune(now)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(tokens=self.burst, at=now)
        else:
            self._refill(bucket, now)
        if bucket.tokens >= self.burst:
            bucket.warned = False  # calmed down: a later flood is told again
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return Verdict.ADMIT
        if not bucket.warned:
            bucket.warned = True
            return Verdict.NOTICE
        return Verdict.DROP

    def _refill(self, bucket: _Bucket, now: float) -> None:
        bucket.tokens = min(self.burst, bucket.tokens + max(0.0, now - bucket.at) * self.rate)
        bucket.at = now

    def _prune(self, now: float) -> None:
        """Forget full buckets: they are the same as no bucket, and a bot meets many people."""
        for key in [k for k, b in self._buckets.items() if b.tokens + max(0.0, now - b.at) * self.rate >= self.burst]:
            del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)


async def quiet_turn(runtime: "Runtime", event: Event, notice: bool) -> list[tuple[int, Delivery]]:
    """An over-the-limit event: marked processed without a handler; with `notice`, the one notice is staged in
    the person's language. Takes no per-person lock: the row lock of the inbox claim is enough for a turn that
    changes nothing of the person's."""
    now = runtime.clock()
    async with runtime.db.transaction() as tx:
        uow = runtime.unit_of_work(tx)
        row = await uow.inbox.claim(event.actor.platform, event.delivery_id)
        if row is None:
            return []  # processed already (a redelivery, another process)
        await uow.inbox.mark_processed(row.id, now, error=DROPPED)
        if not notice:
            return []
        actor = event.actor
        log.info("%s is over the per-person message limit: typed messages and files are dropped until they"
                 " slow down", actor.key)
        identity = await uow.identities.find(actor.platform, actor.workspace, actor.user_id)
        person = await uow.people.get(identity.person_id) if identity else None
        locale = negotiate_locale(person.locale if person else None,
                                  actor.locale_hint or (identity.locale_hint if identity else None),
                                  runtime.catalogs.locales(), runtime.settings.default_locale)
        who = Recipient(person.id if person else None, event.conversation.platform, event.conversation.workspace,
                        event.conversation.chat_id, actor.user_id, locale,
                        (person.timezone if person else None) or runtime.settings.timezone,
                        dict(event.reply_context))
        ops: list[Operation] = [SendMessage(message=Reply(blocks=[text(msg("flood.slow_down"))]))]
        deliveries = await stage(runtime, None, uow, ops, now, actor=who)
        return await runtime._persist(uow, row.id, person.id if person else None, deliveries, now)
