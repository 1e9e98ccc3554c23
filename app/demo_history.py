"""A week of demo history (issue 18): a few demo experts' answers, reviews, hours and earnings over the past seven
days (app/demo_content/history/week.yaml), so a newcomer who types `/as manager` finds a populated /progress,
review queue, /approvals, /payouts, home and exports instead of empty screens.

Written through the storage repositories the handlers use — the real claim, submission, review, hours and ledger
calls, ledger sources named as the money hooks name them (`submission:<id>`, `hours:<id>`) — and checked by the
real answer rules (`validate_answer`), so the history is data the bot could have made. Seeded once per database:
a `kv` row marks it, in the same transaction, so a second seed (a restart on the same file) adds nothing.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from importlib.resources import files

import yaml

from domain.ledger import hours_pay
from domain.task_import import TaskItem
from domain.task_types import validate_answer
from handlers.shared.task_service import spec_of
from storage.uow import UnitOfWork

MARK = "demo.history"


def history() -> dict:
    return yaml.safe_load(files("app").joinpath("demo_content", "history", "week.yaml").read_text(encoding="utf-8"))


def _moment(now: datetime, days_ago: int, hour: int) -> datetime:
    """That day at that hour (UTC); today's moments are kept before now."""
    day = (now - timedelta(days=days_ago)).date()
    at = datetime.combine(day, time(hour), tzinfo=timezone.utc)
    return min(at, now - timedelta(minutes=30 + hour))


async def seed_history(uow: UnitOfWork, people: dict[str, int], projects: dict[str, int], now: datetime) -> bool:
    """The week in `week.yaml`, relative to `now`; `people` maps console ids to persons (the experts included),
    `projects` spec file stems to project ids. False when this database has its history already."""
    if await uow.kv.get_or_create(MARK, now.isoformat()) != now.isoformat():
        return False
    week = history()
    manager, reviewer = people["manager"], people["reviewer"]
    for stem, who in week["members"].items():
        for user in who:
            await uow.projects.add_member(projects[stem], people[user], manager, now - timedelta(days=8))
    for a in week["answers"]:
        await _answer(uow, a, people[a["by"]], projects[a["project"]], reviewer, now)
    for h in week["hours"]:
        await _hours(uow, h, people[h["by"]], projects[h["project"]], manager, now)
    await _statement(uow, week["statement"], people, manager, now)
    await uow.audit.log(manager, "demo.history", {"answers": len(week["answers"]), "hours": len(week["hours"])}, now)
    return True


async def _answer(uow: UnitOfWork, a: dict, person_id: int, project_id: int, reviewer: int, now: datetime) -> None:
    project = await uow.projects.get(project_id)
    spec = spec_of(project)
    submitted = _moment(now, a["days_ago"], a["at"])
    started = submitted - timedelta(seconds=a["seconds"])
    assignment = await uow.assignments.claim(person_id, project_id, False, started,
                                             timedelta(minutes=spec.lease_minutes))
    task = await uow.tasks.get(assignment.task_id) if assignment else None
    if task is None or task.external_id != a["item"]:  # the file and the serving order disagree: a bug, not data
        raise ValueError(f"demo history: {a['by']} was served {task and task.external_id}, not {a['item']}")
    item = TaskItem.model_validate(task.item)
    answer = validate_answer(spec, item, a["values"])
    review = a["review"]
    sid = await uow.submissions.add(assignment, answer.model_dump_json(), a["seconds"], False, submitted,
                                    form_values=a["values"], review_state="pending")
    await uow.assignments.mark_submitted(assignment.id, submitted)
    if review == "pending":
        return
    decided = min(submitted + timedelta(hours=3), now - timedelta(minutes=5))
    await uow.reviews.decide(sid, 1, reviewer, review, a.get("reason"), a.get("comment"), decided)
    await uow.submissions.set_review_state(sid, 1, review)
    if review == "approved" and spec.pay.kind == "per_task":
        await uow.ledger.add(person_id, project_id, "task", f"submission:{sid}", spec.pay.minor, spec.pay.currency,
                             decided.date(), "", reviewer, decided, quantity=1, unit_minor=spec.pay.minor)


async def _hours(uow: UnitOfWork, h: dict, person_id: int, project_id: int, manager: int, now: datetime) -> None:
    spec = spec_of(await uow.projects.get(project_id))
    logged = _moment(now, h["days_ago"], 18)
    entry_id = await uow.hours.add(person_id, project_id, logged.date(), h["minutes"], h["note"], "log", logged)
    if h["state"] != "approved":
        return
    decided = min(logged + timedelta(hours=14), now - timedelta(minutes=5))
    await uow.hours.decide(entry_id, "approved", None, manager, decided)
    minor = hours_pay(spec.pay.minor, h["minutes"])
    await uow.ledger.add(person_id, project_id, "hours", f"hours:{entry_id}", minor, spec.pay.currency, logged.date(),
                         "", manager, decided, quantity=h["minutes"], unit_minor=spec.pay.minor)


async def _statement(uow: UnitOfWork, s: dict, people: dict[str, int], manager: int, now: datetime) -> None:
    """One closed, unpaid statement, as `/payouts close` makes it: the expert's approved lines in the period."""
    person_id = people[s["by"]]
    first: date = (now - timedelta(days=s["from_days_ago"])).date()
    last: date = (now - timedelta(days=s["to_days_ago"])).date()
    lines = [ln for ln in await uow.ledger.unpaid_in(first, last) if ln.person_id == person_id]
    for currency in sorted({ln.currency for ln in lines}):
        statement_id = await uow.ledger.create_statement(person_id, currency, first, last, manager, now)
        for ln in lines:
            if ln.currency == currency:
                await uow.ledger.put_on_statement(statement_id, ln.id)
        await uow.audit.log(manager, "payouts.statement", {"statement": statement_id, "person": person_id,
                                                            "demo": True}, now)


__all__ = ["MARK", "history", "seed_history"]
