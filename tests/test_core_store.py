"""Storage provides the interface the core defines (`bot.core.store`), on every backend, so the two cannot drift.

storage/ never imports the core: it satisfies the protocols structurally. This checks every repository the
core's unit of work names, every method of each (a coroutine taking the parameters the core passes, in order),
and every attribute of the records the core reads, on rows the repositories really return.
"""
from __future__ import annotations

import inspect
import typing
from datetime import datetime, timedelta, timezone

from bot.core import store
from storage import models
from storage.uow import UnitOfWork

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


def _members(proto: type) -> list[str]:
    """The names a protocol declares (methods, properties and attributes), not inherited machinery."""
    names = set(getattr(proto, "__annotations__", {}))
    names |= {n for n, v in vars(proto).items() if not n.startswith("_") and (callable(v) or isinstance(v, property))}
    return sorted(names)


def _repositories() -> dict[str, type]:
    return {name: typing.get_type_hints(getattr(store.CoreUnitOfWork, name).fget)["return"]
            for name in _members(store.CoreUnitOfWork) if name != "tx"}


def _compatible(wanted: inspect.Signature, given: inspect.Signature) -> str | None:
    """Why `given` cannot be called as `wanted` is (same leading parameters; the rest optional), or None."""
    want = [p for p in wanted.parameters.values() if p.name != "self"]
    have = [p for p in given.parameters.values() if p.name != "self"]
    if len(have) < len(want):
        return f"takes {len(have)} parameters, the core passes {len(want)}"
    for w, h in zip(want, have):
        if w.name != h.name or h.kind not in (w.kind, inspect.Parameter.POSITIONAL_OR_KEYWORD):
            return f"parameter {h.name!r} where the core passes {w.name!r}"
        if w.default is not inspect.Parameter.empty and h.default is inspect.Parameter.empty:
            return f"parameter {h.name!r} needs a default (the core may leave it out)"
    extra = [h.name for h in have[len(want):] if h.default is inspect.Parameter.empty
             and h.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)]
    return f"parameters {extra} the core does not pass" if extra else None


def test_the_core_names_what_it_needs():
    """The walk below covers something: the core's unit of work has its repositories, each with methods."""
    repos = _repositories()
    assert {"inbox", "outbox", "sent", "forms", "tokens", "identities", "people", "roles", "audit", "kv"} <= set(repos)
    assert all(_members(proto) for proto in repos.values())
    assert _compatible(inspect.signature(store.Inbox.mark_processed),
                       inspect.signature(lambda self, inbox_id, now: None)) is not None  # the check can fail


async def test_storage_provides_every_member_of_the_core_interface(db):
    assert isinstance(db, store.Database)
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        assert isinstance(uow, store.CoreUnitOfWork)
        assert isinstance(uow.tx, store.Transaction)
        problems = []
        for name, proto in _repositories().items():
            repo = getattr(uow, name)
            for member in _members(proto):
                wanted = getattr(proto, member)
                given = getattr(repo, member, None)
                if given is None or not inspect.iscoroutinefunction(given):
                    problems.append(f"uow.{name}.{member}: missing, or not a coroutine")
                    continue
                why = _compatible(inspect.signature(wanted), inspect.signature(given))
                if why:
                    problems.append(f"uow.{name}.{member}: {why}")
        assert problems == []


def test_storage_rows_have_every_attribute_the_core_reads():
    for proto, model in ((store.Person, models.Person), (store.Identity, models.Identity),
                         (store.FormSession, models.FormSession), (store.InboxRow, models.InboxRow),
                         (store.OutboxRow, models.OutboxRow)):
        missing = set(_members(proto)) - set(model.model_fields)
        assert not missing, f"{model.__name__} lacks {sorted(missing)}"


async def test_rows_the_repositories_return_are_the_records_the_core_reads(db):
    async with db.transaction() as tx:
        uow = UnitOfWork(tx)
        person = await uow.people.create("A", NOW)
        identity = await uow.identities.create(person.id, "console", "", "a", "a", None, "A", NOW)
        session = await uow.forms.create(person.id, "f", {}, {}, NOW)
        await uow.inbox.record("console", "d1", "console::a", "{}", NOW)
        inbox_row = await uow.inbox.claim("console", "d1")
        await uow.outbox.add(None, person.id, "console", "{}", NOW)
        [outbox_row] = await uow.outbox.claim_due(["console"], NOW, timedelta(seconds=60))
        assert isinstance(await uow.people.get(person.id), store.Person)
        assert isinstance(identity, store.Identity)
        assert all(isinstance(i, store.Identity) for i in await uow.identities.for_person(person.id))
        assert isinstance(session, store.FormSession)
        assert isinstance(inbox_row, store.InboxRow) and isinstance(outbox_row, store.OutboxRow)
        assert not isinstance(object(), store.Person)
