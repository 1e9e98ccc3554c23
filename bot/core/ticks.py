"""Background work: a tick is `async def tick(t: TickContext) -> int`, registered with `@router.tick(every, name)`.

The runtime runs it inside a transaction it opens (`Runtime.run_tick`): the tick reads and marks rows through
`t.uow` and hands the messages those marks call for to `t.send(...)`. The runtime stages them in the outbox in
the same transaction, commits, and only then delivers — the same promise as a turn: a process that dies after the
commit leaves the messages in the outbox for the sweeper, one that dies before it leaves neither marks nor
messages. A tick with many rows asks for another round with `t.repeat()`; each round is a transaction of its own,
with its own marks and messages. The number it returns (what it did) is summed over the rounds.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Awaitable, Callable, Generic, TypeVar

from bot.core.operations import Operation
from bot.core.store import CoreUnitOfWork

U = TypeVar("U", bound=CoreUnitOfWork)


@dataclass
class TickContext(Generic[U]):
    uow: U  # the application's unit of work (handlers see it typed: handlers.shared.context.TickContext)
    now: datetime  # one instant for every round of one run
    timezone: str  # the configured zone, for people who have not chosen one
    round: int = 0  # 0 for the first transaction of this run, 1 after one `repeat()`, …
    pseudonym_key: bytes = b""  # what stable pseudonyms of people are keyed with (as `Context.pseudonym_key`)
    outgoing: list[Operation] = field(default_factory=list)
    again: bool = False

    def send(self, *ops: Operation) -> None:
        """Messages for people (`SendMessage(to=Target.person(...))`, edits by ref); staged with this round."""
        self.outgoing.extend(ops)

    def repeat(self) -> None:
        """Run the tick again, in a new transaction, after this one commits and its messages are sent."""
        self.again = True


Tick = Callable[[TickContext[Any]], Awaitable["int | None"]]
