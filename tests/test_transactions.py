"""What `db.transaction()` promises, on both backends, under concurrency, failures, cancellation and SIGKILL:
a transaction that returned is durable; one that raised left nothing; nobody waits forever.

On SQLite queued transactions share one COMMIT (storage/sqlite.py), so these tests also pin down that sharing:
a failing member takes only its own work with it, and a failed COMMIT fails every member it carried.
"""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from storage.db import open_database

ROOT = Path(__file__).resolve().parent.parent


class Refused(Exception):
    pass


async def make_scratch(db, backend: str) -> None:
    """A table of our own, with a row no backend will keep: on SQLite its trigger rolls back the WHOLE
    transaction (RAISE(ROLLBACK)), the harshest failure a batch member can meet; on PostgreSQL it raises."""
    async with db.transaction() as tx:
        await tx.execute("CREATE TABLE scratch (n INTEGER PRIMARY KEY, note TEXT NOT NULL)")
        if backend == "sqlite":
            await tx.execute("CREATE TRIGGER scratch_poison BEFORE INSERT ON scratch WHEN NEW.note = 'poison'"
                             " BEGIN SELECT RAISE(ROLLBACK, 'poison refused'); END")
        else:
            await tx.execute("CREATE FUNCTION scratch_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                             " IF NEW.note = 'poison' THEN RAISE EXCEPTION 'poison refused'; END IF;"
                             " RETURN NEW; END $$")
            await tx.execute("CREATE TRIGGER scratch_poison BEFORE INSERT ON scratch FOR EACH ROW"
                             " EXECUTE FUNCTION scratch_poison()")


async def stored(url: str) -> set[int]:
    """Read through a connection of its own: only committed rows are visible there."""
    async with open_database(url) as other:
        async with other.transaction() as tx:
            return {r["n"] for r in await tx.fetch("SELECT n FROM scratch")}


async def insert(db, n: int, note: str = "ok", fail_after: bool = False, pause: float = 0.0) -> None:
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO scratch (n, note) VALUES ($1, $2)", n, note)
        if pause:
            await asyncio.sleep(pause)
        if fail_after:
            raise Refused(n)


async def outcomes(coros) -> dict[int, BaseException | None]:
    results = await asyncio.gather(*coros, return_exceptions=True)
    return dict(enumerate(results))


async def test_concurrent_transactions_keep_exactly_the_ones_that_returned(db, database_url, backend):
    await make_scratch(db, backend)
    refused = {n for n in range(300) if n % 7 == 3}
    result = await outcomes(insert(db, n, fail_after=n in refused, pause=0.001 * (n % 3)) for n in range(300))
    assert {n for n, r in result.items() if isinstance(r, Refused)} == refused
    assert all(r is None for n, r in result.items() if n not in refused), result
    assert await stored(database_url) == set(range(300)) - refused


async def test_a_member_that_ends_the_whole_transaction_fails_only_those_it_took_with_it(db, database_url, backend):
    """Poison rows among good ones: whatever the backend does with the good rows, each caller's answer is true —
    returned ⇔ stored — and the poison is never stored."""
    await make_scratch(db, backend)
    poison = {5, 40, 41, 99}
    result = await outcomes(insert(db, n, "poison" if n in poison else "ok") for n in range(120))
    kept = await stored(database_url)
    returned = {n for n, r in result.items() if r is None}
    assert kept == returned
    assert not kept & poison and all(result[n] is not None for n in poison)
    if backend == "postgres":  # separate transactions: nobody else is touched
        assert returned == set(range(120)) - poison
    else:  # batchmates lost with the poison are told so, in words that say why
        from storage.sqlite import BatchAborted

        lost = {n: r for n, r in result.items() if r is not None and n not in poison}
        assert all(isinstance(r, BatchAborted) and "rolled back" in str(r) for r in lost.values()), lost
    await insert(db, 1000)  # and the database goes on working
    assert 1000 in await stored(database_url)


async def test_cancelled_transactions_leave_nothing_and_wedge_nothing(db, database_url, backend):
    await make_scratch(db, backend)
    slow = [asyncio.create_task(insert(db, n, pause=0.05)) for n in range(5)]
    quick = [asyncio.create_task(insert(db, n)) for n in range(5, 40)]
    await asyncio.sleep(0.01)
    for task in slow[1:]:  # the first is running inside its transaction; the rest wait in the queue
        task.cancel()
    done = await asyncio.gather(*slow, *quick, return_exceptions=True)
    cancelled = {n for n, r in enumerate(done) if isinstance(r, asyncio.CancelledError)}
    returned = {n for n, r in enumerate(done) if r is None}
    assert cancelled | returned == set(range(40)), done
    kept = await stored(database_url)
    assert returned <= kept and kept <= returned | cancelled  # cancelled after its body ran: may have committed
    assert set(range(5, 40)) <= returned
    await insert(db, 500)
    assert 500 in await stored(database_url)


async def test_reads_in_a_transaction_see_earlier_returned_transactions(db, backend):
    await make_scratch(db, backend)

    async def write_then_read(n: int) -> int:
        await insert(db, n)
        async with db.transaction() as tx:
            return int(await tx.fetchval("SELECT COUNT(*) FROM scratch WHERE n = $1", n))

    assert await asyncio.gather(*(write_then_read(n) for n in range(50))) == [1] * 50


async def test_sqlite_queued_transactions_share_a_commit(tmp_path):
    """Group commit: 200 transactions at once take far fewer COMMITs than 200; one at a time take one each."""
    url = f"sqlite:///{tmp_path / 'g.db'}"
    async with open_database(url) as db:
        await make_scratch(db, "sqlite")
        commits: list[str] = []
        db._conn.set_trace_callback(lambda s: commits.append(s) if s.strip().upper() == "COMMIT" else None)
        await asyncio.gather(*(insert(db, n) for n in range(200)))
        together = len(commits)
        commits.clear()
        for n in range(200, 210):
            await insert(db, n)
        one_by_one = len(commits)
        db._conn.set_trace_callback(None)
    assert 1 <= together <= 20, together
    assert one_by_one == 10
    assert await stored(url) == set(range(210))


WRITER = textwrap.dedent("""
    import asyncio, sys
    sys.path.insert(0, {root!r})
    from storage.db import open_database

    async def main(url):
        async with open_database(url) as db:
            async def one(n):
                async with db.transaction() as tx:
                    await tx.execute("INSERT INTO scratch (n, note) VALUES ($1, 'ok')", n)
                print(n, flush=True)  # only after transaction() returned
            n = 0
            while True:
                await asyncio.gather(*(one(n + k) for k in range(20)))
                n += 20

    asyncio.run(main(sys.argv[1]))
""")


async def test_a_returned_transaction_survives_sigkill(db, database_url, backend, tmp_path):
    """A writer process prints each number after its transaction returned; SIGKILL it mid-stream. Every printed
    number is stored (and nothing is stored twice: the primary key)."""
    await make_scratch(db, backend)
    script = tmp_path / "writer.py"
    script.write_text(WRITER.format(root=str(ROOT)))
    proc = await asyncio.create_subprocess_exec(sys.executable, str(script), database_url,
                                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    printed: set[int] = set()
    try:
        while len(printed) < 300:
            line = await asyncio.wait_for(proc.stdout.readline(), timeout=60)
            if not line:
                raise AssertionError((await proc.stderr.read()).decode()[-2000:])
            printed.add(int(line))
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        await proc.wait()
    printed |= {int(x) for x in (await proc.stdout.read()).split()}
    kept = await stored(database_url)
    assert printed <= kept, sorted(printed - kept)[:10]


async def test_cancels_at_random_moments_never_break_the_promise(db, database_url, backend):
    """Cancel transactions wherever they happen to be — queued, in the body, beginning, committing — many times
    over. What returned is stored, nothing else is except what was cancelled after its work was done, and the
    database keeps working."""
    import random

    await make_scratch(db, backend)
    rng = random.Random(6)
    tasks = {n: asyncio.create_task(insert(db, n, pause=rng.choice((0, 0, 0.001)))) for n in range(400)}
    for n in rng.sample(range(400), 150):
        await asyncio.sleep(rng.choice((0, 0, 0.0005, 0.002)))
        tasks[n].cancel()
    done = dict(zip(tasks, await asyncio.gather(*tasks.values(), return_exceptions=True)))
    returned = {n for n, r in done.items() if r is None}
    cancelled = {n for n, r in done.items() if isinstance(r, asyncio.CancelledError)}
    assert returned | cancelled == set(done), {n: r for n, r in done.items() if n not in returned | cancelled}
    kept = await stored(database_url)
    assert returned <= kept <= returned | cancelled
    await insert(db, 10_000)
    assert 10_000 in await stored(database_url)


async def test_a_transaction_opened_inside_another_raises_at_once(db, database_url, backend):
    """Nested on one task, SQLite would wait for its own writer lock forever and PostgreSQL would run a second,
    independent transaction: both refuse it at once instead, and the outer one is left as it was."""
    from storage.db import NestedTransaction

    await make_scratch(db, backend)

    async def nested_then_fail() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO scratch (n, note) VALUES (1, 'outer')")
            async with db.transaction() as inner:
                await inner.execute("INSERT INTO scratch (n, note) VALUES (2, 'inner')")

    async def nested_refused_outer_goes_on() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO scratch (n, note) VALUES (3, 'outer')")
            with pytest.raises(NestedTransaction, match="inside another"):
                async with db.transaction():
                    pass
            await tx.execute("INSERT INTO scratch (n, note) VALUES (4, 'outer')")

    # wait_for only turns a deadlock (the old SQLite behaviour) into a failure instead of a hung suite
    with pytest.raises(NestedTransaction):
        await asyncio.wait_for(nested_then_fail(), 60)
    assert await stored(database_url) == set()  # the outer transaction rolled back with the error
    await asyncio.wait_for(nested_refused_outer_goes_on(), 60)
    assert await stored(database_url) == {3, 4}


async def test_transactions_on_other_tasks_are_not_nested(db, database_url, backend):
    """A transaction on another task is not nested, even one started from inside a transaction (it inherits the
    context, not the transaction): it runs beside it (PostgreSQL) or after it (SQLite), and both are kept."""
    await make_scratch(db, backend)
    inside = asyncio.Event()

    async def outer() -> asyncio.Task:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO scratch (n, note) VALUES (1, 'outer')")
            child = asyncio.create_task(insert(db, 2))  # started inside, runs on a task of its own
            inside.set()
            await asyncio.sleep(0.01)
        return child

    async def beside() -> None:
        await inside.wait()
        await insert(db, 3)

    child, _ = await asyncio.wait_for(asyncio.gather(outer(), beside()), 60)
    await asyncio.wait_for(child, 60)
    assert await stored(database_url) == {1, 2, 3}
    await asyncio.wait_for(asyncio.gather(*(insert(db, n) for n in range(10, 60))), 60)  # group commit as before
    assert await stored(database_url) == {1, 2, 3} | set(range(10, 60))
